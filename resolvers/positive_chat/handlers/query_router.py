"""Query fields. Each resolver: parse arguments, call a service, map the result."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router

from .. import graphql_shapes as serialize
from ..domain.analytics import Granularity
from ..domain.errors import ValidationError
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
    **window: str | None,
) -> dict[str, Any]:
    # `from`/`to` are Python keywords, so they arrive in **window.
    page = services().messages.by_tag(
        _caller(),
        tag,
        roomId,
        limit,
        nextToken,
        from_ms=_time(window, "from"),
        to_ms=_time(window, "to"),
    )
    return serialize.page(page, serialize.message)


@router.resolver(type_name="Query", field_name="tagTrends")
def tag_trends(
    tag: str, granularity: str, roomId: str | None = None, **window: str | None
) -> dict[str, Any]:
    trend = services().analytics.tag_trend(
        _caller(),
        tag,
        roomId,
        _granularity(granularity),
        _required_time(window, "from"),
        _required_time(window, "to"),
    )
    return serialize.tag_trend(trend)


@router.resolver(type_name="Query", field_name="topTags")
def top_tags(
    roomId: str | None = None, limit: int | None = None, **window: str | None
) -> list[dict[str, Any]]:
    tags = services().analytics.top_tags(
        _caller(), roomId, _required_time(window, "from"), _required_time(window, "to"), limit
    )
    return [serialize.tag_count(t) for t in tags]


@router.resolver(type_name="Query", field_name="roomStats")
def room_stats(roomId: str, **window: str | None) -> dict[str, Any]:
    stats = services().analytics.room_stats(
        _caller(), roomId, _required_time(window, "from"), _required_time(window, "to")
    )
    return serialize.room_stats(stats)


def _granularity(value: str) -> Granularity:
    try:
        return Granularity(value)
    except ValueError as exc:
        raise ValidationError("granularity must be HOUR or DAY", field="granularity") from exc


def _time(window: dict[str, str | None], name: str) -> int | None:
    value = window.get(name)
    return None if value is None else serialize.parse_aws_datetime(value, field=name)


def _required_time(window: dict[str, str | None], name: str) -> int:
    value = _time(window, name)
    if value is None:  # the schema makes it non-null; a direct invocation may not
        raise ValidationError(f"{name} is required", field=name)
    return value


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
