"""Terminal output for people: colours, tables, the tag cloud, a progress bar.

Colour only on a terminal and never when NO_COLOR is set (https://no-color.org) or
TERM=dumb; without colour the output stays readable (weights become capitals and
counts). Scripts use ``--json`` instead of parsing any of this.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping, Sequence
from typing import TextIO

from .models import Message, Rejection, TagCloud

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34",
          "magenta": "35", "cyan": "36", "bright_yellow": "93", "bright_white": "97"}


class Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    @classmethod
    def detect(cls, stream: TextIO, env: Mapping[str, str], *, forced_off: bool = False) -> Style:
        on = (not forced_off and stream.isatty() and "NO_COLOR" not in env
              and env.get("TERM") != "dumb")
        return cls(on)

    def __call__(self, text: str, *names: str) -> str:
        if not self.enabled or not names:
            return text
        codes = ";".join(_CODES[n] for n in names)
        return f"\033[{codes}m{text}\033[0m"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], style: Style) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    line = "  ".join(style(h.ljust(w), "bold") for h, w in zip(headers, widths, strict=True))
    body = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]
    return "\n".join([line.rstrip(), *body]) if rows else line.rstrip() + "\n(none)"


def cloud_weight(count: int, top: int) -> int:
    """1..4: the tag's size class relative to the most frequent tag."""
    ratio = count / top if top else 0.0
    return 4 if ratio >= 0.75 else 3 if ratio >= 0.5 else 2 if ratio >= 0.25 else 1


_WEIGHT_STYLE = {4: ("bold", "bright_yellow"), 3: ("bold", "bright_white"), 2: ("cyan",),
                 1: ("dim",)}


def cloud(tag_cloud: TagCloud, style: Style, width: int | None = None) -> str:
    """Tags flowed like a word cloud: bigger (capitals) and brighter for higher counts."""
    if not tag_cloud.tags:
        return "(no tags yet)"
    width = width or shutil.get_terminal_size((80, 24)).columns
    top = max(t.count for t in tag_cloud.tags)
    flat = top == min(t.count for t in tag_cloud.tags)  # nothing stands out: all medium
    words: list[tuple[str, str]] = []  # (plain, styled)
    for item in tag_cloud.tags:
        weight = 2 if flat else cloud_weight(item.count, top)
        text = item.tag.upper() if weight == 4 else item.tag
        plain = text if style.enabled else f"{text}({item.count})"
        words.append((plain, style(plain, *_WEIGHT_STYLE[weight])))
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for plain, styled in words:
        if current and used + 3 + len(plain) > width:
            lines.append("   ".join(current))
            current, used = [], 0
        current.append(styled)
        used += len(plain) + (3 if used else 0)
    lines.append("   ".join(current))
    return "\n".join(lines)


def message_line(message: Message, style: Style, *, language: str | None,
                 me: str | None = None, filled: bool = False) -> str:
    """One message for ``tail``: my language when a translation exists, else a note."""
    stamp = message.created_at[11:19] if len(message.created_at) >= 19 else message.created_at
    who = message.author.username or message.author.id
    who_styled = style(who, "bold", "green" if who == me else "cyan")
    if message.deleted:
        return f"{style(stamp, 'dim')} {who_styled}: {style('(message deleted)', 'dim')}"
    text, translated = message.text_for(language)
    notes = []
    if translated:
        notes.append(f"{message.language}->{language}")
    elif language and message.language and message.language.casefold() != language.casefold():
        notes.append(f"original {message.language}; no {language} translation "
                     f"({message.translation_status.lower() or 'unknown'})")
    if message.edited_at:
        notes.append("edited")
    if filled:
        notes.append("caught up")
    tags = " ".join(f"#{t}" for t in message.tags[:3])  # the strongest few; `search` has all
    suffix = f" {style('[' + ', '.join(notes) + ']', 'dim')}" if notes else ""
    tag_text = f" {style(tags, 'magenta')}" if tags else ""
    return f"{style(stamp, 'dim')} {who_styled}: {text}{tag_text}{suffix}"


def rejection_block(rejection: Rejection, style: Style) -> str:
    head = style("✗ rejected", "bold", "red") + f" ({rejection.reason.lower()})"
    hint = textwrap.indent(textwrap.fill(rejection.hint, 76), "  ")
    return f"{head}: {rejection.message}\n{style(hint, 'yellow')}"


class Progress:
    """An indeterminate bar on stderr (the number of pages is not known in advance)."""

    def __init__(self, stream: TextIO, enabled: bool, label: str) -> None:
        self.stream, self.enabled, self.label = stream, enabled, label
        self._tick = 0

    def update(self, pages: int, items: int) -> None:
        if not self.enabled:
            return
        self._tick += 1
        slot = self._tick % 20
        bar = "".join("=" if abs(i - slot) < 3 else " " for i in range(20))
        self.stream.write(f"\r{self.label} [{bar}] {items:,} messages, {pages} pages")
        self.stream.flush()

    def finish(self, pages: int, items: int) -> None:
        if self.enabled:
            self.stream.write(f"\r{self.label} [{'=' * 20}] {items:,} messages, "
                              f"{pages} pages\n")
            self.stream.flush()
