"""Times as people write them and as the API wants them; the analytics charts and tables."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pchat import Granularity, RoomStats, SentimentCounts, TagCount, TagTrend, TrendBucket
from pchat._cli_analytics import Window
from pchat._render import Style, bar, room_stats, sparkline, top_tags, trend, unicode_ok
from pchat._time import aws_datetime, parse_datetime, parse_time_spec
from positive_chat.domain.analytics import MS_PER_DAY, MS_PER_HOUR
from positive_chat.domain.analytics import Window as ServerWindow

NOW = datetime(2026, 11, 8, 15, 30, 12, 345678, tzinfo=UTC)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T10:00:00Z", datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("2026-11-01T10:00Z", datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("2026-11-01T10:00:00", datetime(2026, 11, 1, 10, tzinfo=UTC)),  # no offset: UTC
        ("2026-11-01 10:00:00.250Z", datetime(2026, 11, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2026-11-01T12:00:00+02:00", datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("2026-11-01T05:30:00-0430", datetime(2026, 11, 1, 10, tzinfo=UTC)),
        ("7d", NOW - timedelta(days=7)),
        ("24h", NOW - timedelta(hours=24)),
        ("90m", NOW - timedelta(minutes=90)),
        ("2w", NOW - timedelta(weeks=2)),
        ("7D", NOW - timedelta(days=7)),
        ("now", NOW),
        (" 0d ", NOW),
    ],
)
def test_time_specs(spec: str, expected: datetime) -> None:
    assert parse_time_spec(spec, now=NOW) == expected


@pytest.mark.parametrize(
    "spec",
    ["yesterday", "7", "d7", "-7d", "7y", "2026-13-01", "2026-11-01T25:00Z", "11/01/2026",
     "2026-11-01T10:00:00Zjunk", "", "1969-12-31T23:59:59Z", "999999w"],
)
def test_what_is_not_a_time_is_refused_with_the_accepted_forms(spec: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_time_spec(spec, now=NOW)
    assert spec.strip() == "" or repr(spec) in str(error.value)


def test_the_api_gets_utc_milliseconds_and_z() -> None:
    assert aws_datetime(NOW) == "2026-11-08T15:30:12.345Z"
    assert aws_datetime(datetime(2026, 11, 1, 10)) == "2026-11-01T10:00:00.000Z"  # naive: UTC
    paris = timezone(timedelta(hours=1))
    assert aws_datetime(datetime(2026, 11, 1, 11, tzinfo=paris)) == "2026-11-01T10:00:00.000Z"
    assert aws_datetime("2026-11-01T12:00:00+02:00") == "2026-11-01T10:00:00.000Z"
    assert aws_datetime("2026-11-01") == "2026-11-01T00:00:00.000Z"
    assert parse_datetime("2026-11-01T10:00:00.000Z") == datetime(2026, 11, 1, 10, tzinfo=UTC)


EPOCH_MS = st.integers(min_value=0, max_value=4_102_444_800_000)  # 1970 .. 2100


@given(EPOCH_MS, st.integers(min_value=1, max_value=400 * MS_PER_DAY),
       st.sampled_from([MS_PER_HOUR, MS_PER_DAY]))
def test_the_local_window_check_counts_days_exactly_as_the_server(
        start_ms: int, length_ms: int, bucket_ms: int) -> None:
    def at(ms: int) -> datetime:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)

    local = Window(at(start_ms), at(start_ms + length_ms))
    server = ServerWindow.aligned(start_ms, start_ms + length_ms, bucket_ms)
    assert local.days_touched(timedelta(milliseconds=bucket_ms)) == server.days
    wide = local.widened(timedelta(milliseconds=bucket_ms))
    assert (wide.start, wide.end) == (at(server.start_ms), at(server.end_ms))


def test_bars_grow_in_eighths_and_never_hide_a_small_count() -> None:
    assert bar(8, 8, 5, unicode=True) == "█████"
    assert bar(4, 8, 5, unicode=True) == "██▌"
    assert bar(1, 1000, 5, unicode=True) == "▏"
    assert bar(0, 8, 5, unicode=True) == ""
    assert bar(4, 8, 10, unicode=False) == "#####"
    assert bar(1, 1000, 10, unicode=False) == "#"


def test_sparklines_mark_zero_lowest_and_group_long_series() -> None:
    assert sparkline([0, 1, 2, 4, 8], unicode=True) == ("▁▂▃▅█", 1)  # ceil(7 v / peak)
    assert sparkline([0, 1, 8], unicode=False) == (".:#", 1)
    line, per = sparkline([1] * 100 + [0] * 100, unicode=True, width=50)
    assert per == 4 and line == "█" * 25 + "▁" * 25
    assert sparkline([], unicode=True) == ("", 1)


class Encoded(io.StringIO):
    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def test_block_characters_only_where_the_output_can_encode_them() -> None:
    assert unicode_ok(Encoded("utf-8")) and unicode_ok(Encoded("UTF8"))
    assert not unicode_ok(Encoded("ascii")) and not unicode_ok(Encoded("latin-1"))
    assert not unicode_ok(Encoded("no-such-codec"))
    assert unicode_ok(io.StringIO())  # holds str: anything goes


TREND = TagTrend(
    tag="coffee", room_id=None, granularity=Granularity.DAY,
    window_from="2026-11-01T00:00:00.000Z", window_to="2026-11-04T00:00:00.000Z",
    buckets=(TrendBucket("2026-11-01T00:00:00.000Z", 4),
             TrendBucket("2026-11-02T00:00:00.000Z", 0),
             TrendBucket("2026-11-03T00:00:00.000Z", 2)),
    total=6)


def test_a_trend_is_a_table_of_buckets_with_bars_and_a_sparkline() -> None:
    drawn = trend(TREND, Style(False), unicode=True, width=80).splitlines()
    assert drawn[0] == ("#coffee in all rooms, per day (UTC), 2026-11-01 00:00 to "
                        "2026-11-04 00:00: 6 message(s)")
    assert drawn[1].split() == ["day", "count"]
    assert drawn[2] == "2026-11-01  4      " + "█" * 40
    assert drawn[3] == "2026-11-02  0"
    assert drawn[4] == "2026-11-03  2      " + "█" * 20
    assert drawn[-2:] == ["█▁▅", "peak 4 per day"]
    ascii_only = trend(TREND, Style(False), unicode=False, width=80)
    assert ascii_only.isascii() and "#" * 40 in ascii_only and "\n#.=\n" in ascii_only


def test_an_hourly_trend_labels_hours_and_an_empty_one_says_so() -> None:
    hourly = TagTrend("tea", "room-1", Granularity.HOUR, "2026-11-01T10:00:00.000Z",
                      "2026-11-01T12:00:00.000Z",
                      (TrendBucket("2026-11-01T10:00:00.000Z", 0),
                       TrendBucket("2026-11-01T11:00:00.000Z", 0)), 0)
    drawn = trend(hourly, Style(False), unicode=True, width=80).splitlines()
    assert "in room room-1, per hour" in drawn[0]
    assert drawn[2] == "2026-11-01 10:00  0"
    assert drawn[-2:] == ["▁▁", "no messages"]


def test_colour_only_wraps_the_text_it_styles() -> None:
    drawn = trend(TREND, Style(True), unicode=True, width=80)
    assert "\033[1;35m#coffee\033[0m" in drawn and "\033[36m" + "█" * 40 + "\033[0m" in drawn


def test_top_tags_rank_with_bars_relative_to_the_first() -> None:
    drawn = top_tags((TagCount("coffee", 10), TagCount("tea", 5)), Style(False),
                     unicode=False, width=80).splitlines()
    assert drawn[0].split() == ["rank", "tag", "count"]
    assert drawn[1] == "1     coffee  10     " + "#" * 40
    assert drawn[2] == "2     tea     5      " + "#" * 20
    assert top_tags((), Style(False), unicode=True).endswith("(none)")


def test_room_stats_show_figures_and_the_sentiment_shares() -> None:
    stats = RoomStats("room-1", "2026-11-01T00:00:00.000Z", "2026-11-08T00:00:00.000Z",
                      accepted=10, rejected=2, deleted=2,
                      sentiment=SentimentCounts(positive=6, neutral=2), active_authors=3)
    drawn = room_stats(stats, Style(False), unicode=False)
    lines = drawn.splitlines()
    assert lines[0] == "room room-1, 2026-11-01 to 2026-11-08 (whole UTC days)"
    assert "live            8" in lines and "active authors  3" in lines
    assert "positive          6      75%    " + "#" * 22 in lines  # 6/8 of 30 cells
    assert "negative          0      0%" in lines
