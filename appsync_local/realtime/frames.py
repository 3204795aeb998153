"""AppSync dialect frames: parsing client frames, building server frames (reference 1.3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .._strict_json import loads_strict
from . import errors
from .config import CONNECTION_TIMEOUT_MS
from .protocol import OpId


@dataclass(frozen=True)
class ConnectionInit:
    """`connection_init`; Amplify sends no payload, gql sends `{}` (both accepted)."""


@dataclass(frozen=True)
class Start:
    op_id: OpId
    data: str  # the exact `payload.data` string: IAM signs it byte for byte (reference 1.2)
    request: dict[str, Any]  # `data` decoded: query, variables, operationName
    authorization: dict[str, Any]  # `payload.extensions.authorization`


@dataclass(frozen=True)
class Stop:
    op_id: OpId


ClientMessage = ConnectionInit | Start | Stop


def _op_id(message: dict[str, Any]) -> OpId | None:
    op_id = message.get("id")
    # bool is an int subclass but never a sensible id; ids are echoed verbatim (gql int()s them).
    if isinstance(op_id, bool) or not isinstance(op_id, str | int):
        return None
    if isinstance(op_id, str) and not op_id:
        return None
    return op_id


def _required_op_id(message: dict[str, Any]) -> OpId:
    op_id = _op_id(message)
    if op_id is None:
        raise errors.FrameError(errors.bad_request("Message is missing a valid 'id'."))
    return op_id


def check_request(request: Any, op_id: OpId | None) -> dict[str, Any]:
    """Check a decoded GraphQL request object: a `query` string, object `variables`.

    Raises
    ------
    FrameError
        The request does not have that shape.
    """
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        raise errors.FrameError(
            errors.bad_request("The request must be an object with a 'query' string."), op_id
        )
    variables = request.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise errors.FrameError(errors.bad_request("'variables' must be an object."), op_id)
    operation_name = request.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise errors.FrameError(errors.bad_request("'operationName' must be a string."), op_id)
    return request


def _parse_start(message: dict[str, Any]) -> Start:
    op_id = _required_op_id(message)
    payload = message.get("payload")
    if not isinstance(payload, dict):
        raise errors.FrameError(errors.bad_request("'payload' must be an object."), op_id)
    data = payload.get("data")
    if not isinstance(data, str):
        raise errors.FrameError(errors.bad_request("'payload.data' must be a JSON string."), op_id)
    try:
        request = check_request(loads_strict(data), op_id)
    except ValueError as exc:  # json.JSONDecodeError
        raise errors.FrameError(
            errors.bad_request("'payload.data' is not valid JSON."), op_id
        ) from exc
    extensions = payload.get("extensions")
    authorization = extensions.get("authorization") if isinstance(extensions, dict) else None
    return Start(
        op_id=op_id,
        data=data,
        request=request,
        authorization=authorization if isinstance(authorization, dict) else {},
    )


def parse_client_frame(text: str) -> ClientMessage:
    """Parse one client text frame of the AppSync dialect.

    Raises
    ------
    FrameError
        Not a JSON object, unknown type, or a malformed `start`/`stop`; `op_id` is set when
        the frame carried a usable id so the answer can name the operation.
    """
    try:
        message = loads_strict(text)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        raise errors.FrameError(errors.bad_request("Message is not a JSON object."))
    message_type = message.get("type")
    if message_type == "connection_init":
        return ConnectionInit()
    if message_type == "start":
        return _parse_start(message)
    if message_type == "stop":
        return Stop(_required_op_id(message))
    raise errors.FrameError(errors.unsupported_message(str(message_type)), _op_id(message))


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))


def connection_ack() -> dict[str, Any]:
    return {"type": "connection_ack", "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}}


def keep_alive() -> dict[str, Any]:
    return {"type": "ka"}


def start_ack(op_id: OpId) -> dict[str, Any]:
    return {"type": "start_ack", "id": op_id}


def complete(op_id: OpId) -> dict[str, Any]:
    return {"type": "complete", "id": op_id}


def error(op_id: OpId | None, error_objects: list[dict[str, Any]]) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "payload": {"errors": error_objects}}
    if op_id is not None:
        frame["id"] = op_id
    return frame


def connection_error(error_objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "connection_error", "payload": {"errors": error_objects}}


def data_envelope(op_id: OpId) -> tuple[str, str]:
    """Text before and after an already-serialized payload, so fan-out serializes it once."""
    return '{"type":"data","id":' + json.dumps(op_id) + ',"payload":', "}"
