"""The AppSync real-time dialect (subprotocol `graphql-ws`, reference section 1).

Frame handling per connection state (see protocol.py for the transitions)::

    state          connection_init         start                   stop
    AWAITING_INIT  ack + ka, -> READY      -> READY, then as READY  -> READY, then as READY
    READY          ack again (idempotent)  authorize + prepare     complete
    CLOSED         ignored (closes the connection if connect auth failed)

Malformed frames get a `type:"error"` answer and the connection keeps serving: AWS's
behaviour for them is not documented, and closing would hide the mistake from a client
developer who is reading frames.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket

from . import errors, frames
from .headers import HeaderDecodeError, decode_header, lowercase_headers
from .ports import AuthError
from .protocol import ConnectionState, Operation, OpId
from .session import CLOSE_NORMAL, Session

if TYPE_CHECKING:
    from .hub import SubscriptionHub

logger = logging.getLogger(__name__)

CONNECT_PATH = "/graphql/connect"
START_PATH = "/graphql"
#: After a rejected connect, wait this long for the client's first frame before closing:
#: closing at once races the client's `connection_init` send, and clients such as gql then
#: report "connection closed" instead of the `connection_error` they were sent.
CONNECT_REJECT_GRACE_S = 2.0
CLOSE_INIT_TIMEOUT = 4408  # the code graphql-transport-ws uses for the same situation


class AppSyncSession(Session):
    def __init__(
        self, websocket: WebSocket, hub: SubscriptionHub, encoded_header: str | None
    ) -> None:
        super().__init__(websocket, hub)
        self._encoded_header = encoded_header
        self._connect_rejected = False

    async def open(self) -> None:
        rejection = await self._authenticate_connect()
        if rejection is not None:
            self._connect_rejected = True
            self.outbox.send(frames.connection_error([rejection]))
            self._enter_closed()
            self.spawn(self._close_later(CONNECT_REJECT_GRACE_S, "Unauthorized"))
            return
        self.machine.advance(ConnectionState.AWAITING_INIT)
        self.spawn(self._init_timeout())

    async def _authenticate_connect(self) -> errors.ErrorObject | None:
        """None when the connect header is accepted, else the error to send."""
        if self._encoded_header is None:
            return errors.unauthorized_connect()
        try:
            header = decode_header(self._encoded_header)
            # The connect is signed as POST /graphql/connect with body "{}" (reference 1.2).
            await self.authenticate(header, body="{}", path=CONNECT_PATH)
        except (HeaderDecodeError, AuthError) as exc:
            logger.info("real-time connect rejected: %s", exc)
            return errors.unauthorized_connect()
        except Exception:
            logger.exception("real-time connect authentication failed")
            return errors.internal_failure()
        return None

    async def _close_later(self, delay_s: float, reason: str) -> None:
        await asyncio.sleep(delay_s)
        self.outbox.close_after_pending(CLOSE_NORMAL, reason)

    async def _init_timeout(self) -> None:
        await asyncio.sleep(self.limits.connection_init_timeout_s)
        if self.machine.state is ConnectionState.AWAITING_INIT:
            self.close(CLOSE_INIT_TIMEOUT, "Connection initialisation timeout")

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.limits.keepalive_s)
            self.outbox.send(frames.keep_alive())

    def _become_ready(self) -> None:
        if self.machine.state is ConnectionState.AWAITING_INIT:
            self.machine.advance(ConnectionState.READY)
            self.spawn(self._keep_alive())

    # ----------------------------------------------------------------- frames
    def on_text(self, text: str) -> None:
        state = self.machine.state
        if state is ConnectionState.CLOSED:
            if self._connect_rejected:
                self.outbox.close_after_pending(CLOSE_NORMAL, "Unauthorized")
            return
        try:
            message = frames.parse_client_frame(text)
        except errors.FrameError as exc:
            self.outbox.send(frames.error(exc.op_id, [exc.error]))
            return
        if isinstance(message, frames.ConnectionInit):
            self._on_connection_init()
        elif isinstance(message, frames.Start):
            self._on_start(message)
        else:
            self._on_stop(message)

    def _on_connection_init(self) -> None:
        first = self.machine.state is ConnectionState.AWAITING_INIT
        self._become_ready()
        self.outbox.send(frames.connection_ack())
        if first:
            # A `ka` right after the ack, as AWS does; then every keepalive_s (reference 1.5).
            self.outbox.send(frames.keep_alive())

    def _on_start(self, start: frames.Start) -> None:
        self._become_ready()  # connection_init is optional (reference 1.3)
        operation = self.reserve(start.op_id)
        if operation is not None:
            self.spawn(self._authorize_and_subscribe(operation, start))

    async def _authorize_and_subscribe(self, operation: Operation, start: frames.Start) -> None:
        # Each start is authorized on its own, possibly in another mode (reference 1.2);
        # IAM signs POST /graphql over exactly the `payload.data` string.
        try:
            auth = await self.authenticate(start.authorization, body=start.data, path=START_PATH)
        except AuthError as exc:
            self.reject(operation, [errors.unauthorized_start(exc.error_type, exc.message)])
            return
        except Exception:
            logger.exception("authorizing start %r failed", operation.op_id)
            self.reject(operation, [errors.internal_failure()])
            return
        await self.subscribe(operation, start.request, auth, lowercase_headers(start.authorization))

    def _on_stop(self, stop: frames.Stop) -> None:
        self._become_ready()
        self.unsubscribe(stop.op_id)
        # Answer `complete` even for an id that is not live: a client waiting for it after
        # a failed start would otherwise hang (AWS behaviour for unknown ids not documented).
        self.outbox.send(frames.complete(stop.op_id))

    # ----------------------------------------------------------------- hooks
    def data_envelope(self, op_id: OpId) -> tuple[str, str]:
        return frames.data_envelope(op_id)

    def send_operation_error(self, op_id: OpId, error_objects: list[dict[str, Any]]) -> None:
        self.outbox.send(frames.error(op_id, error_objects))

    def on_subscribed(self, op_id: OpId) -> None:
        self.outbox.send(frames.start_ack(op_id))
