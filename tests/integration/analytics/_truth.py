"""Brute force over the seeded data: what every analytics query must answer.

Computed from the seeding plan's final messages (tombstones included) and its rejections,
with plain loops and its own time arithmetic, sharing nothing with the code under test
beyond the message model.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from positive_chat.domain.model import Message, SentimentLabel

from tools._seed_plan import SeedPlan

HOUR = 3_600_000
DAY = 24 * HOUR
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def id_time(message_id: str) -> int:
    value = 0
    for ch in message_id[:10]:
        value = value * 32 + _CROCKFORD.index(ch)
    return value


def widen(from_ms: int, to_ms: int, step: int) -> tuple[int, int]:
    """[from, to) widened to whole steps."""
    start = from_ms - from_ms % step
    end = to_ms if to_ms % step == 0 else to_ms - to_ms % step + step
    return start, end


@dataclass(frozen=True)
class ExpectedStats:
    start: int
    end: int
    accepted: int
    rejected: int
    deleted: int
    sentiment: dict[str, int]
    active_authors: int


class Truth:
    def __init__(self, plan: SeedPlan) -> None:
        self.messages: list[Message] = plan.final_messages()
        self.live = [m for m in self.messages if not m.deleted]
        self.rejections = plan.rejections
        self.start_ms, self.end_ms = plan.config.start_ms, plan.config.end_ms

    def _live_with(self, tag: str, room_id: str | None) -> list[Message]:
        return [m for m in self.live if tag in m.tags and (room_id is None or m.room_id == room_id)]

    def messages_by_tag(
        self, tag: str, room_id: str | None, from_ms: int | None, to_ms: int | None
    ) -> list[str]:
        low = 0 if from_ms is None else from_ms
        high = 1 << 62 if to_ms is None else to_ms
        found = [m.id for m in self._live_with(tag, room_id) if low <= id_time(m.id) < high]
        return sorted(found, reverse=True)

    def tag_trend(
        self, tag: str, room_id: str | None, step: int, from_ms: int, to_ms: int
    ) -> tuple[int, int, list[tuple[int, int]]]:
        start, end = widen(from_ms, to_ms, step)
        counts = Counter(
            m.created_at_ms - m.created_at_ms % step for m in self._live_with(tag, room_id)
        )
        return start, end, [(b, counts.get(b, 0)) for b in range(start, end, step)]

    def top_tags(
        self, room_id: str | None, from_ms: int, to_ms: int, limit: int
    ) -> list[tuple[str, int]]:
        start, end = widen(from_ms, to_ms, DAY)
        counts: Counter[str] = Counter()
        for m in self.live:
            if (room_id is None or m.room_id == room_id) and start <= m.created_at_ms < end:
                counts.update(set(m.tags))
        ranked = sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))
        return ranked[:limit]

    def room_stats(self, room_id: str, from_ms: int, to_ms: int) -> ExpectedStats:
        start, end = widen(from_ms, to_ms, DAY)
        created = [
            m for m in self.messages if m.room_id == room_id and start <= m.created_at_ms < end
        ]
        sentiment = dict.fromkeys(("positive", "negative", "neutral", "mixed", "unscored"), 0)
        for m in created:
            if m.deleted:
                continue
            label = "unscored" if m.sentiment is None else _LABELS[m.sentiment.label]
            sentiment[label] += 1
        return ExpectedStats(
            start,
            end,
            accepted=len(created),
            rejected=sum(
                1 for r in self.rejections if r.room_id == room_id and start <= r.at_ms < end
            ),
            deleted=sum(1 for m in created if m.deleted),
            sentiment=sentiment,
            active_authors=len({m.author.id for m in created}),
        )

    def tags_by_popularity(self) -> list[str]:
        counts = Counter(t for m in self.live for t in m.tags)
        return [t for t, _ in sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))]


_LABELS = {
    SentimentLabel.POSITIVE: "positive",
    SentimentLabel.NEGATIVE: "negative",
    SentimentLabel.NEUTRAL: "neutral",
    SentimentLabel.MIXED: "mixed",
}
