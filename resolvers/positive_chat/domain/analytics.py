"""Analytics read models (tag trends, top tags, room statistics) and their UTC time buckets.

Every figure comes from counters the message writes keep in the same transaction as the
message (docs/data-model.md, "Analytics"), never from scanning messages. Counters are kept
per UTC day, with the day's 24 hourly counts inside each tag counter, so:

* a tag trend is exact per hour or per day;
* top tags and room statistics are exact per day (their windows are whole UTC days).

A window is half-open, ``[start_ms, end_ms)``: ``from`` is rounded down and ``to`` up to the
bucket, and every answer carries the window it really counted, so a chart never claims more
precision than the counters have.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .model import Sentiment, TagCount

T = TypeVar("T")

MS_PER_HOUR = 3_600_000
MS_PER_DAY = 24 * MS_PER_HOUR
HOURS_PER_DAY = 24


class Granularity(enum.StrEnum):
    HOUR = "HOUR"
    DAY = "DAY"

    @property
    def bucket_ms(self) -> int:
        return MS_PER_HOUR if self is Granularity.HOUR else MS_PER_DAY


class SentimentBucket(enum.StrEnum):
    """What a stored message counts as in the sentiment distribution."""

    POSITIVE = "POSITIVE"
    NEGATIVE = "NEGATIVE"
    NEUTRAL = "NEUTRAL"
    MIXED = "MIXED"
    # Accepted without a score (no provider for the language): counted, not hidden.
    UNSCORED = "UNSCORED"


def sentiment_bucket(sentiment: Sentiment | None) -> SentimentBucket:
    return SentimentBucket.UNSCORED if sentiment is None else SentimentBucket(sentiment.label)


def epoch_day(ms: int) -> int:
    """Days since 1970-01-01 (UTC) of a millisecond timestamp."""
    return ms // MS_PER_DAY


def hour_of_day(ms: int) -> int:
    return (ms % MS_PER_DAY) // MS_PER_HOUR


@dataclass(frozen=True)
class Window:
    """``[start_ms, end_ms)``, aligned to the buckets that were counted."""

    start_ms: int
    end_ms: int

    @classmethod
    def aligned(cls, from_ms: int, to_ms: int, bucket_ms: int) -> Window:
        """``from`` rounded down and ``to`` rounded up to whole buckets."""
        return cls(from_ms - from_ms % bucket_ms, -(-to_ms // bucket_ms) * bucket_ms)

    @property
    def first_day(self) -> int:
        return epoch_day(self.start_ms)

    @property
    def last_day(self) -> int:
        """The last day the window touches (inclusive)."""
        return epoch_day(self.end_ms - 1)

    @property
    def days(self) -> int:
        return self.last_day - self.first_day + 1

    def __contains__(self, ms: object) -> bool:
        return isinstance(ms, int) and self.start_ms <= ms < self.end_ms


@dataclass(frozen=True)
class TagDay:
    """One tag's counter for one UTC day (in one room, or across all rooms).

    ``count`` is the number of live messages created that day that carry the tag; ``hours``
    splits it by hour of creation (24 values).
    """

    day: int
    tag: str
    count: int
    hours: tuple[int, ...]


@dataclass(frozen=True)
class SentimentCounts:
    positive: int = 0
    negative: int = 0
    neutral: int = 0
    mixed: int = 0
    unscored: int = 0

    def __add__(self, other: SentimentCounts) -> SentimentCounts:
        return SentimentCounts(
            self.positive + other.positive,
            self.negative + other.negative,
            self.neutral + other.neutral,
            self.mixed + other.mixed,
            self.unscored + other.unscored,
        )

    @property
    def total(self) -> int:
        return self.positive + self.negative + self.neutral + self.mixed + self.unscored


@dataclass(frozen=True)
class RoomDay:
    """A room's counters for one UTC day.

    ``accepted``: messages created that day (those deleted later included); ``deleted``: how
    many of them are tombstones now; ``sentiment``: the live ones by sentiment (so its total
    is accepted - deleted); ``rejected``: posts and edits the gate refused that day.
    """

    day: int
    accepted: int = 0
    rejected: int = 0
    deleted: int = 0
    sentiment: SentimentCounts = SentimentCounts()


@dataclass(frozen=True)
class Capped(Generic[T]):
    """Rows read under a budget; ``complete`` is False when the budget ran out first."""

    items: list[T]
    complete: bool = True


@dataclass(frozen=True)
class TrendBucket:
    start_ms: int
    count: int


@dataclass(frozen=True)
class TagTrend:
    tag: str
    room_id: str | None
    granularity: Granularity
    window: Window
    buckets: tuple[TrendBucket, ...]

    @property
    def total(self) -> int:
        return sum(b.count for b in self.buckets)


@dataclass(frozen=True)
class RoomStats:
    room_id: str
    window: Window
    accepted: int
    rejected: int
    deleted: int
    sentiment: SentimentCounts
    active_authors: int


def trend_buckets(
    days: Iterable[TagDay], window: Window, granularity: Granularity
) -> tuple[TrendBucket, ...]:
    """Every bucket of the window, oldest first, zeros included (charts must show the gaps)."""
    counts: dict[int, int] = {}
    for row in days:
        day_start = row.day * MS_PER_DAY
        if granularity is Granularity.DAY:
            counts[day_start] = counts.get(day_start, 0) + row.count
            continue
        for hour, n in enumerate(row.hours):
            start = day_start + hour * MS_PER_HOUR
            counts[start] = counts.get(start, 0) + n
    step = granularity.bucket_ms
    return tuple(
        TrendBucket(start, counts.get(start, 0))
        for start in range(window.start_ms, window.end_ms, step)
    )


def rank_tags(days: Iterable[TagDay], limit: int) -> list[TagCount]:
    """Sum the daily counters per tag; highest first, ties by tag (a stable, testable order)."""
    totals: dict[str, int] = {}
    for row in days:
        totals[row.tag] = totals.get(row.tag, 0) + row.count
    ranked = sorted(((t, n) for t, n in totals.items() if n > 0), key=lambda tn: (-tn[1], tn[0]))
    return [TagCount(tag, n) for tag, n in ranked[:limit]]


def room_stats(
    room_id: str, window: Window, days: Iterable[RoomDay], authors: Iterable[str]
) -> RoomStats:
    accepted = rejected = deleted = 0
    sentiment = SentimentCounts()
    for row in days:
        accepted += row.accepted
        rejected += row.rejected
        deleted += row.deleted
        sentiment = sentiment + row.sentiment
    return RoomStats(room_id, window, accepted, rejected, deleted, sentiment, len(set(authors)))
