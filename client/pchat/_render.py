"""Terminal output for people: colours, tables, the tag cloud, a progress bar.

Colour only on a terminal and never when NO_COLOR is set (https://no-color.org) or
TERM=dumb; without colour the output stays readable (weights become capitals and
counts). Scripts use ``--json`` instead of parsing any of this.
"""

from __future__ import annotations

import codecs
import shutil
import textwrap
from collections.abc import Mapping, Sequence
from typing import TextIO

from .models import Granularity, Message, Rejection, RoomStats, TagCloud, TagCount, TagTrend

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


# -- charts (analytics) ---------------------------------------------------------------------

_EIGHTHS = "▏▎▍▌▋▊▉█"  # a bar grows by eighths of a cell
_SPARKS = "▁▂▃▄▅▆▇█"
_ASCII_SPARKS = ".:-=+*#"  # '.' is zero


def unicode_ok(stream: TextIO) -> bool:
    """Whether ``stream`` can show block characters: a UTF encoding (or an in-memory
    text buffer, which holds str and has no encoding)."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True
    try:
        return codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False


def bar(value: int, top: int, width: int, *, unicode: bool) -> str:
    """A horizontal bar of ``value`` against ``top`` in at most ``width`` cells.

    Any count above zero shows at least a sliver, so a small bucket never looks empty.
    """
    if value <= 0 or top <= 0 or width <= 0:
        return ""
    if not unicode:
        return "#" * max(1, round(value / top * width))
    eighths = max(1, round(value / top * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest - 1] if rest else "")


def sparkline(values: Sequence[int], *, unicode: bool, width: int = 72) -> tuple[str, int]:
    """One character per value (zero is the lowest mark, anything above zero is higher).

    More values than ``width`` are summed in runs of ``per`` consecutive values;
    returns the line and ``per``.
    """
    if not values:
        return "", 1
    per = max(1, -(-len(values) // max(1, width)))
    sums = [sum(values[i:i + per]) for i in range(0, len(values), per)]
    marks = _SPARKS if unicode else _ASCII_SPARKS
    top = max(sums)
    line = []
    for value in sums:
        if value <= 0 or top <= 0:
            line.append(marks[0])
        else:  # 1 .. len(marks) - 1
            line.append(marks[1 + min(len(marks) - 2, (value * (len(marks) - 1) - 1) // top)])
    return "".join(line), per


def _columns(width: int | None) -> int:
    return width or shutil.get_terminal_size((80, 24)).columns


def _bar_width(columns: int, used: int) -> int:
    return max(10, min(40, columns - used - 2))


def _stamp(value: str, *, hours: bool) -> str:
    """``2026-11-01T10:00:00.000Z`` -> ``2026-11-01`` (days) or ``2026-11-01 10:00``."""
    if len(value) < 16:
        return value
    return f"{value[:10]} {value[11:16]}" if hours else value[:10]


def trend(result: TagTrend, style: Style, *, unicode: bool, width: int | None = None) -> str:
    """A tag trend: a heading, one row per bucket with its bar, and a sparkline."""
    hours = result.granularity is Granularity.HOUR
    unit = "hour" if hours else "day"
    where = f"room {result.room_id}" if result.room_id else "all rooms"
    head = (f"{style('#' + result.tag, 'bold', 'magenta')} in {where}, per {unit} (UTC), "
            f"{_stamp(result.window_from, hours=True)} to {_stamp(result.window_to, hours=True)}"
            f": {result.total} message(s)")
    counts = [b.count for b in result.buckets]
    top = max(counts, default=0)
    columns = _columns(width)
    label_width = 16 if hours else 10
    span = _bar_width(columns, label_width + 2 + len(str(top)) + 2 + 5)
    rows = [[_stamp(b.start, hours=hours), str(b.count),
             style(bar(b.count, top, span, unicode=unicode), "cyan")] for b in result.buckets]
    body = table([unit, "count", ""], rows, style)
    line, per = sparkline(counts, unicode=unicode, width=max(10, columns - 2))
    runs = f" (each mark: {per} {unit}s)" if per > 1 else ""
    scale = f"peak {top} per {unit}" if top else "no messages"
    return f"{head}\n{body}\n\n{style(line, 'cyan')}\n{style(scale + runs, 'dim')}"


def top_tags(tags: Sequence[TagCount], style: Style, *, unicode: bool,
             width: int | None = None) -> str:
    """Ranked tags with a bar each (relative to the first)."""
    top = max((t.count for t in tags), default=0)
    longest = max((len(t.tag) for t in tags), default=3)
    span = _bar_width(_columns(width), 4 + 2 + longest + 2 + len(str(top)) + 2)
    rows = [[str(rank), t.tag, str(t.count),
             style(bar(t.count, top, span, unicode=unicode), "cyan")]
            for rank, t in enumerate(tags, 1)]
    return table(["rank", "tag", "count", ""], rows, style)


def room_stats(stats: RoomStats, style: Style, *, unicode: bool) -> str:
    """A room's activity, then the sentiment of its live messages with bars."""
    head = (f"room {style(stats.room_id, 'bold')}, {_stamp(stats.window_from, hours=False)} to "
            f"{_stamp(stats.window_to, hours=False)} (whole UTC days)")
    figures = table(["messages", "count"], [
        ["accepted", str(stats.accepted)], ["rejected", str(stats.rejected)],
        ["deleted", str(stats.deleted)], ["live", str(stats.live)],
        ["active authors", str(stats.active_authors)]], style)
    sentiment = stats.sentiment
    labels = [("positive", sentiment.positive, "green"), ("neutral", sentiment.neutral, "blue"),
              ("mixed", sentiment.mixed, "yellow"), ("negative", sentiment.negative, "red"),
              ("unscored", sentiment.unscored, "dim")]
    total = sum(count for _, count, _ in labels)
    rows = [[name, str(count), f"{count / total:.0%}" if total else "-",
             style(bar(count, total, 30, unicode=unicode), colour)]
            for name, count, colour in labels]
    return (f"{head}\n{figures}\n\n" + table(["sentiment (live)", "count", "share", ""], rows,
                                                style))
