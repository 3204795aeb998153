"""A room's live messages that survive disconnects: reconnect, resubscribe, fill the gap.

``RoomFeed.events()`` subscribes to ``onMessage(roomId)``; when the connection drops it
waits (exponential backoff with full jitter), subscribes again and - once the server has
acknowledged the subscription - runs ``syncMessages`` from the last change it delivered.
The sync result and whatever the live subscription pushed meanwhile are merged
(``merge.ChangeMerger``): the application sees every change exactly once, in order.

Why sync only after ``start_ack``: a message committed after the sync's read but before
the server registered the subscription would reach neither. Why a look-back: a message's
``_lastChangedAt`` is stamped when its resolver starts, and it commits up to a resolver
timeout later, so changes older than the last one seen can still be in flight.

``syncMessages`` is for users and IAM; with the public API key the catch-up reads the
room's history instead (posts and current versions, but no tombstones).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from . import _documents as doc
from .errors import UNAUTHORIZED, ApiError, AuthError, OfflineError
from .merge import ChangeMerger
from .models import Message
from .operations import ChatClient

logger = logging.getLogger(__name__)

DEFAULT_LOOKBACK_MS = 30_000  # above the resolver timeout (15 s) and AppSync's 30 s limit
START_ACK_TIMEOUT_S = 15.0  # Amplify's START_ACK_TIMEOUT
HISTORY_PAGES = 10  # catch-up bound when only history may be read (API key)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: delay = uniform(0, min(cap, base * factor**n)).

    Jitter spreads the reconnects of many clients after an outage (AWS Architecture Blog,
    "Exponential Backoff And Jitter").
    """

    initial_s: float = 0.5
    maximum_s: float = 30.0
    factor: float = 2.0

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        ceiling = min(self.maximum_s, self.initial_s * self.factor ** min(attempt, 32))
        return rand() * ceiling


@dataclass(frozen=True)
class MessageEvent:
    """A new change of a message (post, edit or tombstone). ``filled``: from gap filling."""

    message: Message
    filled: bool = False


@dataclass(frozen=True)
class ConnectionEvent:
    """The feed's connection state: ``connected`` (``filled`` changes caught up) or
    ``reconnecting`` (in ``delay_s``, because of ``reason``)."""

    state: str
    filled: int = 0
    delay_s: float = 0.0
    reason: str = ""


FeedEvent = MessageEvent | ConnectionEvent


