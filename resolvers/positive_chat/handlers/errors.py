"""Domain errors -> the AppSync error a client sees, in one place.

The resolver returns ``{"__error": {message, type, data, info}}`` and the
resolver's APPSYNC_JS response handler (infra/appsync/lambda-resolver.js) raises
it with ``util.error(message, type, data, info)``, so clients get AppSync's own
``errorType`` (``ConflictUnhandled`` with the server item in ``data``, as
DataStore-style clients expect). An unhandled exception in a Direct Lambda would
only ever surface as ``Lambda:Unhandled`` with no data (reference 5.3).
"""

from __future__ import annotations

from typing import Any

from ..domain.errors import ChatError

ERROR_KEY = "__error"
INTERNAL_ERROR = "InternalError"


def envelope(message: str, error_type: str, data: Any = None, info: Any = None) -> dict[str, Any]:
    return {ERROR_KEY: {"message": message, "type": error_type, "data": data, "info": info}}


def from_chat_error(exc: ChatError, data: Any = None) -> dict[str, Any]:
    return envelope(exc.message, exc.error_type, data if data is not None else exc.data, exc.info)


def internal(request_id: str | None) -> dict[str, Any]:
    """A generic error: details stay in the logs (correlated by request id)."""
    return envelope(
        "Internal error; it has been logged" + (f" (request {request_id})" if request_id else ""),
        INTERNAL_ERROR,
    )
