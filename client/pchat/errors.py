"""Everything that can go wrong in the client, as one small hierarchy.

Expected outcomes are results, not errors: a post the sentiment gate refuses comes back
as ``PostResult(status=REJECTED, rejection=...)``. What remains::

    PchatError
    ├── ConfigError          no usable configuration (file missing, keys absent)
    ├── AuthError            not signed in, bad password, session expired, request refused
    │                        before execution (AppSync ``UnauthorizedException``)
    ├── OfflineError         the API could not be reached (connection refused, timeout,
    │                        gateway 502/503/504); safe to retry later
    └── ApiError             the API answered with a GraphQL error: ``error_type``
        │                    (ValidationError, Unauthorized, NotFound, DuplicateRequest,
        │                    InternalError, ...), ``message``, ``data``
        └── ConflictError    ``ConflictUnhandled``: a stale ``expectedVersion``;
                             ``current`` is the server's item, to merge and retry

``ApiError.transient`` says whether retrying the same request later may succeed (server
side dependency failures) - the offline outbox keeps such entries queued.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Message

# errorType values of this API (docs/decisions.md) plus AppSync's own.
VALIDATION = "ValidationError"
UNAUTHORIZED = "Unauthorized"
NOT_FOUND = "NotFound"
CONFLICT = "ConflictUnhandled"
DUPLICATE_REQUEST = "DuplicateRequest"
INTERNAL = "InternalError"
REQUEST_UNAUTHORIZED = "UnauthorizedException"

# Server-side failures that say nothing about the request itself: retry later.
_TRANSIENT_TYPES = frozenset({
    INTERNAL, "DependencyError", "StoreError", "ProviderError", "ProviderThrottled",
    "TranslationUnavailable", "Lambda:Unhandled",
    "Lambda:ExecutionTimeout", "ThrottlingException", "LimitExceededError", "InternalFailure",
})


class PchatError(Exception):
    """Root of every error this package raises."""


class ConfigError(PchatError):
    """The configuration is missing or unusable; the message says which file or key."""


class AuthError(PchatError):
    """Authentication failed or is needed (``pchat login``)."""


class OfflineError(PchatError):
    """The API is not reachable right now."""


class ApiError(PchatError):
    """A GraphQL error returned by the API."""

    def __init__(self, error_type: str | None, message: str, data: Any = None,
                 path: Sequence[str | int] | None = None, *, retryable: bool = False,
                 info: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{error_type}: {message}" if error_type else message)
        self.error_type = error_type
        self.message = message
        self.data = data
        self.path = tuple(path or ())
        # The server's own verdict (errorInfo.retryable on provider errors) wins.
        self.retryable = retryable
        # AppSync's errorInfo: a ValidationError names the argument (``field``) and, for
        # a limit, the limit (``limit``: the most days, items or page size allowed).
        self.info: Mapping[str, Any] = dict(info or {})

    @property
    def field(self) -> str | None:
        value = self.info.get("field")
        return str(value) if value is not None else None

    @property
    def limit(self) -> Any:
        return self.info.get("limit")

    @property
    def transient(self) -> bool:
        return self.retryable or self.error_type in _TRANSIENT_TYPES


class ConflictError(ApiError):
    """A write carried a version the server no longer has; ``current`` is its item."""

    def __init__(self, message: str, current: Message | None, data: Any = None,
                 path: Sequence[str | int] | None = None) -> None:
        super().__init__(CONFLICT, message, data, path)
        self.current = current


def error_from_graphql(errors: Sequence[Mapping[str, Any]]) -> PchatError:
    """Map AppSync's ``errors`` array to one exception (the first error decides).

    AppSync puts ``errorType``/``data`` at the top level of each error, not under
    ``extensions`` (reference 2); parse and validation errors have no ``errorType``.
    """
    if not errors:
        return ApiError(None, "the API returned an empty error list")
    first = errors[0]
    error_type = first.get("errorType")
    message = str(first.get("message") or "no message")
    path = first.get("path") or ()
    data = first.get("data")
    if error_type == REQUEST_UNAUTHORIZED:
        return AuthError(f"the API refused the credentials: {message}")
    if error_type == CONFLICT:
        from .models import Message  # late: models imports nothing from here at runtime

        current = Message.from_graphql(data) if isinstance(data, Mapping) and data else None
        return ConflictError(message, current, data, path)
    info = first.get("errorInfo")
    if not isinstance(info, Mapping):
        info = None
    retryable = info is not None and info.get("retryable") is True
    return ApiError(str(error_type) if error_type else None, message, data, path,
                    retryable=retryable, info=info)
