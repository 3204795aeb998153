"""Transaction items that keep the analytics counters, written with the message they count.

They join the message's own transaction (``_message_writes``), so a counter can never
disagree with the messages: a post that fails or is a retry changes no counter. Counters are
keyed by the message's creation day (UTC) and, for tags, its hour, whatever the time of the
edit or delete that moves them. Per message write this adds:

* post: 2 per tag (the room's and the all-rooms tag-day counter) + the room's day counter +
  the author's day entry = 2·tags + 2 (at most 22);
* edit: 2 per changed tag + the room's day counter when the sentiment changed (at most 41);
* delete: 2 per tag + the room's day counter (at most 21);
* rejection: the room's day counter (1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...domain.analytics import SentimentBucket, epoch_day, hour_of_day, sentiment_bucket
from ...domain.model import Message
from . import codec
from . import keys as k
from ._update_ops import Op, update_op

ACCEPTED, REJECTED, DELETED, COUNT, MESSAGES = "accepted", "rejected", "deleted", "count", "messages"


def sentiment_attribute(bucket: SentimentBucket) -> str:
    return bucket.value.lower()


def tag_days(table: str, msg: Message, tags: Iterable[str], delta: int) -> list[Op]:
    """Per tag, the room's and the all-rooms counter of the message's creation day: the day
    total and the hour's count move together (tagTrends reads either)."""
    day = epoch_day(msg.created_at_ms)
    adds = {COUNT: delta, k.hour_attribute(hour_of_day(msg.created_at_ms)): delta}
    ops: list[Op] = []
    for tag in sorted(set(tags)):
        for room_id in (msg.room_id, None):
            sets: dict[str, Any] = {
                "entity": codec.TAG_DAY,
                "tag": tag,
                "day": k.day_key(day),
                # gsi1 orders one tag's counters by day: a trend is one Query.
                k.GSI1_PK: k.trend_gsi1pk(room_id, tag),
                k.GSI1_SK: k.day_key(day),
            }
            if room_id is not None:
                sets["roomId"] = room_id
            ops.append(
                update_op(table, k.tag_days_pk(room_id), k.tag_day_sk(day, tag), sets, adds)
            )
    return ops


def room_day(table: str, room_id: str, day: int, adds: Mapping[str, int]) -> list[Op]:
    """The room's counter of one day; nothing when every delta is 0."""
    moved = {name: delta for name, delta in adds.items() if delta}
    if not moved:
        return []
    sets = {"entity": codec.ROOM_DAY, "roomId": room_id, "day": k.day_key(day)}
    return [update_op(table, k.room_days_pk(room_id), k.day_key(day), sets, moved)]


def author_day(table: str, msg: Message) -> Op:
    """The author was active on the message's day (distinct authors = distinct entries)."""
    day = epoch_day(msg.created_at_ms)
    sets = {
        "entity": codec.AUTHOR_DAY,
        "roomId": msg.room_id,
        "userId": msg.author.id,
        "day": k.day_key(day),
    }
    return update_op(
        table, k.authors_pk(msg.room_id), k.author_day_sk(day, msg.author.id), sets, {MESSAGES: 1}
    )


def posted(table: str, msg: Message) -> list[Op]:
    bucket = sentiment_attribute(sentiment_bucket(msg.sentiment))
    return [
        *tag_days(table, msg, msg.tags, +1),
        *room_day(table, msg.room_id, epoch_day(msg.created_at_ms), {ACCEPTED: 1, bucket: 1}),
        author_day(table, msg),
    ]


def replaced(
    table: str,
    msg: Message,
    added: Iterable[str],
    removed: Iterable[str],
    previous: SentimentBucket,
) -> list[Op]:
    """An edit moves tags and possibly the sentiment; a tombstone (``msg.deleted``) takes the
    message out of the sentiment distribution and counts it as deleted."""
    adds: dict[str, int] = {sentiment_attribute(previous): -1}
    if msg.deleted:
        adds[DELETED] = 1
    else:
        now = sentiment_attribute(sentiment_bucket(msg.sentiment))
        adds[now] = adds.get(now, 0) + 1
    return [
        *tag_days(table, msg, removed, -1),
        *tag_days(table, msg, added, +1),
        *room_day(table, msg.room_id, epoch_day(msg.created_at_ms), adds),
    ]


def rejected(table: str, room_id: str, at_ms: int) -> list[Op]:
    return room_day(table, room_id, epoch_day(at_ms), {REJECTED: 1})
