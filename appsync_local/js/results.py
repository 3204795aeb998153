"""What an APPSYNC_JS evaluation produces, and how it can fail.

Two kinds of failure are kept apart on purpose:

* ``util.error(...)`` / ``util.unauthorized()`` are *intentional* GraphQL errors raised by the
  resolver author. They are part of a normal result (:attr:`JsResult.error`), next to whatever
  ``util.appendError`` collected before them.
* A defect in the code (syntax error, ``TypeError`` at run time, a runaway loop, a missing export)
  raises a :class:`JsRuntimeError`. AppSync reports those with ``errorType: "Code"`` and a message
  such as ``"code.js:3:14: TypeError: ..."``; :attr:`JsRuntimeError.message` has that form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JsError:
    """One error raised (``util.error``) or appended (``util.appendError``) by resolver code."""

    message: str
    type: str | None = None
    data: Any = None
    info: Any = None

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> JsError:
        return cls(
            message=str(raw.get("message")),
            type=raw.get("type", raw.get("errorType")),
            data=raw.get("data"),
            info=raw.get("info", raw.get("errorInfo")),
        )

    def graphql_fields(self) -> dict[str, Any]:
        """The AppSync error entry fields (``path``/``locations`` are the engine's to add)."""
        return {
            "message": self.message,
            "errorType": self.type,
            "data": self.data,
            "errorInfo": self.info,
        }


@dataclass(frozen=True)
class JsResult:
    """The outcome of one ``request`` or ``response`` handler evaluation."""

    # The handler's return value (JSON round-tripped; ``undefined`` becomes None). After
    # runtime.earlyReturn(obj) it is ``obj``.
    value: Any = None
    # util.appendError calls, in order; they do not stop evaluation.
    errors: list[JsError] = field(default_factory=list)
    # Set when util.error / util.unauthorized threw; ``value`` is then None.
    error: JsError | None = None
    # runtime.earlyReturn was called; ``skip_to`` is returnOptions.skipTo ("END"/"NEXT") if given.
    early_return: bool = False
    skip_to: str | None = None
    # ctx.stash after the handler ran: the engine carries it to the next handler/function.
    stash: dict[str, Any] = field(default_factory=dict)
    # extensions.setSubscriptionFilter / setSubscriptionInvalidationFilter arguments.
    subscription_filter: dict[str, Any] | None = None
    invalidation_filter: dict[str, Any] | None = None
    # extensions.invalidateSubscriptions calls: [{"subscriptionField": ..., "payload": {...}}].
    invalidation: list[dict[str, Any]] = field(default_factory=list)
    # extensions.evictFromApiCache calls: [{"typeName", "fieldName", "keys"}] (no cache locally).
    cache_evictions: list[dict[str, Any]] = field(default_factory=list)
    # util.http.addResponseHeader(s): headers the handler asked to add to the HTTP response.
    response_headers: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> JsResult:
        error = raw.get("error")
        return cls(
            value=raw.get("value"),
            errors=[JsError.from_wire(e) for e in raw.get("errors") or []],
            error=JsError.from_wire(error) if error else None,
            early_return=bool(raw.get("earlyReturn")),
            skip_to=raw.get("skipTo"),
            stash=raw.get("stash") or {},
            subscription_filter=raw.get("subscriptionFilter"),
            invalidation_filter=raw.get("invalidationFilter"),
            invalidation=list(raw.get("invalidations") or []),
            cache_evictions=list(raw.get("cacheEvictions") or []),
            response_headers=raw.get("responseHeaders") or {},
        )


class NodeNotFoundError(RuntimeError):
    """Node.js is missing or too old; APPSYNC_JS code cannot run locally without it."""


class JsRuntimeError(Exception):
    """The code could not be evaluated. Reported by AppSync as ``errorType: "Code"``."""

    error_type = "Code"

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.message = message
        # syntax | load | missing_export | runtime | timeout | worker | protocol
        self.kind = kind


class JsCodeError(JsRuntimeError):
    """Syntax error, failed import, missing export or an exception thrown at run time."""


class JsTimeoutError(JsRuntimeError):
    """The handler ran longer than the evaluation timeout (the worker survives or is replaced)."""


class JsWorkerError(JsRuntimeError):
    """The Node worker could not be started or died repeatedly."""
