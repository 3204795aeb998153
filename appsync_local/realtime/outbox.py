"""Per-connection bounded send queue drained by one writer task.

Fan-out only ever enqueues (never awaits a socket), so one slow client cannot hold up
delivery to the others. A client whose queue is full is disconnected: the alternative,
buffering without bound, lets one stalled browser tab grow the server's memory forever.
AWS does not document what it does with slow consumers; this is the emulator's choice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)


class TextSocket(Protocol):
    """The part of a Starlette WebSocket the writer needs."""

    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str


class Outbox:
    """Frames for one client, sent in order by `run()`."""

    def __init__(
        self, socket: TextSocket, *, max_frames: int, on_overflow: Callable[[], None]
    ) -> None:
        # +1 leaves room for the close marker even when the data frames filled the bound.
        self._queue: asyncio.Queue[str | _Close] = asyncio.Queue(max_frames + 1)
        self._max_frames = max_frames
        self._socket = socket
        self._on_overflow = on_overflow
        self._accepting = True

    @property
    def accepting(self) -> bool:
        return self._accepting

    def send(self, frame: dict[str, Any]) -> bool:
        return self.send_text(json.dumps(frame, separators=(",", ":")))

    def send_text(self, text: str) -> bool:
        """Queue one frame; False when closed or, on overflow, after reporting it."""
        if not self._accepting:
            return False
        if self._queue.qsize() >= self._max_frames:
            self._accepting = False
            self._on_overflow()
            return False
        self._queue.put_nowait(text)
        return True

    def close_after_pending(self, code: int = 1000, reason: str = "") -> None:
        """Send what is queued, then close the WebSocket; later frames are refused."""
        if self._accepting:
            self._accepting = False
            self._queue.put_nowait(_Close(code, reason))

    async def run(self) -> None:
        """Write frames until the close marker; returns after closing the socket."""
        while True:
            item = await self._queue.get()
            if isinstance(item, _Close):
                await self._socket.close(item.code, item.reason)
                return
            await self._socket.send_text(item)


@dataclass(eq=False)
class Subscriber:
    """One live operation on one connection: where its `data`/`next` frames go."""

    outbox: Outbox
    prefix: str  # frame text before the serialized payload (type and the client's id)
    suffix: str
