"""One WebSocket connection: its tasks, outbox, operations; dialects parse the frames.

Tasks per connection: a reader (client frames), a writer (the outbox), a lifetime timer
(maximum connection duration, AWS: 24 h), dialect timers, and one task per operation
being prepared (a subscription resolver may invoke a Lambda; other frames keep flowing).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from starlette.websockets import WebSocket

from . import errors
from .outbox import Outbox, Subscriber
from .ports import GraphQLRequestError, RequestAuth
from .protocol import (
    ConnectionMachine,
    ConnectionState,
    Operation,
    OperationState,
    OperationTable,
    OpId,
)

if TYPE_CHECKING:
    from .hub import SubscriptionHub

logger = logging.getLogger(__name__)

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_INTERNAL_ERROR = 1011


class Session(ABC):
    """Shared connection machinery; subclasses implement one wire dialect."""

    def __init__(self, websocket: WebSocket, hub: SubscriptionHub) -> None:
        self.websocket = websocket
        self.hub = hub
        self.limits = hub.limits
        self.machine = ConnectionMachine()
        self.operations = OperationTable(self.limits.max_subscriptions)
        self.outbox = Outbox(
            websocket, max_frames=self.limits.send_queue_frames, on_overflow=self._on_overflow
        )
        self._subscribers: dict[Operation, Subscriber] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._done = asyncio.Event()  # set when the session should stop serving
        self._ended = asyncio.Event()  # set once it has released everything

    # ----------------------------------------------------------------- dialect hooks
    @abstractmethod
    async def open(self) -> None:
        """Runs before any client frame is read (connect authentication, timers)."""

    @abstractmethod
    def on_text(self, text: str) -> None:
        """Handle one client frame; must not block (spawn tasks for slow work)."""

    @abstractmethod
    def data_envelope(self, op_id: OpId) -> tuple[str, str]:
        """Frame text around a serialized event payload for this operation."""

    @abstractmethod
    def send_operation_error(self, op_id: OpId, error_objects: list[dict[str, Any]]) -> None:
        """Tell the client that the operation `op_id` failed."""

    @abstractmethod
    def on_subscribed(self, op_id: OpId) -> None:
        """The operation is live (AppSync answers `start_ack`)."""

    # ----------------------------------------------------------------- lifecycle
    async def run(self) -> None:
        """Serve the connection until it closes; always releases its subscriptions."""
        self.hub.sessions.add(self)
        writer = asyncio.create_task(self._write())
        try:
            await self.open()
            self.spawn(self._read())
            self.spawn(self._expire_after(self.limits.max_connection_s))
            await self._done.wait()
        finally:
            self._enter_closed()
            writer.cancel()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(writer, *self._tasks, return_exceptions=True)
            for subscriber in self._subscribers.values():
                self.hub.remove(subscriber)
            self._subscribers.clear()
            self.hub.sessions.discard(self)
            self._ended.set()

    async def wait_closed(self) -> None:
        """Return once `run()` has finished and released the connection's subscriptions."""
        await self._ended.wait()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self, code: int = CLOSE_NORMAL, reason: str = "") -> None:
        """Flush queued frames, then close the socket (the writer ends the session)."""
        self._enter_closed()
        self.outbox.close_after_pending(code, reason)

    def _enter_closed(self) -> None:
        if self.machine.state is not ConnectionState.CLOSED:
            self.machine.advance(ConnectionState.CLOSED)

    def _on_overflow(self) -> None:
        # The client stopped reading; a close frame would queue behind the stalled data,
        # so end the session at once and let the server drop the transport.
        logger.warning(
            "disconnecting a client that cannot keep up (%d frames queued)",
            self.limits.send_queue_frames,
        )
        self._enter_closed()
        self._done.set()

    async def _write(self) -> None:
        try:
            await self.outbox.run()
        except Exception as exc:  # the client went away mid-send
            logger.debug("send failed: %r", exc)
        finally:
            self._done.set()

    async def _read(self) -> None:
        while True:
            try:
                message = await self.websocket.receive()
            except Exception as exc:  # the transport failed under us
                logger.debug("receive failed: %r", exc)
                break
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
            try:
                self.on_text(text)
            except Exception:
                # A bug here (e.g. an IllegalTransitionError) must be loud and must not leave
                # a half-updated connection serving; the writer ends the session once the
                # close frame is out.
                logger.exception("handling a client frame failed")
                self.close(CLOSE_INTERNAL_ERROR, "Internal error")
                return
        self._done.set()

    async def _expire_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        # AWS closes after the maximum duration and clients reconnect (reference 1.5).
        self.close(CLOSE_NORMAL, "Maximum connection duration reached")

    async def authenticate(self, header: Mapping[str, Any], *, body: str, path: str) -> RequestAuth:
        """Core's authenticator, off the event loop: a first JWKS fetch is blocking I/O.

        Raises AuthError.
        """
        client = self.websocket.client
        return await asyncio.to_thread(
            self.hub.authenticator.authenticate_realtime,
            header,
            body=body,
            path=path,
            source_ip=client.host if client else None,
        )

    # ----------------------------------------------------------------- operations
    def reserve(self, op_id: OpId) -> Operation | None:
        """Reserve an id, answering duplicate/limit violations; None when refused."""
        try:
            return self.operations.reserve(op_id)
        except errors.OperationRejectedError as exc:
            self.send_operation_error(op_id, [exc.error])
            return None

    async def subscribe(
        self,
        operation: Operation,
        request: dict[str, Any],
        auth: RequestAuth,
        headers: Mapping[str, str],
    ) -> None:
        """Prepare through the engine, then register the subscriber with the hub."""
        try:
            prepared = await self.hub.engine.prepare_subscription(request, auth, headers)
        except GraphQLRequestError as exc:
            self.reject(operation, list(exc.errors))
            return
        except Exception:
            logger.exception("preparing subscription %r failed", operation.op_id)
            self.reject(operation, [errors.internal_failure()])
            return
        if self.machine.state is ConnectionState.CLOSED or not self.operations.activate(operation):
            return  # stopped (or disconnected) while it was being prepared
        prefix, suffix = self.data_envelope(operation.op_id)
        subscriber = Subscriber(self.outbox, prefix, suffix)
        # Register before acknowledging: an event published right after the ack must arrive.
        self.hub.add(subscriber, prepared, request, auth)
        self._subscribers[operation] = subscriber
        self.on_subscribed(operation.op_id)

    def reject(self, operation: Operation, error_objects: list[dict[str, Any]]) -> None:
        if operation.state is OperationState.STOPPED:
            return  # the client already stopped it; it expects nothing more for this id
        self.operations.discard(operation)
        self.send_operation_error(operation.op_id, error_objects)

    def unsubscribe(self, op_id: OpId) -> Operation | None:
        """Stop a live operation; returns it, or None when the id was not live."""
        operation = self.operations.release(op_id)
        if operation is not None:
            subscriber = self._subscribers.pop(operation, None)
            if subscriber is not None:
                self.hub.remove(subscriber)
        return operation
