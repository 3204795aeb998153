"""AppSync-shaped GraphQL errors (reference section 2).

Error tree:
    ResolverError          a field failed (Lambda:Unhandled, Unauthorized, ...)
    GraphQLRequestError    the operation never executed (syntax, validation, variables,
                           unsupported operation); carries already-shaped ``errors``

Shapes: resolver errors carry ``path, data, errorType, errorInfo, locations, message``
at the top level of the error object (not under ``extensions``); parse/validation
errors carry ``path: null, locations, message`` and no ``errorType``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError, SourceLocation


class ResolverError(Exception):
    def __init__(self, message: str, error_type: str | None = None, *, data: Any = None,
                 error_info: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.data = data
        self.error_info = error_info


class GraphQLRequestError(Exception):
    """The request failed before execution; ``errors`` is already AppSync-shaped."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(e.get("message")) for e in errors))
        self.errors = errors


def unauthorized(field_name: str, type_name: str) -> ResolverError:
    # Field-level rejection wording (reference section 2, amplify-category-api#1769).
    return ResolverError(f"Not Authorized to access {field_name} on type {type_name}",
                         "Unauthorized")


def locations(locs: Sequence[SourceLocation] | None) -> list[dict[str, Any]]:
    return [{"line": loc.line, "column": loc.column, "sourceName": None} for loc in locs or ()]


def request_error(message: str, locs: Sequence[SourceLocation] | None = None,
                  error_type: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"path": None, "locations": locations(locs) or None,
                           "message": message}
    if error_type is not None:
        out["errorType"] = error_type
    return out


_NON_NULL = re.compile(r"^Cannot return null for non-nullable field (\w+)\.(\w+)\.$")


def format_execution_error(err: GraphQLError, schema_types: Any = None) -> dict[str, Any]:
    """Shape one execution-time error as AppSync does."""
    orig = err.original_error
    path = list(err.path) if err.path is not None else None
    if isinstance(orig, ResolverError):
        return {"path": path, "data": orig.data, "errorType": orig.error_type,
                "errorInfo": orig.error_info, "locations": locations(err.locations),
                "message": orig.message}
    message = err.message
    m = _NON_NULL.match(message)
    if m is not None and schema_types is not None:
        ftype = schema_types[m.group(1)].fields[m.group(2)].type
        # graphql-java's wording, which AppSync surfaces (reference 4.1).
        message = (f"Cannot return null for non-nullable type: '{ftype.of_type}' within "
                   f"parent '{m.group(1)}' (/{'/'.join(str(p) for p in path or ())})")
    elif orig is not None and not isinstance(orig, GraphQLError) and path is not None:
        # Output coercion failures (e.g. an invalid AWSDateTime from a Lambda).
        message = f"Can't serialize value (/{'/'.join(str(p) for p in path)}) : {orig}"
    return {"path": path, "locations": locations(err.locations), "message": message}


def appended_error(path: list[Any], locs: Sequence[SourceLocation], err: Any) -> dict[str, Any]:
    """An error added with util.appendError: reported, the field keeps its value."""
    return {"path": path or None, "data": err.data, "errorType": err.type,
            "errorInfo": err.info, "locations": locations(locs), "message": err.message}
