"""Every exceptional outcome of the chat domain.

Expected outcomes (a rejected post) are data, not exceptions. What remains is
one hierarchy, mapped to GraphQL ``errorType`` in one place
(``positive_chat.handlers.errors``)::

    ChatError
    ├── ValidationError          bad input; nothing was written
    │   └── InvalidPageTokenError
    ├── NotFoundError            room / message / membership does not exist
    ├── UnauthorizedError        the caller may not do this (AppSync "Unauthorized")
    ├── ConflictError            stale version; carries the server's current item
    ├── DuplicateRequestError    clientId reused for a different message
    └── DependencyError          a port (store, NLP provider) failed
        ├── StoreError
        └── ProviderError        (info: provider, operation, code, retryable)
            ├── ProviderThrottledError   the provider refused for rate; retry later
            ├── DeadlineExceededError    not done within the request's time budget
            └── TranslationUnavailableError
"""

from __future__ import annotations

from typing import Any


class ChatError(Exception):
    """Root of all domain errors. ``error_type`` is what AppSync clients see."""

    error_type = "ChatError"

    def __init__(self, message: str, *, data: Any = None, info: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data
        self.info = info


class ValidationError(ChatError):
    error_type = "ValidationError"

    def __init__(self, message: str, *, field: str | None = None, limit: Any = None) -> None:
        info: dict[str, Any] = {}
        if field is not None:
            info["field"] = field
        if limit is not None:
            info["limit"] = limit
        super().__init__(message, info=info or None)
        self.field = field


class InvalidPageTokenError(ValidationError):
    def __init__(self) -> None:
        super().__init__("nextToken is invalid or belongs to another query", field="nextToken")


class NotFoundError(ChatError):
    error_type = "NotFound"


class UnauthorizedError(ChatError):
    # AppSync's own word for an authorization failure on a field.
    error_type = "Unauthorized"


class ConflictError(ChatError):
    """A write carried a version the server no longer has.

    ``data`` is the server's current item, as AppSync's ConflictUnhandled does,
    so an offline client can merge and retry.
    """

    error_type = "ConflictUnhandled"

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message, data=current)
        self.current = current


class DuplicateRequestError(ChatError):
    error_type = "DuplicateRequest"


class DependencyError(ChatError):
    error_type = "DependencyError"


class StoreError(DependencyError):
    error_type = "StoreError"


class ProviderError(DependencyError):
    error_type = "ProviderError"


class ProviderThrottledError(ProviderError):
    """The provider refused the call for rate (after the SDK's retries); retry later.

    ``info["retryable"]`` is True. Adapters raise it; the services tell it apart through
    ``error_type`` or ``info`` as well.
    """

    error_type = "ProviderThrottled"
    retryable = True


class DeadlineExceededError(ProviderError):
    """A provider step could not be done within the request's time budget
    (``domain.deadline``); nothing was written, so the same request may be retried.

    Clients see ``errorType: ProviderError`` with ``errorInfo = {provider: "nlp",
    operation: <step>, code: "DeadlineExceeded", retryable: true}``.
    """

    def __init__(self, operation: str) -> None:
        super().__init__(
            f"{operation} did not finish within the request's time budget",
            info={
                "provider": "nlp",
                "operation": operation,
                "code": "DeadlineExceeded",
                "retryable": True,
            },
        )


class TranslationUnavailableError(ProviderError):
    error_type = "TranslationUnavailable"
