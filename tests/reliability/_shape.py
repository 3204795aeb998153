"""The oracle for "every error is AppSync-shaped" (docs/appsync-reference.md, section 2).

HTTP:
* never a 5xx;
* request-level rejections (4xx) carry ``{"errors": [{"errorType", "message"}]}``;
* a 200 carries ``data`` and/or ``errors``; each error has a string ``message`` and at
  least one of ``errorType`` / ``locations`` / ``path`` at the top level (not under
  ``extensions``); ``locations`` entries are ``{line, column, sourceName: null}``;
  ``path`` is a list of names and indexes;
* no error says the *server* failed: a client's input must never produce an internal
  error type (the analogue of a 5xx inside a 200).

WebSocket (section 1.3/1.4): every ``error``/``connection_error`` frame has
``payload.errors`` (a list, or one object) of errors with a ``message`` and, for
``connection_error``, an ``errorType``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# errorTypes that mean "the server (runtime, JS worker, Lambda) failed", never "your input".
SERVER_FAULT_TYPES = frozenset({
    "InternalFailure",        # runtime: unhandled exception in the HTTP endpoint
    "InternalError",          # resolver Lambda: unexpected exception (handlers/api.py)
    "Lambda:Unhandled",       # a Lambda raised
    "Lambda:ExecutionTimeout",
    "Code",                   # APPSYNC_JS worker fault / timeout (appsync_local/js)
    "Runtime.MarshalError",
    "ExecutionTimeout",
})
# errorTypes of a subscription/WS frame that mean the server failed.
WS_SERVER_FAULT_TYPES = SERVER_FAULT_TYPES | {"InternalFailureException"}


def _check_location(loc: Any) -> list[str]:
    if not isinstance(loc, Mapping):
        return [f"location {loc!r} is not an object"]
    problems = []
    for key in ("line", "column"):
        if not isinstance(loc.get(key), int):
            problems.append(f"location {loc!r} lacks an integer {key}")
    if "sourceName" in loc and loc["sourceName"] is not None:
        problems.append(f"location {loc!r}: sourceName should be null")
    return problems


def error_problems(error: Any, *, need_type: bool = False) -> list[str]:
    """What is wrong with one GraphQL error object (empty: nothing)."""
    if not isinstance(error, Mapping):
        return [f"error {error!r} is not an object"]
    problems: list[str] = []
    if not isinstance(error.get("message"), str) or not error["message"]:
        problems.append(f"error without a message: {error!r}")
    if "extensions" in error:
        problems.append(f"error fields under extensions (AppSync puts them at the top): {error!r}")
    if not any(key in error for key in ("errorType", "locations", "path")):
        problems.append(f"error without errorType/locations/path: {error!r}")
    if need_type and not isinstance(error.get("errorType"), str):
        problems.append(f"error without an errorType: {error!r}")
    if "errorType" in error and error["errorType"] is not None \
            and not isinstance(error["errorType"], str):
        problems.append(f"errorType is not a string: {error!r}")
    locations = error.get("locations")
    if locations is not None:
        if not isinstance(locations, list):
            problems.append(f"locations is not a list: {error!r}")
        else:
            for loc in locations:
                problems.extend(_check_location(loc))
    path = error.get("path")
    if path is not None and (not isinstance(path, list)
                             or not all(isinstance(p, str | int) for p in path)):
        problems.append(f"path is not a list of names/indexes: {error!r}")
    return problems


def server_faults(errors: Any, fault_types: frozenset[str] = SERVER_FAULT_TYPES) -> list[Any]:
    if not isinstance(errors, list):
        return []
    return [e for e in errors if isinstance(e, Mapping) and e.get("errorType") in fault_types]


def http_problems(status: int, body: Any) -> list[str]:
    """Everything that breaks the oracle for one HTTP answer (empty: the answer is fine)."""
    if status >= 500:
        return [f"HTTP {status}: {str(body)[:300]}"]
    if not isinstance(body, Mapping):
        return [f"HTTP {status}: body is not a JSON object: {str(body)[:300]}"]
    problems: list[str] = []
    errors = body.get("errors")
    if status != 200:
        if not isinstance(errors, list) or not errors:
            return [f"HTTP {status} without errors: {body!r}"]
        for error in errors:
            problems.extend(error_problems(error, need_type=True))
        return problems
    if "data" not in body and "errors" not in body:
        problems.append(f"HTTP 200 without data or errors: {str(body)[:300]}")
    if errors is not None:
        if not isinstance(errors, list) or not errors:
            problems.append(f"errors is not a non-empty list: {errors!r}")
        else:
            for error in errors:
                problems.extend(error_problems(error))
    for fault in server_faults(errors):
        problems.append(f"a server fault answered client input: {fault!r}")
    return problems


def ws_error_problems(frame: Mapping[str, Any]) -> list[str]:
    """Problems of one ``error`` / ``connection_error`` frame."""
    payload = frame.get("payload")
    if not isinstance(payload, Mapping):
        return [f"{frame.get('type')} frame without a payload object: {frame!r}"]
    errors = payload.get("errors")
    if isinstance(errors, Mapping):  # AppSync sometimes sends one object (reference 1.4)
        errors = [errors]
    if not isinstance(errors, list) or not errors:
        return [f"{frame.get('type')} frame without payload.errors: {frame!r}"]
    problems: list[str] = []
    for error in errors:
        if not isinstance(error, Mapping) or not isinstance(error.get("message"), str):
            problems.append(f"WS error without a message: {error!r}")
            continue
        if frame.get("type") == "connection_error" and not isinstance(error.get("errorType"), str):
            problems.append(f"connection_error without errorType: {error!r}")
        if error.get("errorType") in WS_SERVER_FAULT_TYPES:
            problems.append(f"a server fault answered a client frame: {error!r}")
    return problems
