"""The analytics side of the store contract (AnalyticsRepository, time-bounded tag search),
run against every backend like test_store_contract.py, whose helpers it reuses.

Counters are keyed by the message's creation day and hour (UTC) and move in the same write
as the message: a post counts, an edit moves tags and sentiment, a delete un-counts the
tags and the sentiment and counts a deletion, a retry counts nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import pytest
from positive_chat.bootstrap import Store
from positive_chat.domain.analytics import (
    MS_PER_DAY,
    MS_PER_HOUR,
    RoomDay,
    SentimentBucket,
    SentimentCounts,
    TagDay,
    epoch_day,
)
from positive_chat.domain.errors import InvalidPageTokenError
from positive_chat.domain.model import ModerationStatus, Sentiment, SentimentLabel
from positive_chat.ports import TagChange

from .conftest import Backend
from .test_store_contract import (
    ALICE,
    BOB,
    CAROL,
    POSITIVE,
    Ids,
    create,
    delete,
    drain,
    edit,
    flat,
    msg,
    room,
)

DAY0 = epoch_day(1_700_000_000_000)  # 2023-11-14
D0 = DAY0 * MS_PER_DAY  # midnight UTC
NEUTRAL = Sentiment(SentimentLabel.NEUTRAL, 0.1, 0.1, 0.8, 0.0)
GLUM = Sentiment(SentimentLabel.NEGATIVE, 0.05, 0.55, 0.4, 0.0)  # below the gate's threshold


@pytest.fixture
def ids() -> Ids:
    return Ids()


def at(day: int, hour: int, minute: int = 0) -> int:
    return D0 + day * MS_PER_DAY + hour * MS_PER_HOUR + minute * 60_000


def hours(**counts: int) -> tuple[int, ...]:
    """24 hourly counts from h09=2-style keywords."""
    values = [0] * 24
    for name, n in counts.items():
        values[int(name[1:])] = n
    return tuple(values)


def by_day(rows: Iterable[TagDay]) -> dict[tuple[int, str], tuple[int, tuple[int, ...]]]:
    return {(r.day - DAY0, r.tag): (r.count, r.hours) for r in rows}


# ------------------------------------------------------------------------------ tag counters


def test_tag_counters_follow_posts_edits_and_deletes_per_day_and_hour(
    store: Store, ids: Ids
) -> None:
    # Given posts on two days in two rooms
    r1, r2 = create(store, room(ids)), create(store, room(ids, owner=BOB))
    a = store.messages.add_message(msg(ids, r1.id, tags=("roses", "sun"), at=at(0, 9, 5)))
    b = store.messages.add_message(msg(ids, r1.id, tags=("roses",), at=at(0, 9, 40)))
    c = store.messages.add_message(msg(ids, r1.id, tags=("rain",), at=at(1, 23, 59)))
    store.messages.add_message(msg(ids, r2.id, author=BOB, tags=("roses",), at=at(1, 0, 0)))

    # When b is edited (roses -> tulips) two days later, and a is deleted
    store.messages.replace_message(
        edit(b, at(3, 12), tags=("tulips",)),
        1,
        TagChange(frozenset({"tulips"}), frozenset({"roses"})),
        0,
        POSITIVE,
    )
    delete(store, a, at(4, 0))

    # Then the counters stay on the creation day and hour of each message
    a_stats = store.analytics
    assert by_day(a_stats.tag_days("roses", r1.id, DAY0, DAY0 + 6)) == {(0, "roses"): (0, hours())}
    assert by_day(a_stats.tag_days("tulips", r1.id, DAY0, DAY0 + 6)) == {
        (0, "tulips"): (1, hours(h09=1))
    }
    assert by_day(a_stats.tag_days("rain", r1.id, DAY0, DAY0 + 6)) == {
        (1, "rain"): (1, hours(h23=1))
    }
    # ...and across rooms they add up
    assert by_day(a_stats.tag_days("roses", None, DAY0, DAY0 + 6)) == {
        (0, "roses"): (0, hours()),
        (1, "roses"): (1, hours(h00=1)),
    }
    # ...and the window bounds are inclusive days
    assert a_stats.tag_days("rain", r1.id, DAY0, DAY0) == []
    assert a_stats.tag_days("nothing", None, DAY0, DAY0 + 6) == []
    window = a_stats.tag_days_in_window(r1.id, DAY0, DAY0 + 1, 100)
    assert window.complete
    assert {k: v[0] for k, v in by_day(window.items).items() if v[0]} == {
        (0, "tulips"): 1,
        (1, "rain"): 1,
    }
    assert c.tags == ("rain",)


def test_counters_ignore_retries(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    first = store.messages.add_message(msg(ids, r.id, tags=("roses",), client_id="same-0001"))
    store.messages.add_message(msg(ids, r.id, tags=("roses",), client_id="same-0001"))

    (row,) = store.analytics.tag_days("roses", r.id, DAY0, DAY0 + 1)
    assert row.count == 1
    (day,) = store.analytics.room_days(r.id, DAY0, DAY0 + 1)
    assert (day.accepted, day.sentiment.positive) == (1, 1)
    assert store.analytics.active_authors(r.id, DAY0, DAY0, 10).items == [first.author.id]


def test_tag_days_in_window_reads_at_most_the_budget(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    for day in range(3):
        store.messages.add_message(msg(ids, r.id, tags=("a1", "b2"), at=at(day, 10)))

    capped = store.analytics.tag_days_in_window(r.id, DAY0, DAY0 + 2, 4)
    exact = store.analytics.tag_days_in_window(r.id, DAY0, DAY0 + 2, 6)
    everywhere = store.analytics.tag_days_in_window(None, DAY0 + 1, DAY0 + 1, 6)

    assert (len(capped.items), capped.complete) == (4, False)
    assert (len(exact.items), exact.complete) == (6, True)
    assert sorted((r.tag, r.count) for r in everywhere.items) == [("a1", 1), ("b2", 1)]


# ------------------------------------------------------------------------------ room counters


def test_room_days_count_accepted_rejected_deleted_and_live_sentiment(
    store: Store, ids: Ids
) -> None:
    r = create(store, room(ids))
    happy = store.messages.add_message(msg(ids, r.id, at=at(0, 8)))
    plain = store.messages.add_message(
        dataclasses.replace(msg(ids, r.id, at=at(0, 9)), sentiment=NEUTRAL)
    )
    store.messages.add_message(
        dataclasses.replace(
            msg(ids, r.id, at=at(0, 10)), sentiment=None, moderation=ModerationStatus.UNSCORED
        )
    )
    store.messages.add_message(dataclasses.replace(msg(ids, r.id, at=at(1, 10)), sentiment=GLUM))
    store.stats.record_rejection(r.id, BOB, at(0, 11))
    store.stats.record_rejection(r.id, BOB, at(2, 11))

    # When the neutral message is edited into a happy one and the first happy one deleted
    store.messages.replace_message(
        dataclasses.replace(
            edit(plain, at(2, 9)), sentiment=Sentiment(SentimentLabel.POSITIVE, 0.9, 0.0, 0.1, 0.0)
        ),
        1,
        TagChange(frozenset(), frozenset()),
        3,
        SentimentBucket.NEUTRAL,
    )
    delete(store, happy, at(3, 0))

    rows = {d.day - DAY0: d for d in store.analytics.room_days(r.id, DAY0, DAY0 + 5)}
    assert rows[0] == RoomDay(
        DAY0, accepted=3, rejected=1, deleted=1, sentiment=SentimentCounts(positive=1, unscored=1)
    )
    assert rows[1] == RoomDay(DAY0 + 1, accepted=1, sentiment=SentimentCounts(negative=1))
    assert rows[2] == RoomDay(DAY0 + 2, rejected=1)
    assert set(rows) == {0, 1, 2}
    assert [d.day - DAY0 for d in store.analytics.room_days(r.id, DAY0 + 1, DAY0 + 1)] == [1]
    assert store.analytics.room_days("quiet-room", DAY0, DAY0 + 5) == []


def test_active_authors_are_one_entry_per_author_and_day(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    for author, day in ((ALICE, 0), (ALICE, 0), (BOB, 0), (ALICE, 1), (CAROL, 2)):
        store.messages.add_message(msg(ids, r.id, author=author, at=at(day, 12)))
    gone = store.messages.add_message(msg(ids, r.id, author=CAROL, at=at(3, 12)))
    delete(store, gone, at(3, 13))  # activity stays: the post happened

    everyone = store.analytics.active_authors(r.id, DAY0, DAY0 + 3, 100)
    capped = store.analytics.active_authors(r.id, DAY0, DAY0 + 3, 3)

    assert everyone.complete
    assert sorted(everyone.items) == sorted([ALICE.id, BOB.id, ALICE.id, CAROL.id, CAROL.id])
    assert (len(capped.items), capped.complete) == (3, False)
    assert sorted(store.analytics.active_authors(r.id, DAY0 + 1, DAY0 + 2, 10).items) == sorted(
        [ALICE.id, CAROL.id]
    )


# ------------------------------------------------------------------------------ search by time


def test_messages_by_tag_in_a_time_window(store: Store, ids: Ids) -> None:
    r1, r2 = create(store, room(ids)), create(store, room(ids))
    posted = [
        store.messages.add_message(msg(ids, r.id, tags=("roses",), at=at(day, 6)))
        for day, r in ((0, r1), (1, r2), (2, r1), (3, r2), (4, r1))
    ]

    def window(room_id: str | None, start: int | None, end: int | None) -> list[str]:
        return flat(
            drain(
                lambda lim, tok: store.messages.list_messages_for_tag(
                    "roses", room_id, lim, tok, from_ms=start, to_ms=end
                ),
                1,
            )
        )

    ids_ = [m.id for m in posted]
    # [from, to): the start is inclusive to the millisecond, the end exclusive
    assert window(None, at(1, 6), at(4, 6)) == [ids_[3], ids_[2], ids_[1]]
    assert window(None, at(1, 6) + 1, at(4, 6) + 1) == [ids_[4], ids_[3], ids_[2]]
    assert window(r1.id, at(1, 0), None) == [ids_[4], ids_[2]]
    assert window(r2.id, None, at(3, 6)) == [ids_[1]]
    assert window(None, at(5, 0), at(6, 0)) == []


def test_a_page_token_only_works_for_its_window(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    for day in range(4):
        store.messages.add_message(msg(ids, r.id, tags=("roses",), at=at(day, 6)))
    early = store.messages.list_messages_for_tag(
        "roses", r.id, 1, None, from_ms=at(0, 0), to_ms=at(2, 0)
    )
    assert early.next_token is not None

    # A token pointing before the window of another query is refused, not sent to DynamoDB
    with pytest.raises(InvalidPageTokenError):
        store.messages.list_messages_for_tag(
            "roses", r.id, 1, early.next_token, from_ms=at(2, 0), to_ms=at(4, 0)
        )
    rest = store.messages.list_messages_for_tag(
        "roses", r.id, 1, early.next_token, from_ms=at(0, 0), to_ms=at(2, 0)
    )
    assert len(rest.items) == 1 and rest.next_token is None


# ------------------------------------------------------------------------------ DynamoDB items


def test_biggest_edit_fits_in_one_transaction(dynamo: Backend, ids: Ids) -> None:
    # An edit swapping all 10 tags and changing the sentiment: 84 items (limit 100)
    store = dynamo.store
    r = create(store, room(ids))
    old_tags = tuple(f"old{i}" for i in range(10))
    new_tags = tuple(f"new{i}" for i in range(10))
    m = store.messages.add_message(msg(ids, r.id, tags=old_tags, points=3, at=at(0, 1)))

    store.messages.replace_message(
        dataclasses.replace(edit(m, at(0, 2), tags=new_tags), sentiment=NEUTRAL, points=0),
        1,
        TagChange(frozenset(new_tags), frozenset(old_tags)),
        -3,
        POSITIVE,
    )

    window = store.analytics.tag_days_in_window(r.id, DAY0, DAY0, 100).items
    assert {t.tag: t.count for t in window} == {
        **dict.fromkeys(old_tags, 0),
        **dict.fromkeys(new_tags, 1),
    }
    (day,) = store.analytics.room_days(r.id, DAY0, DAY0)
    assert day.sentiment == SentimentCounts(neutral=1)


def test_counter_items_carry_their_entity_and_trend_keys(dynamo: Backend, ids: Ids) -> None:
    r = create(dynamo.store, room(ids))
    dynamo.store.messages.add_message(msg(ids, r.id, tags=("roses",), at=at(0, 7)))
    day = "2023-11-14"

    got = dynamo.client.get_item(
        TableName=dynamo.table,
        Key={"pk": {"S": f"ROOM#{r.id}#TAGDAYS"}, "sk": {"S": f"{day}#roses"}},
    )["Item"]
    overall = dynamo.client.get_item(
        TableName=dynamo.table, Key={"pk": {"S": "TAGDAYS"}, "sk": {"S": f"{day}#roses"}}
    )["Item"]

    assert (got["entity"]["S"], got["count"]["N"], got["h07"]["N"]) == ("TAG_DAY", "1", "1")
    assert (got["gsi1pk"]["S"], got["gsi1sk"]["S"]) == (f"ROOM#{r.id}#TREND#roses", day)
    assert (overall["gsi1pk"]["S"], "roomId" in overall) == ("TREND#roses", False)
