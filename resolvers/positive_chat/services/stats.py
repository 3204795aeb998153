"""Read models: tag cloud, leaderboard, profile."""

from __future__ import annotations

from ..domain import limits as checks
from ..domain.limits import DEFAULT_LIMITS, Limits
from ..domain.model import Author, Caller, LeaderboardEntry, Profile, TagCount
from ..ports import ProfileRepository, StatsRepository
from .access import RoomAccess, require_user
from .rooms import DEFAULT_LANGUAGE


class StatsService:
    def __init__(
        self,
        *,
        access: RoomAccess,
        stats: StatsRepository,
        profiles: ProfileRepository,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._access = access
        self._stats = stats
        self._profiles = profiles
        self._limits = limits

    def tag_cloud(self, caller: Caller, room_id: str, limit: int | None) -> list[TagCount]:
        room = self._access.readable_room(checks.check_id(room_id, field="roomId"), caller)
        size = checks.check_page_size(
            limit,
            self._limits,
            default=self._limits.tag_cloud_default,
            maximum=self._limits.tag_cloud_max,
        )
        return self._stats.top_tags(room.id, size)

    def leaderboard(
        self, caller: Caller, room_id: str, limit: int | None
    ) -> list[LeaderboardEntry]:
        room = self._access.readable_room(checks.check_id(room_id, field="roomId"), caller)
        return self._stats.leaderboard(room.id, checks.check_page_size(limit, self._limits))

    def me(self, caller: Caller) -> Profile:
        """The caller's profile, created with defaults on first use."""
        require_user(caller)
        assert caller.user_id is not None
        profile = self._profiles.get_profile(caller.user_id)
        if profile is None:
            user = Author(caller.user_id, caller.username or caller.user_id)
            profile = self._profiles.put_profile(Profile(user, DEFAULT_LANGUAGE))
        return profile

    def set_language(self, caller: Caller, language: str) -> Profile:
        current = self.me(caller)
        return self._profiles.put_profile(
            Profile(
                current.user,
                checks.check_language(language),
                current.points,
                current.rejected_count,
            )
        )
