"""Use cases for rooms, memberships and invitations."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..domain import limits as checks
from ..domain.commands import CreateRoom, InviteToRoom, JoinRoom, LeaveRoom, UpdateRoom
from ..domain.errors import UnauthorizedError, ValidationError
from ..domain.ids import UlidFactory
from ..domain.limits import DEFAULT_LIMITS, Limits
from ..domain.model import Author, Caller, Invitation, Membership, Page, Role, Room
from ..ports import ProfileRepository, RoomRepository
from .access import RoomAccess, require_user

DEFAULT_LANGUAGE = "en"


class RoomService:
    def __init__(
        self,
        *,
        access: RoomAccess,
        rooms: RoomRepository,
        profiles: ProfileRepository,
        ids: UlidFactory,
        clock_ms: Callable[[], int],
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._access = access
        self._rooms = rooms
        self._profiles = profiles
        self._ids = ids
        self._now = clock_ms
        self._limits = limits

    def create(self, cmd: CreateRoom) -> Room:
        require_user(cmd.caller)
        owner = _author(cmd.caller)
        name = checks.check_name(cmd.name, self._limits.room_name_max_chars, field="name")
        description = checks.check_optional_text(
            cmd.description, self._limits.room_description_max_chars, field="description"
        )
        threshold = checks.check_threshold(cmd.negativity_threshold, self._limits)
        language = self._reading_language(cmd.caller, cmd.language)
        now = self._now()
        room = Room(
            id=self._ids.new(),
            name=name,
            description=description,
            visibility=cmd.visibility,
            owner=owner,
            negativity_threshold=threshold,
            require_sentiment=bool(cmd.require_sentiment),
            created_at_ms=now,
            languages={language: 1},
            member_count=1,
        )
        membership = Membership(room.id, owner, Role.OWNER, language, now)
        self._rooms.create_room(room, membership)
        return room

    def update(self, cmd: UpdateRoom) -> Room:
        room = self._access.owned_room(checks.check_id(cmd.room_id, field="roomId"), cmd.caller)
        changes: dict[str, object] = {}
        if cmd.name is not None:
            changes["name"] = checks.check_name(
                cmd.name, self._limits.room_name_max_chars, field="name"
            )
        if cmd.description is not None:
            changes["description"] = checks.check_optional_text(
                cmd.description, self._limits.room_description_max_chars, field="description"
            )
        if cmd.negativity_threshold is not None:
            changes["negativity_threshold"] = checks.check_threshold(
                cmd.negativity_threshold, self._limits
            )
        if cmd.require_sentiment is not None:
            changes["require_sentiment"] = cmd.require_sentiment
        if not changes:
            raise ValidationError("Nothing to update: give at least one setting", field="input")
        updated = dataclasses.replace(room, **changes)  # type: ignore[arg-type]
        self._rooms.update_room(updated)
        return updated

    def join(self, cmd: JoinRoom) -> Membership:
        require_user(cmd.caller)
        room = self._access.room(checks.check_id(cmd.room_id, field="roomId"))
        user = _author(cmd.caller)
        language = self._reading_language(cmd.caller, cmd.language)
        existing = self._rooms.get_membership(room.id, user.id)
        if (
            existing is None
            and not room.is_public
            and self._rooms.get_invitation(room.id, user.username) is None
        ):
            raise UnauthorizedError(f"Room {room.id} is private: ask its owner for an invitation")
        if existing is not None and existing.language == language:
            return existing
        role = existing.role if existing is not None else Role.MEMBER
        joined_at = existing.joined_at_ms if existing is not None else self._now()
        return self._rooms.add_membership(Membership(room.id, user, role, language, joined_at))

    def leave(self, cmd: LeaveRoom) -> Membership:
        _, membership = self._access.member_room(
            checks.check_id(cmd.room_id, field="roomId"), cmd.caller
        )
        if membership.role is Role.OWNER:
            raise ValidationError("The owner cannot leave the room", field="roomId")
        self._rooms.remove_membership(membership)
        return membership

    def invite(self, cmd: InviteToRoom) -> Invitation:
        room = self._access.owned_room(checks.check_id(cmd.room_id, field="roomId"), cmd.caller)
        username = checks.check_name(
            cmd.username, self._limits.username_max_chars, field="username"
        )
        invitation = Invitation(room.id, username, _author(cmd.caller), self._now())
        self._rooms.put_invitation(invitation)
        return invitation

    def get(self, caller: Caller, room_id: str) -> Room:
        return self._access.readable_room(checks.check_id(room_id, field="id"), caller)

    def list_rooms(
        self, caller: Caller, mine: bool, limit: int | None, token: str | None
    ) -> Page[Room]:
        size = checks.check_page_size(limit, self._limits)
        if not mine:
            return self._rooms.list_public_rooms(size, token)
        require_user(caller)
        assert caller.user_id is not None
        return self._rooms.list_rooms_for_user(caller.user_id, size, token)

    def _reading_language(self, caller: Caller, requested: str | None) -> str:
        if requested:
            return checks.check_language(requested)
        assert caller.user_id is not None
        profile = self._profiles.get_profile(caller.user_id)
        return profile.preferred_language if profile is not None else DEFAULT_LANGUAGE


def _author(caller: Caller) -> Author:
    require_user(caller)
    assert caller.user_id is not None
    return Author(caller.user_id, caller.username or caller.user_id)