class RoomFeed:
    """Every change of one room, live, across reconnects.

    ``since``: also deliver the changes after this ms timestamp first (e.g. the last
    ``SyncResult.started_at``); None: only what happens from now on.
    """

    def __init__(self, client: ChatClient, room_id: str, *, since: int | None = None,
                 backoff: Backoff | None = None, lookback_ms: int = DEFAULT_LOOKBACK_MS,
                 merger: ChangeMerger | None = None, max_auth_retries: int = 1,
                 clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
                 sleep: Callable[[float], Any] = asyncio.sleep) -> None:
        self.client = client
        self.room_id = room_id
        self.merger = merger or ChangeMerger()
        self._since = since
        self._backoff = backoff or Backoff()
        self._lookback_ms = lookback_ms
        self._synced_at: int | None = None
        self._history_only = False
        self._max_auth_retries = max_auth_retries
        self._clock_ms = clock_ms
        self._sleep = sleep
        self.reconnects = 0

    async def messages(self) -> AsyncIterator[Message]:
        """Only the messages of ``events()``."""
        async for event in self.events():
            if isinstance(event, MessageEvent):
                yield event.message

    async def events(self) -> AsyncIterator[FeedEvent]:
        """Messages and connection changes, forever. Raises ApiError (subscription refused),
        AuthError (credentials no longer accepted)."""
        attempt = auth_failures = 0
        while True:
            try:
                # aclosing: when our consumer stops, the connection closes now, not at GC.
                async with contextlib.aclosing(self._one_connection()) as connection:
                    async for event in connection:
                        if isinstance(event, ConnectionEvent):
                            attempt = auth_failures = 0
                        yield event
                reason = "the server ended the subscription"
            except AuthError:
                auth_failures += 1
                if auth_failures > self._max_auth_retries:
                    raise
                reason = "credentials refused; retrying with refreshed ones"
            except OfflineError as exc:
                reason = str(exc)
            delay = self._backoff.delay(attempt)
            attempt += 1
            self.reconnects += 1
            yield ConnectionEvent("reconnecting", delay_s=delay, reason=reason)
            await self._sleep(delay)

    async def _one_connection(self) -> AsyncGenerator[FeedEvent, None]:
        inbox: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        started = asyncio.Event()
        pump = asyncio.create_task(self._pump(inbox, started), name=f"feed-{self.room_id}")
        try:
            await self._wait_started(started, pump, inbox)
            changes, anchor = await self._catch_up(self._catch_up_from())
            self._synced_at = anchor if anchor is not None else self._synced_at
            live = _drain_messages(inbox)
            filled = self.merger.merge(changes, live)
            yield ConnectionEvent("connected", filled=len(filled))
            for message in filled:
                yield MessageEvent(message, filled=True)
            while True:
                kind, value = await inbox.get()
                if kind == "error":
                    raise value
                if kind == "end":
                    return
                if self.merger.accept(value):
                    yield MessageEvent(value)
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump

    async def _pump(self, inbox: asyncio.Queue[tuple[str, Any]], started: asyncio.Event) -> None:
        try:
            async for data in self.client.transport.subscribe(
                    doc.ON_MESSAGE, {"roomId": self.room_id}, on_started=started.set):
                if data.get("onMessage"):
                    inbox.put_nowait(("message", Message.from_graphql(data["onMessage"])))
            inbox.put_nowait(("end", None))
        except Exception as exc:
            inbox.put_nowait(("error", exc))

    async def _wait_started(self, started: asyncio.Event, pump: asyncio.Task[None],
                            inbox: asyncio.Queue[tuple[str, Any]]) -> None:
        waiter = asyncio.create_task(started.wait())
        try:
            done, _ = await asyncio.wait({waiter, pump}, timeout=START_ACK_TIMEOUT_S,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if pump in done and not started.is_set():
            # The subscription failed before it was acknowledged: its error is queued.
            for kind, value in _drain(inbox):
                if kind == "error":
                    raise value
            raise OfflineError("the subscription ended before the server acknowledged it")
        if not done:
            logger.warning("no start_ack within %.0f s; catching up anyway", START_ACK_TIMEOUT_S)

    async def _catch_up(self, since: int) -> tuple[tuple[Message, ...], int | None]:
        """The changes after ``since``, and the anchor of the next catch-up (server clock)."""
        if not self._history_only:
            try:
                result = await self.client.sync_all(self.room_id, last_sync=since)
                return result.items, result.started_at
            except ApiError as exc:
                if exc.error_type != UNAUTHORIZED:
                    raise
                # syncMessages needs a user or IAM; the public API key may read history.
                self._history_only = True
                logger.info("catching up from history: syncMessages is not allowed here")
        return await self._catch_up_from_history(since)

    async def _catch_up_from_history(self, since: int,
                                     ) -> tuple[tuple[Message, ...], int | None]:
        """Degraded catch-up: history is newest first by creation and has no tombstones,
        so deletes and edits of older messages are not seen; a bounded number of pages.
        The anchor is the newest change read (server clock), None for an empty room."""
        found: list[Message] = []
        anchor: int | None = None
        token: str | None = None
        for _ in range(HISTORY_PAGES):
            page = await self.client.messages(self.room_id, limit=100, next_token=token)
            newer = [m for m in page.items if m.last_changed_at > since]
            found.extend(newer)
            stamps = [m.last_changed_at for m in page.items] + ([anchor] if anchor else [])
            anchor = max(stamps) if stamps else None
            token = page.next_token
            if token is None or len(newer) < len(page.items):
                break
        return tuple(found), anchor

    def _catch_up_from(self) -> int:
        """Where the catch-up sync starts (ms epoch, server clock where known)."""
        marks = [m for m in (self.merger.watermark, self._synced_at) if m is not None]
        if marks:
            return max(0, max(marks) - self._lookback_ms)
        if self._since is not None:
            return self._since
        if self._history_only:
            return 0  # nothing anchored yet (an empty room): everything in it is new
        # First connection, live only: syncing from "now" yields (almost) nothing but
        # anchors the next catch-up on the server's clock (startedAt), not on ours.
        return self._clock_ms()


def _drain(inbox: asyncio.Queue[tuple[str, Any]]) -> list[tuple[str, Any]]:
    items = []
    while not inbox.empty():
        items.append(inbox.get_nowait())
    return items


def _drain_messages(inbox: asyncio.Queue[tuple[str, Any]]) -> list[Message]:
    """Messages pushed while the catch-up ran; an error or end is put back for the live loop."""
    messages: list[Message] = []
    for kind, value in _drain(inbox):
        if kind == "message":
            messages.append(value)
        else:
            inbox.put_nowait((kind, value))
    return messages
