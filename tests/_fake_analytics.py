"""The analytics counters of tests/fakes.py's InMemoryStore (port: AnalyticsRepository).

Kept as counters moved by the writes, like the DynamoDB adapter does (not recomputed from
the messages), so the store contract suite compares two implementations of the same rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from positive_chat.domain.analytics import (
    HOURS_PER_DAY,
    Capped,
    RoomDay,
    SentimentBucket,
    SentimentCounts,
    TagDay,
    epoch_day,
    hour_of_day,
    sentiment_bucket,
)
from positive_chat.domain.model import Message

_FIELDS = {b: b.value.lower() for b in SentimentBucket}


class AnalyticsCounters:
    """Mixin: call the ``_count_*`` hooks inside the store's lock."""

    def __init__(self) -> None:
        # (room id or None for all rooms, day, tag) -> 24 hourly counts
        self.tag_hours: dict[tuple[str | None, int, str], list[int]] = {}
        # (room id, day) -> counter name -> value
        self.room_counters: dict[tuple[str, int], dict[str, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self.author_days: set[tuple[str, int, str]] = set()

    # ------------------------------------------------------------------ write hooks
    def _count_post(self, message: Message) -> None:
        day = epoch_day(message.created_at_ms)
        self._count_tags(message, message.tags, +1)
        counters = self.room_counters[(message.room_id, day)]
        counters["accepted"] += 1
        counters[_FIELDS[sentiment_bucket(message.sentiment)]] += 1
        self.author_days.add((message.room_id, day, message.author.id))

    def _count_replace(
        self,
        message: Message,
        added: Iterable[str],
        removed: Iterable[str],
        previous: SentimentBucket,
    ) -> None:
        self._count_tags(message, removed, -1)
        self._count_tags(message, added, +1)
        counters = self.room_counters[(message.room_id, epoch_day(message.created_at_ms))]
        counters[_FIELDS[previous]] -= 1
        if message.deleted:
            counters["deleted"] += 1
        else:
            counters[_FIELDS[sentiment_bucket(message.sentiment)]] += 1

    def _count_rejection(self, room_id: str, at_ms: int) -> None:
        self.room_counters[(room_id, epoch_day(at_ms))]["rejected"] += 1

    def _count_tags(self, message: Message, tags: Iterable[str], delta: int) -> None:
        day, hour = epoch_day(message.created_at_ms), hour_of_day(message.created_at_ms)
        for tag in set(tags):
            for scope in (message.room_id, None):
                hours = self.tag_hours.setdefault((scope, day, tag), [0] * HOURS_PER_DAY)
                hours[hour] += delta

    # ------------------------------------------------------------------ port
    def tag_days(
        self, tag: str, room_id: str | None, first_day: int, last_day: int
    ) -> list[TagDay]:
        rows = [
            _tag_day(day, t, hours)
            for (scope, day, t), hours in self.tag_hours.items()
            if scope == room_id and t == tag and first_day <= day <= last_day
        ]
        return sorted(rows, key=lambda r: r.day)

    def tag_days_in_window(
        self, room_id: str | None, first_day: int, last_day: int, max_items: int
    ) -> Capped[TagDay]:
        rows = sorted(
            (
                _tag_day(day, tag, hours)
                for (scope, day, tag), hours in self.tag_hours.items()
                if scope == room_id and first_day <= day <= last_day
            ),
            key=lambda r: (r.day, r.tag),
        )
        return Capped(rows[:max_items], len(rows) <= max_items)

    def room_days(self, room_id: str, first_day: int, last_day: int) -> list[RoomDay]:
        rows = []
        for (rid, day), c in sorted(self.room_counters.items()):
            if rid == room_id and first_day <= day <= last_day:
                sentiment = SentimentCounts(
                    **{name: c.get(name, 0) for name in _FIELDS.values()}
                )
                rows.append(
                    RoomDay(day, c["accepted"], c["rejected"], c["deleted"], sentiment)
                )
        return rows

    def active_authors(
        self, room_id: str, first_day: int, last_day: int, max_items: int
    ) -> Capped[str]:
        rows = sorted(
            (day, author)
            for rid, day, author in self.author_days
            if rid == room_id and first_day <= day <= last_day
        )
        return Capped([author for _, author in rows[:max_items]], len(rows) <= max_items)


def _tag_day(day: int, tag: str, hours: list[int]) -> TagDay:
    return TagDay(day, tag, sum(hours), tuple(hours))
