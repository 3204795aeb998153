"""Real-time errors: the AppSync-shaped error objects clients see, and our exceptions.

Exception tree::

    RealtimeError
    ├── IllegalTransitionError     a state machine was asked for a transition it forbids (a bug)
    └── OperationRejectedError     a client frame is refused; carries the AppSync error object
        └── FrameError             the frame itself is malformed (not JSON, no id, ...)

Error objects follow reference 1.4. Where AWS's exact wording is unknown the message is
marked "emulator wording" in docs/local-runtime.md.
"""

from __future__ import annotations

from typing import Any

ErrorObject = dict[str, Any]


class RealtimeError(Exception):
    """Root of the real-time package's exceptions."""


class IllegalTransitionError(RealtimeError):
    """A state machine refused a transition; raised instead of silently corrupting state."""


class OperationRejectedError(RealtimeError):
    """A client frame is refused with one AppSync error object; the connection stays open."""

    def __init__(self, error: ErrorObject, op_id: str | int | None = None) -> None:
        super().__init__(error.get("message", ""))
        self.error = error
        self.op_id = op_id


class FrameError(OperationRejectedError):
    """The frame is not a well-formed message of the dialect."""


def unauthorized_connect() -> ErrorObject:
    """Observed connect rejection (reference 1.4), sent in `connection_error` before closing."""
    return {
        "errorType": "com.amazonaws.deepdish.graphql.auth#UnauthorizedException",
        "message": "You are not authorized to make this call.",
        "errorCode": 400,
    }


def max_subscriptions(limit: int) -> ErrorObject:
    return {
        "errorType": "MaxSubscriptionsReachedError",
        "message": f"Max number of {limit} subscriptions reached",
    }


def duplicated_operation(op_id: str | int) -> ErrorObject:
    # Emulator wording; AWS's errorType is the observed one (reference 1.4).
    return {
        "errorType": "DuplicatedOperationError",
        "message": f"Duplicated operation with id {op_id}",
    }


def unsupported_message(message_type: str) -> ErrorObject:
    # AWS answers operations it does not serve with UnsupportedOperation (reference 1.4).
    return {
        "errorType": "UnsupportedOperation",
        "message": f"Message type '{message_type}' not supported through the realtime channel",
        "errorCode": 400,
    }


def bad_request(message: str) -> ErrorObject:
    return {"errorType": "BadRequestException", "message": message, "errorCode": 400}


def unauthorized_start(error_type: str | None, message: str | None) -> ErrorObject:
    # Amplify closes and reconnects with fresh tokens when a start fails with an
    # UnauthorizedException-type error (reference 1.4), so keep core's errorType.
    return {
        "errorType": error_type or "UnauthorizedException",
        "message": message or "You are not authorized to make this call.",
    }


def internal_failure() -> ErrorObject:
    return {"errorType": "InternalFailure", "message": "An internal failure occurred."}
