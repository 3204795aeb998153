"""graphql-transport-ws (the `graphql-ws` library's protocol) for generic GraphQL clients.

Served only when a client asks for that subprotocol without AppSync's connect header; AWS
itself speaks only its own dialect, so this is a local convenience. Authentication comes
from the `connection_init` payload: either ``{"headers": {...}}`` or the header object
itself (``{"x-api-key": ...}`` / ``{"Authorization": ...}``), merged over a `header` query
parameter if one was given, and is checked once as an AppSync connect (POST
/graphql/connect, body "{}"); every subscription on the connection uses that identity.

Close codes follow the protocol: 4400 invalid message, 4401 subscribe before ack,
4403 forbidden, 4408 init timeout, 4409 duplicate id, 4429 repeated init, 4500 internal
error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket

from .._strict_json import loads_strict
from . import errors
from .frames import check_request, dumps
from .headers import lowercase_headers
from .ports import AuthError, RequestAuth
from .protocol import ConnectionState, OpId
from .session import Session

if TYPE_CHECKING:
    from .hub import SubscriptionHub

logger = logging.getLogger(__name__)

CONNECT_PATH = "/graphql/connect"


class TransportWSSession(Session):
    def __init__(
        self, websocket: WebSocket, hub: SubscriptionHub, query_header: dict[str, Any] | None
    ) -> None:
        super().__init__(websocket, hub)
        self._query_header = query_header or {}
        self._auth: RequestAuth | None = None
        self._headers: dict[str, str] = {}
        self._init_received = False

    async def open(self) -> None:
        self.machine.advance(ConnectionState.AWAITING_INIT)
        self.spawn(self._init_timeout())

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.limits.connection_init_timeout_s)
        if self.machine.state is ConnectionState.AWAITING_INIT:
            self.close(4408, "Connection initialisation timeout")

    def on_text(self, text: str) -> None:
        if self.machine.state is ConnectionState.CLOSED:
            return
        try:
            message = loads_strict(text)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            self.close(4400, "Invalid message received")
            return
        handler = {
            "connection_init": self._on_init,
            "ping": self._on_ping,
            "pong": lambda _message: None,
            "subscribe": self._on_subscribe,
            "complete": self._on_complete,
        }.get(message["type"])
        if handler is None:
            self.close(4400, f"Invalid message type '{message['type']}'")
            return
        handler(message)

    def _on_init(self, message: dict[str, Any]) -> None:
        if self._init_received:
            self.close(4429, "Too many initialisation requests")
            return
        self._init_received = True
        header = dict(self._query_header)
        payload = message.get("payload")
        if isinstance(payload, dict):
            nested = payload.get("headers")
            header.update(nested if isinstance(nested, dict) else payload)
        self.spawn(self._acknowledge(header))

    async def _acknowledge(self, header: dict[str, Any]) -> None:
        try:
            self._auth = await self.authenticate(header, body="{}", path=CONNECT_PATH)
        except AuthError as exc:
            logger.info("graphql-transport-ws connect rejected: %s", exc)
            self.close(4403, "Forbidden")
            return
        except Exception:
            logger.exception("graphql-transport-ws connect authentication failed")
            self.close(4500, "Internal server error")
            return
        if self.machine.state is not ConnectionState.AWAITING_INIT:
            return  # closed (timeout, client gone) while authenticating
        self._headers = lowercase_headers(header)
        self.machine.advance(ConnectionState.READY)
        self.outbox.send({"type": "connection_ack"})

    def _on_ping(self, message: dict[str, Any]) -> None:
        pong: dict[str, Any] = {"type": "pong"}
        if "payload" in message:
            pong["payload"] = message["payload"]
        self.outbox.send(pong)

    def _on_subscribe(self, message: dict[str, Any]) -> None:
        if self.machine.state is not ConnectionState.READY or self._auth is None:
            self.close(4401, "Unauthorized")
            return
        op_id = message.get("id")
        if not isinstance(op_id, str) or not op_id:
            self.close(4400, "Subscribe message requires a string 'id'")
            return
        try:
            request = check_request(message.get("payload"), op_id)
        except errors.FrameError as exc:
            self.close(4400, str(exc.error.get("message", "Invalid message received")))
            return
        if self.operations.is_live(op_id):
            self.close(4409, f"Subscriber for {op_id} already exists")
            return
        operation = self.reserve(op_id)
        if operation is not None:
            self.spawn(self.subscribe(operation, request, self._auth, self._headers))

    def _on_complete(self, message: dict[str, Any]) -> None:
        op_id = message.get("id")
        if isinstance(op_id, str):
            self.unsubscribe(op_id)

    # ----------------------------------------------------------------- hooks
    def data_envelope(self, op_id: OpId) -> tuple[str, str]:
        return '{"id":' + json.dumps(op_id) + ',"type":"next","payload":', "}"

    def send_operation_error(self, op_id: OpId, error_objects: list[dict[str, Any]]) -> None:
        self.outbox.send_text(dumps({"id": op_id, "type": "error", "payload": error_objects}))

    def on_subscribed(self, op_id: OpId) -> None:
        """graphql-transport-ws has no subscribe acknowledgement."""
