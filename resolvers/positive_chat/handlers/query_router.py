"""Query fields. Each resolver: parse arguments, call a service, map the result."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router

from .. import graphql_shapes as serialize
from ..domain.model import Caller
from .context import current_caller, services

router = Router()  # type: ignore[no-untyped-call]


def _caller() -> Caller:
    return current_caller(router)


@router.resolver(type_name="Query", field_name="me")
def me() -> dict[str, Any]:
    return serialize.profile(services().stats.me(_caller()))


@router.resolver(type_name="Query", field_name="room")
def room(id: str) -> dict[str, Any]:
    return serialize.room(services().rooms.get(_caller(), id))


@router.resolver(type_name="Query", field_name="rooms")
def rooms(
    scope: str | None = None, limit: int | None = None, nextToken: str | None = None
) -> dict[str, Any]:
    page = services().rooms.list_rooms(_caller(), scope == "MINE", limit, nextToken)
    return serialize.page(page, serialize.room)


@router.resolver(type_name="Query", field_name="messages")
def messages(roomId: str, limit: int | None = None, nextToken: str | None = None) -> dict[str, Any]:
    page = services().messages.history(_caller(), roomId, limit, nextToken)
    return serialize.page(page, serialize.message)


@router.resolver(type_name="Query", field_name="tagCloud")
def tag_cloud(roomId: str, limit: int | None = None) -> dict[str, Any]:
    tags = services().stats.tag_cloud(_caller(), roomId, limit)
    return {"roomId": roomId, "tags": [serialize.tag_count(t) for t in tags], "updatedAt": None}


@router.resolver(type_name="Query", field_name="messagesByTag")
def messages_by_tag(
    tag: str,
    roomId: str | None = None,
    limit: int | None = None,
    nextToken: str | None = None,
) -> dict[str, Any]:
    page = services().messages.by_tag(_caller(), tag, roomId, limit, nextToken)
    return serialize.page(page, serialize.message)


@router.resolver(type_name="Query", field_name="syncMessages")
def sync_messages(
    roomId: str,
    lastSync: int | None = None,
    limit: int | None = None,
    nextToken: str | None = None,
) -> dict[str, Any]:
    result = services().messages.sync(_caller(), roomId, lastSync, limit, nextToken)
    return {
        "items": [serialize.message(m) for m in result.items],
        "nextToken": result.next_token,
        "startedAt": result.started_at_ms,
    }


@router.resolver(type_name="Query", field_name="leaderboard")
def leaderboard(roomId: str, limit: int | None = None) -> dict[str, Any]:
    entries = services().stats.leaderboard(_caller(), roomId, limit)
    return {"roomId": roomId, "entries": [serialize.leaderboard_entry(e) for e in entries]}
