"""HTTP endpoint: ``POST /graphql`` with AppSync's request/response and error shapes."""

from __future__ import annotations

import functools
import logging
import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ._strict_json import loads_strict
from .auth import Authenticator, AuthError, RequestAuth
from .engine import Engine

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 5 * 1024 * 1024  # U: AppSync's exact request size quota is not verified here
_CORS = {
    # AppSync answers browsers' CORS preflights for any origin (Amplify JS relies on it).
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "*",
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-expose-headers": "x-amzn-RequestId, x-amzn-ErrorType",
    "access-control-max-age": "86400",
}


class _BodyTooLarge(Exception):
    pass


_UNPARSABLE = "Unable to parse GraphQL query."


def _error(status: int, error_type: str, message: str,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"errorType": error_type, "message": message}]},
                        status_code=status, headers={**_CORS, **(headers or {})})


class GraphQLEndpoint:
    def __init__(self, engine: Engine, authenticator: Authenticator, *,
                 max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self._engine = engine
        self._auth = authenticator
        self._max = max_body_bytes

    async def handle(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=200, headers=_CORS)
        request_id = str(uuid.uuid4())
        try:
            response = await self._handle(request)
        except Exception:
            # Never let a request take the server down; the log has the traceback.
            logger.exception("unhandled error serving %s", request.url.path)
            response = _error(500, "InternalFailure",
                              "An internal failure occurred in the local AppSync runtime.")
        response.headers["x-amzn-RequestId"] = request_id
        return response

    async def _handle(self, request: Request) -> Response:
        try:
            body = await self._read(request)
        except _BodyTooLarge:
            return _error(413, "BadRequestException",
                          f"Request body exceeds the {self._max} byte limit.")
        try:
            auth = await self._authenticate(request, body)
        except AuthError as exc:
            return JSONResponse(exc.to_body(), status_code=exc.status,
                                headers={**_CORS, **exc.headers()})
        # AppSync's answers and wording, as its team published them (graphql/graphql-over-http
        # issue 81): an empty body, and a body that is not a JSON object with a query
        # ("meow", "{}", "[]"), are 400s before any GraphQL processing.
        if not body.strip():
            return _error(400, "MalformedHttpRequestException", "Request body is empty.")
        try:
            payload = loads_strict(body)
        except (ValueError, UnicodeDecodeError) as exc:
            logger.info("malformed request body: %s", exc)
            return _error(400, "MalformedHttpRequestException", _UNPARSABLE)
        query = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(query, str) or not query.strip():
            return _error(400, "MalformedHttpRequestException", _UNPARSABLE)
        status, result = await self._engine.execute_http(payload, auth, dict(request.headers))
        return JSONResponse(result, status_code=status, headers=_CORS)

    async def _read(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max:
            raise _BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self._max:
                raise _BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _authenticate(self, request: Request, body: bytes) -> RequestAuth:
        headers: dict[str, Any] = dict(request.headers)
        call = functools.partial(
            self._auth.authenticate_http, headers, body, method=request.method,
            path=request.url.path, query_string=request.url.query,
            source_ip=request.client.host if request.client else None)
        if "x-api-key" in headers:
            return call()
        # JWT modes may fetch a JWKS document the first time: keep the loop responsive.
        return await run_in_threadpool(call)


def http_routes(engine: Engine, authenticator: Authenticator, *,
                max_body_bytes: int = MAX_BODY_BYTES) -> list[BaseRoute]:
    """Routes for ``/graphql`` (and ``/graphql/``) to compose into the runtime's app."""
    endpoint = GraphQLEndpoint(engine, authenticator, max_body_bytes=max_body_bytes)
    return [Route(path, endpoint.handle, methods=["POST", "OPTIONS"])
            for path in ("/graphql", "/graphql/")]
