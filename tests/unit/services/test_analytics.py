"""AnalyticsService (tag trends, top tags, room statistics) and the time-bounded tag search,
on in-memory ports. Messages are posted through MessageService, so the counters are the
ones the write path keeps."""

from __future__ import annotations

import itertools

import pytest
from positive_chat.bootstrap import Nlp, Store, build_services
from positive_chat.domain import commands
from positive_chat.domain.analytics import MS_PER_DAY, MS_PER_HOUR, Granularity, SentimentCounts
from positive_chat.domain.errors import NotFoundError, UnauthorizedError, ValidationError
from positive_chat.domain.limits import Limits
from positive_chat.domain.model import TagCount, Visibility

from tests.fakes import CapitalisedTopics

from .conftest import ALICE, ANONYMOUS, BOB, CAROL_ANALYST, TOOL, World

D0 = 19_700 * MS_PER_DAY  # 2023-12-09T00:00Z


def at(day: int, hour: int = 0, minute: int = 0) -> int:
    return D0 + day * MS_PER_DAY + hour * MS_PER_HOUR + minute * 60_000


def _room(world: World, visibility: Visibility = Visibility.PUBLIC):
    return world.services.rooms.create(commands.CreateRoom(ALICE, "Lounge", visibility))


def _post(world: World, room_id: str, text: str, when: int, caller=ALICE):
    # The clock ticks once per post (the id, whose time is createdAt), and once more for a
    # rejection's timestamp.
    world.clock = itertools.count(when, 1)
    return world.services.messages.post(
        commands.PostMessage(caller, room_id, text, f"client-{when}-{len(text)}")
    )


def _trend(world: World, caller, tag, room_id, granularity, start, end):
    return world.services.analytics.tag_trend(caller, tag, room_id, granularity, start, end)


# ------------------------------------------------------------------------------ tag trends


def test_hourly_trend_has_every_bucket_of_the_widened_window(world):
    room = _room(world)
    _post(world, room.id, "Lovely Rome", at(0, 9, 15))
    _post(world, room.id, "Great Rome again", at(0, 9, 50))
    _post(world, room.id, "Rome at night", at(0, 12, 5))

    # When the window starts and ends inside hours
    trend = _trend(world, ALICE, "ROME", room.id, Granularity.HOUR, at(0, 8, 30), at(0, 12, 1))

    # Then it covers whole hours, 08:00 to 13:00, with zeros where nothing was posted
    assert (trend.window.start_ms, trend.window.end_ms) == (at(0, 8), at(0, 13))
    assert [(b.start_ms, b.count) for b in trend.buckets] == [
        (at(0, 8), 0),
        (at(0, 9), 2),
        (at(0, 10), 0),
        (at(0, 11), 0),
        (at(0, 12), 1),
    ]
    assert (trend.tag, trend.room_id, trend.total) == ("rome", room.id, 3)


def test_daily_trend_follows_edits_and_deletes(world):
    room = _room(world)
    first = _post(world, room.id, "Lovely Rome", at(0, 10)).message
    second = _post(world, room.id, "Great Rome", at(2, 10)).message
    _post(world, room.id, "Rome", at(2, 11))

    # When the first message loses the tag and the second is deleted, days later
    world.clock = itertools.count(at(5), 1)
    world.services.messages.edit(commands.EditMessage(ALICE, room.id, first.id, "Lovely Paris", 1))
    world.services.messages.delete(commands.DeleteMessage(ALICE, room.id, second.id, 1))

    trend = _trend(world, ALICE, "rome", room.id, Granularity.DAY, at(0), at(3))
    assert [b.count for b in trend.buckets] == [0, 0, 1]
    paris = _trend(world, ALICE, "paris", room.id, Granularity.DAY, at(0), at(1))
    assert [b.count for b in paris.buckets] == [1]  # counted on the day it was written


