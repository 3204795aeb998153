"""Mutation fields (the IAM publish mutations are NONE resolvers, not routed here)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router
from aws_lambda_powertools.metrics import MetricUnit

from .. import graphql_shapes as serialize
from ..domain import commands
from ..domain.errors import ValidationError
from ..domain.events import MessageAccepted, MessageRejected, PostOutcome
from ..domain.model import Caller, Visibility
from .context import current_caller, request_deadline, services
from .observability import logger, metrics

router = Router()  # type: ignore[no-untyped-call]


def _caller() -> Caller:
    return current_caller(router)


def _outcome(outcome: PostOutcome, room_id: str) -> dict[str, Any]:
    if isinstance(outcome, MessageRejected):
        metrics.add_metric(name="MessagesRejected", unit=MetricUnit.Count, value=1)
        logger.info(
            "message rejected", extra={"roomId": room_id, "reason": outcome.rejection.reason.value}
        )
        return {
            "status": "REJECTED",
            "message": None,
            "rejection": serialize.rejection(outcome.rejection),
        }
    assert isinstance(outcome, MessageAccepted)
    if outcome.created:
        metrics.add_metric(name="MessagesAccepted", unit=MetricUnit.Count, value=1)
    logger.info(
        "message accepted",
        extra={"roomId": room_id, "messageId": outcome.message.id, "replayed": not outcome.created},
    )
    return {"status": "ACCEPTED", "message": serialize.message(outcome.message), "rejection": None}


def _visibility(value: str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError as exc:
        raise ValidationError("visibility must be PUBLIC or PRIVATE", field="visibility") from exc


@router.resolver(type_name="Mutation", field_name="createRoom")
def create_room(input: dict[str, Any]) -> dict[str, Any]:
    room = services().rooms.create(
        commands.CreateRoom(
            caller=_caller(),
            name=input["name"],
            visibility=_visibility(input["visibility"]),
            description=input.get("description"),
            negativity_threshold=input.get("negativityThreshold"),
            require_sentiment=input.get("requireSentiment"),
            language=input.get("language"),
        )
    )
    return serialize.room(room)


@router.resolver(type_name="Mutation", field_name="updateRoom")
def update_room(input: dict[str, Any]) -> dict[str, Any]:
    room = services().rooms.update(
        commands.UpdateRoom(
            caller=_caller(),
            room_id=input["roomId"],
            name=input.get("name"),
            description=input.get("description"),
            negativity_threshold=input.get("negativityThreshold"),
            require_sentiment=input.get("requireSentiment"),
        )
    )
    return serialize.room(room)


@router.resolver(type_name="Mutation", field_name="joinRoom")
def join_room(roomId: str, language: str | None = None) -> dict[str, Any]:
    return serialize.membership(
        services().rooms.join(commands.JoinRoom(_caller(), roomId, language))
    )


@router.resolver(type_name="Mutation", field_name="leaveRoom")
def leave_room(roomId: str) -> dict[str, Any]:
    return serialize.membership(services().rooms.leave(commands.LeaveRoom(_caller(), roomId)))


@router.resolver(type_name="Mutation", field_name="inviteToRoom")
def invite_to_room(roomId: str, username: str) -> dict[str, Any]:
    invitation = services().rooms.invite(commands.InviteToRoom(_caller(), roomId, username))
    return serialize.invitation(invitation)


@router.resolver(type_name="Mutation", field_name="updateProfile")
def update_profile(input: dict[str, Any]) -> dict[str, Any]:
    return serialize.profile(services().stats.set_language(_caller(), input["preferredLanguage"]))


@router.resolver(type_name="Mutation", field_name="postMessage")
def post_message(input: dict[str, Any]) -> dict[str, Any]:
    outcome = services().messages.post(
        commands.PostMessage(
            caller=_caller(),
            room_id=input["roomId"],
            text=input["text"],
            client_id=input["clientId"],
            language=input.get("language"),
        ),
        request_deadline(router),
    )
    return _outcome(outcome, input["roomId"])


@router.resolver(type_name="Mutation", field_name="editMessage")
def edit_message(input: dict[str, Any]) -> dict[str, Any]:
    outcome = services().messages.edit(
        commands.EditMessage(
            caller=_caller(),
            room_id=input["roomId"],
            message_id=input["messageId"],
            text=input["text"],
            expected_version=input["expectedVersion"],
            language=input.get("language"),
        ),
        request_deadline(router),
    )
    return _outcome(outcome, input["roomId"])


@router.resolver(type_name="Mutation", field_name="deleteMessage")
def delete_message(input: dict[str, Any]) -> dict[str, Any]:
    message = services().messages.delete(
        commands.DeleteMessage(
            caller=_caller(),
            room_id=input["roomId"],
            message_id=input["messageId"],
            expected_version=input["expectedVersion"],
        )
    )
    return serialize.message(message)
