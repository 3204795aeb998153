"""Typed operations of the Positive Chat API over any ``Transport``.

Each method sends one GraphQL operation and returns frozen dataclasses (``models``).
Failures are ``PchatError`` subclasses; a post refused by the sentiment gate is a
``PostResult`` with ``status=REJECTED``, not an error.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

from . import _documents as doc
from ._time import aws_datetime
from .errors import ApiError
from .models import (
    Granularity,
    Leaderboard,
    Membership,
    Message,
    Page,
    PostResult,
    Profile,
    Room,
    RoomStats,
    SyncPage,
    TagCloud,
    TagCount,
    TagTrend,
    messages_of,
)
from .transport import Transport

T = TypeVar("T")
# A point in time for the API: a datetime (naive means UTC) or an ISO-8601 string.
When: TypeAlias = datetime | str


def new_client_id() -> str:
    """A fresh idempotency key for ``post_message`` (the API wants 8..64 of [A-Za-z0-9_-])."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class SyncResult:
    """Every change since ``last_sync``, oldest first; pass ``started_at`` next time."""

    items: tuple[Message, ...]
    started_at: int


class ChatClient:
    """The API's queries and mutations. Use as ``async with`` to close the transport."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.transport.close()

    async def _field(self, document: str, name: str, **variables: Any) -> Any:
        data = await self.transport.execute(
            document, {k: v for k, v in variables.items() if v is not None})
        return data.get(name)

    async def _required(self, document: str, name: str, **variables: Any) -> Mapping[str, Any]:
        value = await self._field(document, name, **variables)
        if not isinstance(value, Mapping):
            raise ApiError(None, f"{name} returned no result")
        return value

    # -- profile and rooms ----------------------------------------------------------

    async def me(self) -> Profile:
        return Profile.from_graphql(await self._required(doc.ME, "me"))

    async def update_profile(self, preferred_language: str) -> Profile:
        raw = await self._required(doc.UPDATE_PROFILE, "updateProfile",
                                   input={"preferredLanguage": preferred_language})
        return Profile.from_graphql(raw)

    async def rooms(self, *, scope: str | None = None, limit: int | None = None,
                    next_token: str | None = None) -> Page[Room]:
        """Rooms newest first; ``scope`` PUBLIC (default) or MINE."""
        raw = await self._required(doc.ROOMS, "rooms", scope=scope, limit=limit,
                                   nextToken=next_token)
        return Page(tuple(Room.from_graphql(r) for r in raw["items"]), raw.get("nextToken"))

    async def room(self, room_id: str) -> Room | None:
        raw = await self._field(doc.ROOM, "room", id=room_id)
        return Room.from_graphql(raw) if raw else None

    async def create_room(self, name: str, *, visibility: str = "PUBLIC",
                          description: str | None = None, language: str | None = None,
                          negativity_threshold: float | None = None,
                          require_sentiment: bool | None = None) -> Room:
        payload = {"name": name, "visibility": visibility, "description": description,
                   "language": language, "negativityThreshold": negativity_threshold,
                   "requireSentiment": require_sentiment}
        raw = await self._required(doc.CREATE_ROOM, "createRoom",
                                   input={k: v for k, v in payload.items() if v is not None})
        return Room.from_graphql(raw)

    async def join_room(self, room_id: str, *, language: str | None = None) -> Membership:
        raw = await self._required(doc.JOIN_ROOM, "joinRoom", roomId=room_id, language=language)
        return Membership.from_graphql(raw)

    async def leave_room(self, room_id: str) -> Membership:
        return Membership.from_graphql(
            await self._required(doc.LEAVE_ROOM, "leaveRoom", roomId=room_id))

    # -- messages ---------------------------------------------------------------------

    async def messages(self, room_id: str, *, limit: int | None = None,
                       next_token: str | None = None) -> Page[Message]:
        """A room's history, newest first."""
        raw = await self._required(doc.MESSAGES, "messages", roomId=room_id, limit=limit,
                                   nextToken=next_token)
        return Page(messages_of(raw["items"]), raw.get("nextToken"))

    async def post_message(self, room_id: str, text: str, *, client_id: str | None = None,
                           language: str | None = None) -> PostResult:
        """Post; retrying with the same ``client_id`` never duplicates (server idempotency)."""
        payload = {"roomId": room_id, "text": text, "clientId": client_id or new_client_id(),
                   "language": language}
        raw = await self._required(doc.POST_MESSAGE, "postMessage",
                                   input={k: v for k, v in payload.items() if v is not None})
        return PostResult.from_graphql(raw)

    async def edit_message(self, room_id: str, message_id: str, text: str, *,
                           expected_version: int, language: str | None = None) -> PostResult:
        """Edit one's message. Raises ConflictError (``.current``) when the version is stale."""
        payload = {"roomId": room_id, "messageId": message_id, "text": text,
                   "expectedVersion": expected_version, "language": language}
        raw = await self._required(doc.EDIT_MESSAGE, "editMessage",
                                   input={k: v for k, v in payload.items() if v is not None})
        return PostResult.from_graphql(raw)

    async def delete_message(self, room_id: str, message_id: str, *,
                             expected_version: int) -> Message:
        """Delete (a tombstone remains for sync). Raises ConflictError when stale."""
        raw = await self._required(doc.DELETE_MESSAGE, "deleteMessage", input={
            "roomId": room_id, "messageId": message_id, "expectedVersion": expected_version})
        return Message.from_graphql(raw)

    async def sync_messages(self, room_id: str, *, last_sync: int | None = None,
                            limit: int | None = None, next_token: str | None = None) -> SyncPage:
        """One page of changes since ``last_sync`` (ms epoch), oldest first."""
        raw = await self._required(doc.SYNC_MESSAGES, "syncMessages", roomId=room_id,
                                   lastSync=last_sync, limit=limit, nextToken=next_token)
        return SyncPage(messages_of(raw["items"]), raw.get("nextToken"), int(raw["startedAt"]))

    async def sync_all(self, room_id: str, *, last_sync: int | None = None,
                       page_size: int = 100) -> SyncResult:
        """Every change since ``last_sync``, all pages."""
        items: list[Message] = []
        started_at: int | None = None
        token: str | None = None
        while True:
            page = await self.sync_messages(room_id, last_sync=last_sync, limit=page_size,
                                            next_token=token)
            # The FIRST page's startedAt: a change made while later pages were read may be
            # missing from them, so only the earliest start is a safe next lastSync.
            started_at = page.started_at if started_at is None else started_at
            items.extend(page.items)
            token = page.next_token
            if token is None:
                return SyncResult(tuple(items), started_at)

    # -- tags and stats ---------------------------------------------------------------

    async def tag_cloud(self, room_id: str, *, limit: int | None = None) -> TagCloud:
        raw = await self._field(doc.TAG_CLOUD, "tagCloud", roomId=room_id, limit=limit)
        return TagCloud.from_graphql(raw) if raw else TagCloud(room_id, ())

    async def messages_by_tag(self, tag: str, *, room_id: str | None = None,
                              from_: When | None = None, to: When | None = None,
                              limit: int | None = None,
                              next_token: str | None = None) -> Page[Message]:
        """Messages with ``tag``, newest first; without ``room_id`` across rooms (analysts).

        ``from_``/``to`` (optional) keep messages created in ``[from_, to)``, to the
        millisecond. Times are datetimes (naive means UTC) or ISO-8601 strings.
        """
        raw = await self._required(doc.MESSAGES_BY_TAG, "messagesByTag", tag=tag,
                                   roomId=room_id, limit=limit, nextToken=next_token,
                                   **{"from": _when(from_), "to": _when(to)})
        return Page(messages_of(raw["items"]), raw.get("nextToken"))

    # -- analytics (analysts, or IAM; with room_id: the room's readers) -----------------

    async def tag_trends(self, tag: str, *, from_: When, to: When,
                         granularity: Granularity | str = Granularity.DAY,
                         room_id: str | None = None) -> TagTrend:
        """Live messages with ``tag`` per UTC hour or day of ``[from_, to)``, every bucket
        present. The server widens the window to whole buckets (``TagTrend.window_*``)."""
        raw = await self._required(doc.TAG_TRENDS, "tagTrends", tag=tag, roomId=room_id,
                                   granularity=Granularity(granularity).value,
                                   **{"from": _when(from_), "to": _when(to)})
        return TagTrend.from_graphql(raw)

    async def top_tags(self, *, from_: When, to: When, room_id: str | None = None,
                       limit: int | None = None) -> tuple[TagCount, ...]:
        """The most used tags of ``[from_, to)`` (whole UTC days), highest first."""
        raw = await self._field(doc.TOP_TAGS, "topTags", roomId=room_id, limit=limit,
                                **{"from": _when(from_), "to": _when(to)})
        return tuple(TagCount(str(t["tag"]), int(t["count"])) for t in raw or ())

    async def room_stats(self, room_id: str, *, from_: When, to: When) -> RoomStats:
        """A room's accepted, rejected and deleted messages, sentiment and authors."""
        raw = await self._required(doc.ROOM_STATS, "roomStats", roomId=room_id,
                                   **{"from": _when(from_), "to": _when(to)})
        return RoomStats.from_graphql(raw)

    async def leaderboard(self, room_id: str, *, limit: int | None = None) -> Leaderboard:
        raw = await self._field(doc.LEADERBOARD, "leaderboard", roomId=room_id, limit=limit)
        return Leaderboard.from_graphql(raw) if raw else Leaderboard(room_id, ())

    # -- subscriptions (raw; realtime.RoomFeed adds reconnects and gap filling) ------------

    async def on_tag_cloud(self, room_id: str) -> AsyncIterator[TagCloud]:
        async for data in self.transport.subscribe(doc.ON_TAG_CLOUD, {"roomId": room_id}):
            if data.get("onTagCloud"):
                yield TagCloud.from_graphql(data["onTagCloud"])


def _when(value: When | None) -> str | None:
    return None if value is None else aws_datetime(value)


async def iter_pages(fetch: Callable[[str | None], Awaitable[Page[T]]]) -> AsyncIterator[Page[T]]:
    """Follow ``next_token`` to the last page:
    ``iter_pages(lambda token: client.messages(room, next_token=token))``."""
    token: str | None = None
    while True:
        page = await fetch(token)
        yield page
        token = page.next_token
        if token is None:
            return