def test_trend_across_rooms_is_for_analysts_and_tools(world):
    a, b = _room(world), _room(world)
    _post(world, a.id, "Great Rome", at(0, 1))
    _post(world, b.id, "Lovely Rome", at(0, 2))

    for caller in (CAROL_ANALYST, TOOL):
        trend = _trend(world, caller, "rome", None, Granularity.DAY, at(0), at(1))
        assert (trend.room_id, trend.total) == (None, 2)
    with pytest.raises(UnauthorizedError, match="analysts"):
        _trend(world, BOB, "rome", None, Granularity.DAY, at(0), at(1))


def test_trend_windows_are_bounded(world):
    room = _room(world)
    ok = _trend(world, ALICE, "rome", room.id, Granularity.HOUR, at(0), at(31))
    assert len(ok.buckets) == 31 * 24
    with pytest.raises(ValidationError, match="at most 31 days") as caught:
        _trend(world, ALICE, "rome", room.id, Granularity.HOUR, at(0), at(31, 0, 1))
    assert caught.value.info == {"field": "from", "limit": 31}
    assert (
        len(_trend(world, ALICE, "rome", room.id, Granularity.DAY, at(0), at(366)).buckets) == 366
    )
    with pytest.raises(ValidationError, match="at most 366 days"):
        _trend(world, ALICE, "rome", room.id, Granularity.DAY, at(0), at(367))
    with pytest.raises(ValidationError, match="earlier"):
        _trend(world, ALICE, "rome", room.id, Granularity.DAY, at(2), at(1))
    with pytest.raises(ValidationError, match="tag"):
        _trend(world, ALICE, "!", room.id, Granularity.DAY, at(0), at(1))


def test_private_room_analytics_are_for_its_members(world):
    room = _room(world, Visibility.PRIVATE)
    _post(world, room.id, "Secret Rome", at(0, 1))
    assert _trend(world, ALICE, "rome", room.id, Granularity.DAY, at(0), at(1)).total == 1
    for outsider in (BOB, ANONYMOUS):
        with pytest.raises(UnauthorizedError):
            _trend(world, outsider, "rome", room.id, Granularity.DAY, at(0), at(1))
        with pytest.raises(UnauthorizedError):
            world.services.analytics.top_tags(outsider, room.id, at(0), at(1), None)
        with pytest.raises(UnauthorizedError):
            world.services.analytics.room_stats(outsider, room.id, at(0), at(1))
    with pytest.raises(NotFoundError):
        world.services.analytics.room_stats(ALICE, "no-such-room", at(0), at(1))


# ------------------------------------------------------------------------------ top tags


def test_top_tags_sum_whole_days_highest_first_ties_by_tag(world):
    room = _room(world)
    _post(world, room.id, "Rome Paris", at(0, 23, 59))
    _post(world, room.id, "Rome Oslo", at(1, 0, 1))
    _post(world, room.id, "Paris", at(1, 5))
    _post(world, room.id, "Lima", at(3, 5))  # outside the window

    # When asked for 10:00 on day 0 to 06:00 on day 1: whole days 0 and 1 are counted
    top = world.services.analytics.top_tags(ALICE, room.id, at(0, 10), at(1, 6), None)

    assert top == [TagCount("paris", 2), TagCount("rome", 2), TagCount("oslo", 1)]
    assert world.services.analytics.top_tags(ALICE, room.id, at(0), at(2), 1) == [
        TagCount("paris", 2)
    ]
    everywhere = world.services.analytics.top_tags(CAROL_ANALYST, None, at(0), at(4), 2)
    assert everywhere == [TagCount("paris", 2), TagCount("rome", 2)]
    with pytest.raises(UnauthorizedError):
        world.services.analytics.top_tags(ALICE, None, at(0), at(4), 2)


