"""Every analytics query over a seeded volume, compared with the brute-force truth.

Each check runs its query for every scope (all rooms, the busiest room, a private room, or
every room), several windows (the whole period, the last week, one whose ends fall inside
hours, one before any data) and several tags (the most used, some rarer, one never used),
and collects every mismatch before failing, so one run shows them all.
"""

from __future__ import annotations

import random
from typing import Any

from positive_chat.domain.analytics import Granularity
from positive_chat.domain.model import Caller, CallerKind

from ._truth import DAY, HOUR

# IAM: what tools and analysts' exports use; it may read every room, private ones included.
TOOL = Caller(CallerKind.IAM, username="arn:aws:iam::000000000000:user/analytics-tests")
PAGE = 100


def windows(volume: Any) -> dict[str, tuple[int, int]]:
    start, end = volume.plan.config.start_ms, volume.plan.config.end_ms
    return {
        "all": (start, end),
        "last7d": (end - 7 * DAY, end),
        "odd": (
            start + 10 * DAY + 3 * HOUR + 17 * 60_000 + 5_123,
            start + 12 * DAY + 20 * HOUR + 1,
        ),
        "before": (start - 5 * DAY, start),
    }


def tags(volume: Any) -> list[str]:
    ranked = volume.truth.tags_by_popularity()
    rng = random.Random(volume.plan.config.seed)
    return ranked[:5] + rng.sample(ranked[5:], 3) + ["never used tag"]


def scopes(volume: Any) -> list[str | None]:
    rooms = volume.plan.rooms
    private = next(r.id for r in rooms if not r.is_public)
    return [None, rooms[0].id, private]


def _fail(mismatches: list[str]) -> None:
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:20])


def check_messages_by_tag(volume: Any) -> None:
    wrong: list[str] = []
    spans: dict[str, tuple[int | None, int | None]] = {
        "none": (None, None),
        **{k: v for k, v in windows(volume).items() if k != "all"},
    }
    for tag in tags(volume):
        for room_id in scopes(volume):
            for name, (start, end) in spans.items():
                got = _drain(volume, tag, room_id, start, end, PAGE)
                if got != volume.truth.messages_by_tag(tag, room_id, start, end):
                    wrong.append(f"messagesByTag {tag!r} room={room_id} window={name}")
    # Small pages exercise the tokens across a window.
    top, busiest = tags(volume)[0], volume.plan.rooms[0].id
    start, end = windows(volume)["last7d"]
    if _drain(volume, top, busiest, start, end, 7) != volume.truth.messages_by_tag(
        top, busiest, start, end
    ):
        wrong.append(f"messagesByTag {top!r} room={busiest} last7d, pages of 7")
    _fail(wrong)


def _drain(
    volume: Any, tag: str, room_id: str | None, start: int | None, end: int | None, size: int
) -> list[str]:
    found: list[str] = []
    token = None
    for page_number in range(10_000):
        page = volume.meter.timed(
            "messagesByTag",
            lambda token=token: volume.services.messages.by_tag(
                TOOL, tag, room_id, size, token, from_ms=start, to_ms=end
            ),
            tag=tag,
            roomId=room_id,
            window=[start, end],
            limit=size,
            page=page_number,
        )
        found += [m.id for m in page.items]
        token = page.next_token
        if token is None:
            return found
    raise AssertionError("pagination does not end")


def check_tag_trends(volume: Any) -> None:
    wrong: list[str] = []
    spans = windows(volume)
    plans = [
        (Granularity.DAY, "all"),
        (Granularity.DAY, "odd"),
        (Granularity.HOUR, "last7d"),
        (Granularity.HOUR, "odd"),
        (Granularity.HOUR, "before"),
    ]
    for tag in tags(volume):
        for room_id in scopes(volume):
            for granularity, name in plans:
                start, end = spans[name]
                trend = volume.meter.timed(
                    "tagTrends",
                    lambda: volume.services.analytics.tag_trend(
                        TOOL, tag, room_id, granularity, start, end
                    ),
                    tag=tag,
                    roomId=room_id,
                    granularity=granularity.value,
                    window=name,
                )
                step = HOUR if granularity is Granularity.HOUR else DAY
                first, last, buckets = volume.truth.tag_trend(tag, room_id, step, start, end)
                got = [(b.start_ms, b.count) for b in trend.buckets]
                window = (trend.window.start_ms, trend.window.end_ms)
                if (
                    got != buckets
                    or window != (first, last)
                    or trend.total != sum(n for _, n in buckets)
                ):
                    wrong.append(f"tagTrends {tag!r} room={room_id} {granularity} {name}")
    _fail(wrong)


def check_top_tags(volume: Any) -> None:
    wrong: list[str] = []
    rooms: list[str | None] = [None, *(r.id for r in volume.plan.rooms)]
    for room_id in rooms:
        for name, (start, end) in windows(volume).items():
            for limit in (10, 100):
                got = volume.meter.timed(
                    "topTags",
                    lambda: volume.services.analytics.top_tags(TOOL, room_id, start, end, limit),
                    roomId=room_id,
                    window=name,
                    limit=limit,
                )
                expected = volume.truth.top_tags(room_id, start, end, limit)
                if [(t.tag, t.count) for t in got] != expected:
                    wrong.append(f"topTags room={room_id} window={name} limit={limit}")
    _fail(wrong)


def check_room_stats(volume: Any) -> None:
    wrong: list[str] = []
    for room in volume.plan.rooms:
        for name, (start, end) in windows(volume).items():
            got = volume.meter.timed(
                "roomStats",
                lambda: volume.services.analytics.room_stats(TOOL, room.id, start, end),
                roomId=room.id,
                window=name,
            )
            want = volume.truth.room_stats(room.id, start, end)
            s = got.sentiment
            actual = (
                (got.window.start_ms, got.window.end_ms),
                (got.accepted, got.rejected, got.deleted, got.active_authors),
                dict(
                    positive=s.positive,
                    negative=s.negative,
                    neutral=s.neutral,
                    mixed=s.mixed,
                    unscored=s.unscored,
                ),
            )
            expected = (
                (want.start, want.end),
                (want.accepted, want.rejected, want.deleted, want.active_authors),
                want.sentiment,
            )
            if actual != expected:
                wrong.append(f"roomStats {room.id} {name}: {actual} != {expected}")
    _fail(wrong)


CHECKS = {
    "messagesByTag": check_messages_by_tag,
    "tagTrends": check_tag_trends,
    "topTags": check_top_tags,
    "roomStats": check_room_stats,
}
