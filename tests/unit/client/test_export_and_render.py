"""Export formats and the terminal rendering rules (colour policy, cloud weights, translations)."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

from pchat import ExportFormat, Message, Page, TagCloud, TagCount, Translation, export_messages
from pchat._render import Style, cloud, cloud_weight, message_line

from tests.unit.client.test_merge import change


async def pages_of(*pages: list[Message]) -> AsyncIterator[Page[Message]]:
    for index, items in enumerate(pages):
        yield Page(tuple(items), None if index == len(pages) - 1 else str(index))


async def test_jsonl_export_writes_one_record_per_message_and_reports_pages() -> None:
    out, progress = io.StringIO(), []
    count = await export_messages(
        pages_of([change("01A", 1, 1, "a")], [change("01B", 2, 2, "b")]),
        out,
        ExportFormat.JSONL,
        on_page=lambda p, n: progress.append((p, n)),
    )
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == 2 and progress == [(1, 1), (2, 2)]
    assert [(r["id"], r["text"], r["version"]) for r in records] == [
        ("01A", "a", 1),
        ("01B", "b", 2),
    ]


async def test_csv_export_has_a_header_and_flattens_lists() -> None:
    out = io.StringIO()
    await export_messages(pages_of([change("01A", 1, 1, "a, with comma")]), out, ExportFormat.CSV)
    header, row = out.getvalue().splitlines()[:2]
    assert header.startswith("id,roomId,createdAt")
    assert '"a, with comma"' in row


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    assert Style.detect(FakeTty(), {}).enabled
    assert not Style.detect(FakeTty(), {"NO_COLOR": ""}).enabled
    assert not Style.detect(FakeTty(), {"TERM": "dumb"}).enabled
    assert not Style.detect(io.StringIO(), {}).enabled
    assert not Style.detect(FakeTty(), {}, forced_off=True).enabled


def test_cloud_weights_grow_with_counts() -> None:
    assert [cloud_weight(c, 100) for c in (100, 75, 60, 30, 10)] == [4, 4, 3, 2, 1]
    coloured = cloud(TagCloud("r", (TagCount("sun", 10), TagCount("rain", 1))), Style(True), 80)
    assert "\033[1;93mSUN\033[0m" in coloured and "\033[2mrain\033[0m" in coloured


def test_tail_shows_my_language_or_the_original_with_a_note() -> None:
    message = change("01A", 1, 1, "Bonjour à tous")
    french = Message(
        **{
            **message.__dict__,
            "language": "fr",
            "translation_status": "PARTIAL",
            "translations": (Translation("de", "Hallo zusammen"),),
        }
    )
    plain = Style(False)
    assert "Hallo zusammen" in message_line(french, plain, language="de")
    assert "[fr->de]" in message_line(french, plain, language="de")
    line = message_line(french, plain, language="en")
    assert "Bonjour à tous" in line and "no en translation (partial)" in line
    assert "note" not in message_line(french, plain, language="fr")


def test_a_cloud_of_equal_counts_is_drawn_medium_not_shouting() -> None:
    drawn = cloud(TagCloud("r", (TagCount("sun", 1), TagCount("rain", 1))), Style(False), 80)
    assert drawn == "sun(1)   rain(1)"
