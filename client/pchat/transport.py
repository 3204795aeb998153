"""The seam between typed operations and the wire: ``Transport`` and its gql implementation.

``Transport`` is the boundary the rest of the package talks to (operations, outbox,
realtime); tests substitute an in-memory fake for it. ``GqlTransport`` speaks to AppSync:
HTTP through gql's ``AIOHTTPTransport`` and subscriptions through
``AppSyncWebsocketsTransport``, both with the same credentials. Every failure leaves
this module as a ``PchatError`` (see ``errors``), never as a gql or aiohttp exception.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import ssl as ssl_module
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, NoReturn, Protocol
from urllib.parse import urlsplit

import aiohttp
from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import (
    TransportError,
    TransportQueryError,
    TransportServerError,
)
from graphql import DocumentNode, ExecutionResult, parse

from .auth import Credentials
from .config import Config
from .errors import ApiError, AuthError, OfflineError, PchatError, error_from_graphql

logger = logging.getLogger(__name__)

# What a gateway in front of AppSync (or a restarting local runtime) answers while down.
_UNAVAILABLE_STATUS = frozenset({502, 503, 504})


class Transport(Protocol):
    """Executes GraphQL documents. Implementations raise only ``PchatError`` subclasses."""

    async def execute(self, document: str,
                      variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The operation's ``data``. Raises ApiError, AuthError, OfflineError."""
        ...

    def subscribe(self, document: str, variables: Mapping[str, Any] | None = None, *,
                  on_started: Callable[[], None] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Each event's ``data``; ``on_started`` runs once the server acknowledged the
        subscription (``start_ack``). Ends or raises OfflineError when the connection drops."""
        ...

    async def close(self) -> None: ...


@functools.lru_cache(maxsize=128)
def _parsed(document: str) -> DocumentNode:
    # Operations reuse a handful of documents; parse each once.
    return parse(document)


class _StartAckTransport(AppSyncWebsocketsTransport):
    """gql's AppSync transport, plus a signal when the server acknowledges a ``start``.

    gql drops ``start_ack``; gap filling needs it: a catch-up sync run before the server
    registered the subscription could miss a message committed in between.
    """

    on_start_ack: Callable[[], None] | None = None

    def _parse_answer(self, answer: str) -> tuple[str, int | None, ExecutionResult | None]:
        parsed: tuple[str, int | None, ExecutionResult | None] = super()._parse_answer(answer)
        if parsed[0] == "start_ack" and self.on_start_ack is not None:
            self.on_start_ack()
        return parsed


class GqlTransport:
    """``Transport`` over gql. One HTTP session for the object's life; one WebSocket per
    ``subscribe`` call (so each reconnect gets fresh credentials)."""

    def __init__(self, config: Config, credentials: Credentials, *, timeout_s: int = 30,
                 keep_alive_timeout_s: float = 120.0,
                 ssl: ssl_module.SSLContext | bool = True) -> None:
        self.config = config
        self.credentials = credentials
        self._timeout_s = timeout_s
        self._keep_alive_s = keep_alive_timeout_s
        self._ssl = ssl
        self._host = urlsplit(config.graphql_url).netloc
        self._client: Client | None = None
        self._session: AsyncClientSession | None = None
        self._lock = asyncio.Lock()

    async def execute(self, document: str,
                      variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        await self.credentials.refresh()
        session = await self._http_session()
        request = GraphQLRequest(_parsed(document), variable_values=dict(variables or {}))
        try:
            data = await session.execute(request)
        except Exception as exc:
            _raise_mapped(exc, self.config.graphql_url)
        return dict(data)

    async def subscribe(self, document: str, variables: Mapping[str, Any] | None = None, *,
                        on_started: Callable[[], None] | None = None,
                        ) -> AsyncIterator[dict[str, Any]]:
        await self.credentials.refresh()
        ws = _StartAckTransport(
            url=self.config.realtime_url,  # explicit: gql only rewrites https:// URLs
            auth=self.credentials.appsync_auth(self._host),
            ssl=self._ssl if self.config.realtime_url.startswith("wss://") else False,
            keep_alive_timeout=self._keep_alive_s, connect_timeout=10, ack_timeout=10,
        )
        ws.on_start_ack = on_started
        request = GraphQLRequest(_parsed(document), variable_values=dict(variables or {}))
        try:
            async with Client(transport=ws) as session:
                async for data in session.subscribe(request):
                    yield dict(data)
        except Exception as exc:
            _raise_mapped(exc, self.config.realtime_url)

    async def close(self) -> None:
        async with self._lock:
            if self._client is not None and self._session is not None:
                try:
                    await self._client.close_async()  # type: ignore[no-untyped-call]
                except TransportError:
                    logger.debug("closing the HTTP session failed", exc_info=True)
            self._client = self._session = None

    async def _http_session(self) -> AsyncClientSession:
        async with self._lock:
            if self._session is None:
                transport = AIOHTTPTransport(
                    url=self.config.graphql_url, auth=self.credentials.appsync_auth(self._host),
                    timeout=self._timeout_s,
                    ssl=self._ssl if self.config.graphql_url.startswith("https://") else False)
                # gql's own execute_timeout (10 s by default) would cut --timeout short.
                self._client = Client(transport=transport, execute_timeout=self._timeout_s)
                self._session = await self._client.connect_async()  # type: ignore[no-untyped-call]
            return self._session


def _raise_mapped(exc: Exception, url: str) -> NoReturn:
    mapped = _mapped(exc, url)
    if mapped is exc:
        raise exc
    raise mapped from exc


def _mapped(exc: Exception, url: str) -> Exception:
    """gql/aiohttp/OS failures -> this package's errors (anything else passes through)."""
    if isinstance(exc, PchatError):
        return exc
    if isinstance(exc, TransportQueryError):
        return error_from_graphql(exc.errors or [{"message": str(exc)}])
    if isinstance(exc, TransportServerError):
        return _server_error(exc, url)
    if isinstance(exc, TransportError | aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return OfflineError(f"cannot reach {url}: {_reason(exc)}")
    if type(exc).__module__.startswith("websockets"):
        return OfflineError(f"cannot reach {url}: {_reason(exc)}")
    return exc


def _server_error(exc: TransportServerError, url: str) -> PchatError:
    text = str(exc)
    if exc.code in (401, 403) or "Unauthorized" in text:
        return AuthError(f"{url} refused the credentials; sign in again (`pchat login`)")
    if exc.code is None or exc.code in _UNAVAILABLE_STATUS:
        # No status: a WebSocket-level failure (keep-alive missed, server-wide error frame).
        return OfflineError(f"{url} is unavailable: {_reason(exc)}")
    return ApiError(f"HTTP{exc.code}", f"{url} answered HTTP {exc.code}")


_HEADER_PARAM = re.compile(r"header=[^&\s'\"]+")


def _reason(exc: BaseException) -> str:
    # A WebSocket URL carries the auth header (JWT or API key) in its query string.
    text = _HEADER_PARAM.sub("header=<redacted>", str(exc) or type(exc).__name__)
    try:  # connection_error payloads are JSON: keep only the message
        payload = json.loads(text)
        return str(payload.get("message", text)) if isinstance(payload, dict) else text
    except ValueError:
        return text[:200]
