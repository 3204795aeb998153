"""Who may do what with a room. Identity comes from the token (Caller), never from arguments."""

from __future__ import annotations

from ..domain.errors import NotFoundError, UnauthorizedError
from ..domain.limits import check_id
from ..domain.model import Caller, CallerKind, Membership, Room
from ..ports import RoomRepository


class RoomAccess:
    def __init__(self, rooms: RoomRepository) -> None:
        self._rooms = rooms

    def room(self, room_id: str) -> Room:
        """Raises NotFoundError."""
        room = self._rooms.get_room(room_id)
        if room is None:
            raise NotFoundError(f"Room {room_id} does not exist")
        return room

    def membership(self, room: Room, caller: Caller) -> Membership | None:
        if not caller.is_user or caller.user_id is None:
            return None
        return self._rooms.get_membership(room.id, caller.user_id)

    def readable_room(self, room_id: str, caller: Caller) -> Room:
        """The room if the caller may read it.

        Public rooms: anyone (API key included). Private rooms: members, moderators
        and IAM tools. A private room is reported as unauthorized, not missing, to
        members and strangers alike, so its existence is not leaked beyond that.

        Raises NotFoundError, UnauthorizedError.
        """
        room = self.room(room_id)
        if room.is_public or caller.kind is CallerKind.IAM or caller.is_moderator:
            return room
        if self.membership(room, caller) is None:
            raise UnauthorizedError(f"Not Authorized to access room {room_id}")
        return room

    def analytics_scope(self, caller: Caller, room_id: str | None, *, what: str) -> str | None:
        """The room a search or statistic may read (as ``readable_room``), or None for every
        room, which needs the 'analysts' group or IAM: filtering a cross-room read by
        membership afterwards would have no bound on the items read.

        Raises ValidationError, NotFoundError, UnauthorizedError.
        """
        if room_id is None:
            if not caller.is_analyst:
                raise UnauthorizedError(
                    f"{what} across every room needs the 'analysts' group; pass roomId for one room"
                )
            return None
        return self.readable_room(check_id(room_id, field="roomId"), caller).id

    def member_room(self, room_id: str, caller: Caller) -> tuple[Room, Membership]:
        """The room and the caller's membership, for writing. Raises UnauthorizedError."""
        require_user(caller)
        room = self.room(room_id)
        membership = self.membership(room, caller)
        if membership is None:
            if room.is_public:
                raise UnauthorizedError(f"Join room {room_id} before posting in it (joinRoom)")
            raise UnauthorizedError(f"Not Authorized to access room {room_id}")
        return room, membership

    def owned_room(self, room_id: str, caller: Caller) -> Room:
        require_user(caller)
        room = self.room(room_id)
        if room.owner.id != caller.user_id:
            raise UnauthorizedError("Only the room's owner may do this")
        return room


def require_user(caller: Caller) -> None:
    """Raises UnauthorizedError unless the caller is a signed-in user."""
    if not caller.is_user:
        raise UnauthorizedError("This operation needs a signed-in user (Cognito user pool token)")