def test_top_tags_limits(world):
    room = _room(world)
    for bad in (0, 101):
        with pytest.raises(ValidationError, match="limit"):
            world.services.analytics.top_tags(ALICE, room.id, at(0), at(1), bad)
    with pytest.raises(ValidationError, match="at most 92 days"):
        world.services.analytics.top_tags(ALICE, room.id, at(0), at(92, 1), None)
    with pytest.raises(ValidationError, match="between 1970"):
        world.services.analytics.top_tags(ALICE, room.id, -1, at(1), None)


def test_a_window_holding_too_many_counters_is_refused_not_read_on():
    # Given a deployment whose read budget is 3 counters
    world = World()
    world.services = build_services(
        Store(*(world.store,) * 6),
        Nlp(world.detector, world.sentiment, CapitalisedTopics(), world.translator),
        limits=Limits(analytics_items_max=3),
        clock_ms=lambda: next(world.clock),
    )
    room = _room(world)
    _post(world, room.id, "Rome Paris", at(0, 1))
    _post(world, room.id, "Oslo Lima", at(1, 1))

    assert len(world.services.analytics.top_tags(ALICE, room.id, at(0), at(1), None)) == 2
    with pytest.raises(ValidationError, match="more than 3 tag counters") as caught:
        world.services.analytics.top_tags(ALICE, room.id, at(0), at(2), None)
    assert caught.value.info == {"field": "from", "limit": 3}


# ------------------------------------------------------------------------------ room stats


def test_room_stats_from_posts_edits_deletes_and_rejections(world):
    room = _room(world)
    world.services.rooms.join(commands.JoinRoom(BOB, room.id))
    loved = _post(world, room.id, "I love Rome", at(0, 8)).message
    plain = _post(world, room.id, "Rome is a city", at(0, 9), caller=BOB).message
    _post(world, room.id, "I hate you, idiot", at(0, 10), caller=BOB)  # rejected
    _post(world, room.id, "Great day", at(2, 10))
    _post(world, room.id, "Great news", at(5, 10), caller=BOB)  # outside the window

    # When Bob's neutral message becomes positive and Alice deletes her first one
    world.clock = itertools.count(at(3), 1)
    world.services.messages.edit(
        commands.EditMessage(BOB, room.id, plain.id, "Rome is a great city", 1)
    )
    world.services.messages.delete(commands.DeleteMessage(ALICE, room.id, loved.id, 1))

    stats = world.services.analytics.room_stats(BOB, room.id, at(0, 12), at(2, 12))

    assert (stats.window.start_ms, stats.window.end_ms) == (at(0), at(3))
    assert (stats.accepted, stats.rejected, stats.deleted) == (3, 1, 1)
    assert stats.sentiment == SentimentCounts(positive=2)
    assert stats.active_authors == 2
    with pytest.raises(ValidationError, match="at most 92 days"):
        world.services.analytics.room_stats(BOB, room.id, at(0), at(93))


# ------------------------------------------------------------------------------ search by time


def test_messages_by_tag_in_a_window(world):
    room = _room(world)
    posted = [_post(world, room.id, f"Rome {i}", at(i, 12)).message.id for i in range(4)]

    def search(caller, room_id, start, end):
        page = world.services.messages.by_tag(
            caller, "rome", room_id, None, None, from_ms=start, to_ms=end
        )
        return [m.id for m in page.items]

    assert search(ALICE, room.id, at(1, 12), at(3, 12)) == [posted[2], posted[1]]
    assert search(TOOL, None, at(2), None) == [posted[3], posted[2]]
    assert search(CAROL_ANALYST, None, None, at(1)) == [posted[0]]
    with pytest.raises(ValidationError, match="earlier"):
        search(ALICE, room.id, at(3), at(3))
    with pytest.raises(UnauthorizedError, match="analysts"):
        search(BOB, None, at(0), at(1))
    with pytest.raises(ValidationError, match="between 1970"):
        search(ALICE, room.id, None, 0)  # [.., epoch) would be empty: refused, not guessed
