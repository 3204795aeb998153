"""Use cases for analysts: tag trends, top tags and room statistics, all from counters.

Every query reads a bounded number of counter items: windows are capped in days
(``Limits``), and the two reads whose size depends on traffic (tags per day, authors per
day) stop at ``Limits.analytics_items_max`` with a clear error instead of reading on.
Across rooms needs the 'analysts' group or IAM (``RoomAccess.analytics_scope``).
"""

from __future__ import annotations

from ..domain import limits as checks
from ..domain.analytics import (
    MS_PER_DAY,
    Granularity,
    RoomStats,
    TagTrend,
    Window,
    rank_tags,
    room_stats,
    trend_buckets,
)
from ..domain.errors import ValidationError
from ..domain.limits import DEFAULT_LIMITS, Limits
from ..domain.model import Caller, TagCount
from ..domain.tags import normalise_tag
from ..ports import AnalyticsRepository
from .access import RoomAccess


class AnalyticsService:
    def __init__(
        self,
        *,
        access: RoomAccess,
        analytics: AnalyticsRepository,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._access = access
        self._analytics = analytics
        self._limits = limits

    def tag_trend(
        self,
        caller: Caller,
        tag: str,
        room_id: str | None,
        granularity: Granularity,
        from_ms: int,
        to_ms: int,
    ) -> TagTrend:
        """Messages carrying the tag per hour or day of creation, every bucket present.

        Raises ValidationError, NotFoundError, UnauthorizedError.
        """
        normalised = self._tag(tag)
        checks.check_time_range(from_ms, to_ms)
        window = Window.aligned(from_ms, to_ms, granularity.bucket_ms)
        max_days = (
            self._limits.trend_hour_window_days_max
            if granularity is Granularity.HOUR
            else self._limits.trend_day_window_days_max
        )
        checks.check_window_days(window.days, max_days, what=f"tagTrends({granularity})")
        scope = self._access.analytics_scope(caller, room_id, what="Tag trends")
        days = self._analytics.tag_days(normalised, scope, window.first_day, window.last_day)
        buckets = trend_buckets(days, window, granularity)
        return TagTrend(normalised, scope, granularity, window, buckets)

    def top_tags(
        self,
        caller: Caller,
        room_id: str | None,
        from_ms: int,
        to_ms: int,
        limit: int | None,
    ) -> list[TagCount]:
        """The most used tags of the window (whole UTC days), highest first, ties by tag.

        Raises ValidationError, NotFoundError, UnauthorizedError.
        """
        size = checks.check_page_size(
            limit,
            self._limits,
            default=self._limits.top_tags_default,
            maximum=self._limits.top_tags_max,
        )
        window = self._day_window(from_ms, to_ms, "topTags")
        scope = self._access.analytics_scope(caller, room_id, what="Top tags")
        counters = self._analytics.tag_days_in_window(
            scope, window.first_day, window.last_day, self._limits.analytics_items_max
        )
        if not counters.complete:
            raise self._too_much("tag counters", "topTags")
        return rank_tags(counters.items, size)

    def room_stats(self, caller: Caller, room_id: str, from_ms: int, to_ms: int) -> RoomStats:
        """Accepted, rejected and deleted messages, the sentiment of the live ones and the
        number of distinct authors, over whole UTC days.

        Raises ValidationError, NotFoundError, UnauthorizedError.
        """
        window = self._day_window(from_ms, to_ms, "roomStats")
        room = self._access.readable_room(checks.check_id(room_id, field="roomId"), caller)
        days = self._analytics.room_days(room.id, window.first_day, window.last_day)
        authors = self._analytics.active_authors(
            room.id, window.first_day, window.last_day, self._limits.analytics_items_max
        )
        if not authors.complete:
            raise self._too_much("author-days", "roomStats")
        return room_stats(room.id, window, days, authors.items)

    # ------------------------------------------------------------------ helpers

    def _tag(self, tag: str) -> str:
        normalised = normalise_tag(tag, self._limits)
        if normalised is None:
            raise ValidationError("tag must contain at least two letters or digits", field="tag")
        return normalised

    def _day_window(self, from_ms: int, to_ms: int, what: str) -> Window:
        checks.check_time_range(from_ms, to_ms)
        window = Window.aligned(from_ms, to_ms, MS_PER_DAY)
        checks.check_window_days(window.days, self._limits.analytics_window_days_max, what=what)
        return window

    def _too_much(self, rows: str, what: str) -> ValidationError:
        cap = self._limits.analytics_items_max
        return ValidationError(
            f"{what}: the window holds more than {cap} {rows}, the most one query reads; "
            "narrow from/to (or use the S3 export: docs/analytics.md)",
            field="from",
            limit=cap,
        )
