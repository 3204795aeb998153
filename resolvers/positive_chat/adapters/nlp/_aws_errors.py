"""botocore failures -> port errors, so no botocore type leaves an NLP adapter.

Every error carries ``info = {"provider", "operation", "code", "retryable"}`` and
never the message text (AWS error messages do not echo it, and we do not add it).
Throttling gets its own subclass (``domain.errors.ProviderThrottledError``, re-exported
here) so the caller can tell "slow down and retry" from "this will keep failing" without
importing botocore: its ``error_type`` is ``"ProviderThrottled"`` and ``info["retryable"]``
is True. ``retryable`` is also True for 5xx and connection failures; botocore has
already retried all of these before the error reaches us.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from ...domain.errors import ProviderError, ProviderThrottledError

# The throttling codes botocore's standard retry mode recognises
# (botocore/retries/standard.py), minus codes that mean a quota, not a rate.
_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
    }
)
_TRANSIENT_CODES = frozenset(
    {
        "InternalServerException",
        "InternalFailure",
        "ServiceUnavailableException",
        "ServiceUnavailable",
    }
)


__all__ = ["ProviderThrottledError", "failure", "provider_error"]


def failure(
    provider: str, operation: str, code: str, message: str, *, retryable: bool = False, **extra: Any
) -> ProviderError:
    """A ProviderError found by the adapter itself (no botocore exception behind it)."""
    info = {"provider": provider, "operation": operation, "code": code, "retryable": retryable}
    return ProviderError(message, info=info | extra)


def provider_error(
    exc: ClientError | BotoCoreError, provider: str, operation: str
) -> ProviderError:
    """The port error for a botocore failure; the caller raises it ``from exc``."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        throttled = code in _THROTTLING_CODES or status == 429
        server_side = isinstance(status, int) and status >= 500
        retryable = throttled or code in _TRANSIENT_CODES or server_side
    else:
        code = type(exc).__name__
        throttled = False
        retryable = isinstance(exc, BotoConnectionError | HTTPClientError)
    info: dict[str, Any] = {
        "provider": provider,
        "operation": operation,
        "code": code,
        "retryable": retryable,
    }
    message = f"{provider} {operation} failed ({code})"
    if throttled:
        return ProviderThrottledError(message, info=info)
    return ProviderError(message, info=info)
