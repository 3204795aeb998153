"""Unit resolvers with APPSYNC_JS code: request handler -> data source -> response handler.

The flow follows AppSync's (resolver-reference-js): the request handler's return value
is the data-source request (Lambda: ``{operation: "Invoke", payload}``; NONE:
``{payload}``), the data source's answer becomes ``ctx.result`` (or ``ctx.error``),
and the response handler's return value is the field's value. ``util.error`` in
either handler fails the field; ``util.appendError`` adds an error and keeps the value.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .errors import ResolverError
from .js import JsError, JsRuntime, JsRuntimeError
from .lambda_pool import LambdaInvokeError

# Invokes the data source with the request handler's value: returns ctx.result.
DataSourceCall = Callable[[Any], Awaitable[Any]]


class JsUnitResolver:
    def __init__(self, js: JsRuntime) -> None:
        self._js = js

    async def resolve(
        self,
        code: str,
        ctx: dict[str, Any],
        call: DataSourceCall | None,
        *,
        auth_type: str | None,
        appended: list[JsError],
    ) -> Any:
        """The field's value; raises ResolverError for util.error and code defects.

        ``call`` is None for a NONE data source (the request's ``payload`` is the result).
        ``appended`` receives util.appendError errors (reported without nulling the field).
        """
        try:
            request = await self._js.evaluate(code, "request", ctx, auth_type=auth_type)
        except JsRuntimeError as exc:
            raise ResolverError(exc.message, "Code") from None
        appended.extend(request.errors)
        if request.error is not None:
            raise _to_resolver_error(request.error)
        if request.early_return:
            return request.value
        result, error = await self._data_source(request.value, call)
        response_ctx = {**ctx, "result": result, "error": error, "stash": request.stash}
        try:
            response = await self._js.evaluate(code, "response", response_ctx, auth_type=auth_type)
        except JsRuntimeError as exc:
            raise ResolverError(exc.message, "Code") from None
        appended.extend(response.errors)
        if response.error is not None:
            raise _to_resolver_error(response.error)
        return response.value

    @staticmethod
    async def _data_source(
        request: Any, call: DataSourceCall | None
    ) -> tuple[Any, dict[str, Any] | None]:
        payload = request.get("payload") if isinstance(request, dict) else None
        if call is None:
            return payload, None
        if not isinstance(request, dict) or request.get("operation", "Invoke") != "Invoke":
            raise ResolverError(
                "The local runtime supports only operation 'Invoke' for Lambda data sources",
                "UnsupportedOperation",
            )
        try:
            result = await call(payload)
        except LambdaInvokeError as exc:
            # As in AppSync, ctx.error carries the Lambda failure; the response decides.
            return None, {"message": exc.message, "type": exc.error_type}
        if request.get("invocationType") == "Event":
            return None, None
        return result, None


def _to_resolver_error(error: JsError) -> ResolverError:
    return ResolverError(error.message, error.type, data=error.data, error_info=error.info)
