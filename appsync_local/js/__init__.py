"""APPSYNC_JS: evaluate AppSync JavaScript resolver/function code locally in a Node worker."""

from __future__ import annotations

from .results import (
    JsCodeError,
    JsError,
    JsResult,
    JsRuntimeError,
    JsTimeoutError,
    JsWorkerError,
    NodeNotFoundError,
)
from .runtime import JsRuntime, find_node

__all__ = [
    "JsCodeError",
    "JsError",
    "JsResult",
    "JsRuntime",
    "JsRuntimeError",
    "JsTimeoutError",
    "JsWorkerError",
    "NodeNotFoundError",
    "find_node",
]
