"""`pchat analytics trends|top|by-tag|stats` against the in-memory API.

The fake computes each answer from the messages it holds (tests/unit/client/fake_api.py),
so these tests check what is sent (window, granularity, limits), what is shown, and that
bad arguments never reach the API.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pchat import ChatClient, Granularity
from pchat.errors import error_from_graphql

from tests.unit.client.fake_api import AUTHOR, FakeApi
from tests.unit.client.test_cli import Run

BOB = {"id": "u-bob", "username": "bob"}


@pytest.fixture
def run(tmp_path: Path, api: FakeApi) -> Run:
    for text, tags, at, author, sentiment in [
        ("Morning coffee with friends", ["coffee", "friends"], "2026-11-01T09:15:00.000Z",
         None, "POSITIVE"),
        ("Second coffee", ["coffee"], "2026-11-01T10:05:00.000Z", None, None),
        ("Coffee and cake", ["coffee", "cake"], "2026-11-03T12:00:00.000Z", BOB, "NEUTRAL"),
        ("Tea time", ["tea"], "2026-11-04T12:00:00.000Z", BOB, "POSITIVE"),
    ]:
        api.seed("room-1", text, tags=tags, created_at=at, author=author or AUTHOR,
                 sentiment=sentiment)
    api.seed("room-2", "Coffee elsewhere", tags=["coffee"], created_at="2026-11-02T08:00:00.000Z")
    runner = Run(tmp_path, api)
    runner.sign_in()
    return runner


NOV = ("--from", "2026-11-01", "--to", "2026-11-05")


def test_trends_sends_the_window_in_utc_and_draws_every_bucket(run: Run) -> None:
    assert run("analytics", "trends", "--tag", "coffee", *NOV) == 0, run.err
    assert run.api.calls_of("TagTrends") == [{
        "tag": "coffee", "granularity": "DAY",
        "from": "2026-11-01T00:00:00.000Z", "to": "2026-11-05T00:00:00.000Z"}]
    lines = run.out.splitlines()
    assert lines[0].startswith("#coffee in all rooms, per day (UTC)")
    assert lines[0].endswith(": 4 message(s)")
    assert [line.split()[:2] for line in lines[2:6]] == [
        ["2026-11-01", "2"], ["2026-11-02", "1"], ["2026-11-03", "1"], ["2026-11-04", "0"]]
    assert lines[2].endswith("█" * 40) and lines[3].endswith("█" * 20)
    assert "█▅▅▁" in lines


def test_trends_in_one_room_per_hour_without_colour_is_plain_ascii(run: Run) -> None:
    assert run("--no-color", "analytics", "trends", "--tag", "Coffee", "--room", "room-1",
               "--granularity", "hour", "--from", "2026-11-01T08:00:00Z",
               "--to", "2026-11-01T12:00:00+01:00") == 0, run.err
    call = run.api.calls_of("TagTrends")[0]
    assert (call["roomId"], call["granularity"], call["to"]) == (
        "room-1", "HOUR", "2026-11-01T11:00:00.000Z")
    assert run.out.isascii()
    rows = [line.split() for line in run.out.splitlines()[2:5]]
    assert rows == [["2026-11-01", "08:00", "0"], ["2026-11-01", "09:00", "1", "#" * 40],
                    ["2026-11-01", "10:00", "1", "#" * 40]]


def test_trends_without_granularity_is_hourly_up_to_two_days(run: Run) -> None:
    assert run("analytics", "trends", "--tag", "coffee", "--from", "36h") == 0, run.err
    assert run("analytics", "trends", "--tag", "coffee", "--from", "3d") == 0, run.err
    assert [c["granularity"] for c in run.api.calls_of("TagTrends")] == ["HOUR", "DAY"]


def test_the_default_window_is_the_last_seven_days(run: Run) -> None:
    before = datetime.now(UTC)
    assert run("analytics", "top") == 0, run.err
    after = datetime.now(UTC)
    call = run.api.calls_of("TopTags")[0]
    start = datetime.fromisoformat(call["from"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(call["to"].replace("Z", "+00:00"))
    assert end - start == timedelta(days=7)
    assert before - timedelta(seconds=1) <= end <= after + timedelta(seconds=1)


def test_trends_json_is_one_document(run: Run) -> None:
    assert run("--json", "analytics", "trends", "--tag", "coffee", *NOV) == 0
    (document,) = [json.loads(line) for line in run.out.splitlines()]
    assert document["tag"] == "coffee" and document["granularity"] == "DAY"
    assert document["total"] == 4 and document["window_from"] == "2026-11-01T00:00:00.000Z"
    assert [b["count"] for b in document["buckets"]] == [2, 1, 1, 0]


def test_top_ranks_tags_with_bars_and_json_lines(run: Run) -> None:
    assert run("analytics", "top", "--room", "room-1", "--limit", "3", *NOV) == 0, run.err
    assert run.api.calls_of("TopTags")[0]["limit"] == 3
    lines = run.out.splitlines()
    assert lines[0] == ("top tags in room room-1, 2026-11-01 to 2026-11-05 "
                        "(whole UTC days, the end excluded)")
    assert [line.split()[:3] for line in lines[2:]] == [
        ["1", "coffee", "3"], ["2", "cake", "1"], ["3", "friends", "1"]]
    assert lines[2].endswith("█" * 40)
    assert run("--json", "analytics", "top", *NOV) == 0
    assert [json.loads(line) for line in run.out.splitlines()][:2] == [
        {"rank": 1, "tag": "coffee", "count": 4}, {"rank": 2, "tag": "cake", "count": 1}]


def test_by_tag_lists_the_window_newest_first_and_pages_past_100(run: Run) -> None:
    assert run("analytics", "by-tag", "--tag", "coffee", "--room", "room-1",
               "--from", "2026-11-01T10:00:00Z", "--to", "2026-11-05") == 0, run.err
    rows = run.out.splitlines()[1:]
    assert [r.split("  ")[0] for r in rows] == ["2026-11-03 12:00:00", "2026-11-01 10:05:00"]
    assert "Coffee and cake" in rows[0] and "bob" in rows[0]
    call = run.api.calls_of("MessagesByTag")[0]
    assert (call["from"], call["to"], call["roomId"]) == (
        "2026-11-01T10:00:00.000Z", "2026-11-05T00:00:00.000Z", "room-1")
    for i in range(150):
        run.api.seed("room-3", f"note {i}", tags=["many"],
                     created_at=f"2026-11-02T{i // 60:02d}:{i % 60:02d}:00.000Z")
    assert run("--json", "analytics", "by-tag", "--tag", "many", "--limit", "120", *NOV) == 0
    assert len(run.out.splitlines()) == 120
    assert [c["limit"] for c in run.api.calls_of("MessagesByTag")[1:]] == [100, 20]
    assert "more than 120" in run.err and "pchat export --tag many" in run.err


def test_stats_show_the_room_activity(run: Run) -> None:
    run.api.rejected.append(("room-1", "2026-11-02T10:00:00.000Z"))
    assert run("analytics", "stats", "--room", "room-1", *NOV) == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "room room-1, 2026-11-01 to 2026-11-05 (whole UTC days)"
    figures = {" ".join(line.split()[:-1]): line.split()[-1] for line in lines[2:7]}
    assert figures == {"accepted": "4", "rejected": "1", "deleted": "0", "live": "4",
                       "active authors": "2"}
    assert any(line.split()[:3] == ["positive", "2", "50%"] for line in lines)
    assert run("--json", "analytics", "stats", "--room", "room-1", *NOV) == 0
    document = json.loads(run.out)
    assert document["accepted"] == 4 and document["sentiment"]["positive"] == 2
    assert document["sentiment"]["unscored"] == 1 and document["active_authors"] == 2


@pytest.mark.parametrize(("argv", "message"), [
    (["trends", "--tag", "coffee", "--from", "yesterday"], "--from: 'yesterday' is not a time"),
    (["trends", "--tag", "coffee", "--from", "2026-11-05", "--to", "2026-11-01"],
     "must be earlier than --to"),
    (["trends", "--tag", "coffee", "--granularity", "HOUR", "--from", "2026-10-01",
      "--to", "2026-11-01T00:00:01Z"], "touches 32 UTC days; a per-hour trend allows at most 31"),
    (["trends", "--tag", "coffee", "--from", "2025-01-01", "--to", "2026-01-02T00:00:01Z"],
     "touches 367 UTC days; a per-day trend allows at most 366"),
    (["trends", "--tag", "  ", *NOV], "--tag must not be empty"),
    (["top", "--from", "2026-08-01", "--to", "2026-11-01T00:00:01Z"],
     "touches 93 UTC days; top tags allows at most 92"),
    (["top", "--limit", "101"], "--limit must be between 1 and 100"),
    (["stats", "--room", "room-1", "--from", "100d"], "room statistics allows at most 92"),
    (["by-tag", "--tag", "coffee", "--limit", "0"], "--limit must be 1 or more"),
])
def test_bad_arguments_are_usage_errors_and_nothing_is_sent(
        run: Run, argv: list[str], message: str) -> None:
    assert run("analytics", *argv) == 2
    assert message in run.err and run.err.startswith("pchat: analytics ")
    assert [name for name, _ in run.api.calls] == []


def test_argparse_errors_exit_2(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    # argparse writes its usage to sys.stderr itself
    assert run("analytics") == 2 and "QUERY" in capsys.readouterr().err
    assert run("analytics", "trends", *NOV) == 2 and "--tag" in capsys.readouterr().err
    assert run("analytics", "stats") == 2 and "--room" in capsys.readouterr().err
    assert run("analytics", "trends", "--tag", "x", "--granularity", "WEEK") == 2
    assert "invalid choice: 'WEEK'" in capsys.readouterr().err
    assert run.api.calls == []


def test_a_server_limit_is_explained_with_the_option_to_change(run: Run) -> None:
    run.api.fail_next = [error_from_graphql([{
        "errorType": "ValidationError",
        "message": "topTags: the window holds more than 20000 tag counters, the most one "
                   "query reads; narrow from/to (or use the S3 export: docs/analytics.md)",
        "errorInfo": {"field": "from", "limit": 20000}}])]
    assert run("analytics", "top", *NOV) == 1
    assert "ValidationError: topTags: the window holds more than 20000" in run.err
    assert "the API's limit here is 20000: change --from/--to to stay within it" in run.err


def test_analysts_only_is_an_authorization_error(run: Run) -> None:
    run.api.fail_next = [error_from_graphql([{
        "errorType": "Unauthorized", "message": "Tag trends across rooms need the analysts "
                                                "group"}])]
    assert run("analytics", "trends", "--tag", "coffee", *NOV) == 3
    assert "Unauthorized: Tag trends across rooms need the analysts group" in run.err
    assert "give --room ROOM for one room" in run.err and "--auth iam" in run.err


async def test_the_library_sends_windows_as_aws_datetimes(client: ChatClient,
                                                          api: FakeApi) -> None:
    api.seed("r", "Coffee", tags=["coffee"], created_at="2026-11-01T09:00:00.000Z")
    start, end = datetime(2026, 11, 1), "2026-11-02T00:00:00+01:00"
    page = await client.messages_by_tag("coffee", from_=start, to=end)
    trend = await client.tag_trends("coffee", from_=start, to=end, granularity="HOUR")
    top = await client.top_tags(from_=start, to=end, room_id="r", limit=5)
    stats = await client.room_stats("r", from_=start, to=end)
    window = {"from": "2026-11-01T00:00:00.000Z", "to": "2026-11-01T23:00:00.000Z"}
    assert api.calls_of("MessagesByTag")[0] == {"tag": "coffee", **window}
    assert api.calls_of("TagTrends")[0] == {"tag": "coffee", "granularity": "HOUR", **window}
    assert api.calls_of("TopTags")[0] == {"roomId": "r", "limit": 5, **window}
    assert api.calls_of("RoomStats")[0] == {"roomId": "r", **window}
    assert [m.text for m in page.items] == ["Coffee"]
    assert trend.granularity is Granularity.HOUR and len(trend.buckets) == 23
    assert trend.buckets[9].count == 1 and trend.total == 1
    assert [(t.tag, t.count) for t in top] == [("coffee", 1)]
    assert (stats.accepted, stats.live, stats.sentiment.unscored) == (1, 1, 1)
    assert (stats.window_from, stats.window_to) == ("2026-11-01T00:00:00.000Z",
                                                    "2026-11-02T00:00:00.000Z")
    assert await client.messages_by_tag("coffee", from_="2026-11-01T09:00:00.001Z") == type(
        page)((), None)
