"""A raw AppSync real-time client (reference 1.2/1.3) with full control over every frame."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from ._runtime import RelRuntime

FRAME_TIMEOUT_S = 30.0


def header_param(header: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(header, separators=(",", ":")).encode()).decode()


@dataclass
class Conversation:
    """One connection: every frame received (keep-alives dropped) and how it ended."""

    ws: ClientConnection
    received: list[dict[str, Any]] = field(default_factory=list)
    unparsable: list[str] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""

    async def send(self, frame: str | bytes | dict[str, Any]) -> bool:
        """False when the connection is already closed."""
        text = json.dumps(frame) if isinstance(frame, dict) else frame
        try:
            await self.ws.send(text)
            return True
        except websockets.ConnectionClosed as exc:
            self._closed(exc)
            return False

    async def next_frame(self, timeout: float = FRAME_TIMEOUT_S) -> dict[str, Any] | None:
        """The next non-ka frame; None when the connection closed or nothing came in time."""
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), timeout)
            except websockets.ConnectionClosed as exc:
                self._closed(exc)
                return None
            except TimeoutError:
                return None
            try:
                frame = json.loads(raw)
            except ValueError:
                self.unparsable.append(str(raw)[:200])
                continue
            if not isinstance(frame, dict):
                self.unparsable.append(str(raw)[:200])
                continue
            if frame.get("type") == "ka":
                continue
            self.received.append(frame)
            return frame

    async def until(self, types: set[str], timeout: float = FRAME_TIMEOUT_S
                    ) -> dict[str, Any] | None:
        while True:
            frame = await self.next_frame(timeout)
            if frame is None or frame.get("type") in types:
                return frame

    def _closed(self, exc: websockets.ConnectionClosed) -> None:
        if exc.rcvd is not None:
            self.close_code, self.close_reason = exc.rcvd.code, exc.rcvd.reason
        elif self.close_code is None:
            self.close_code = 1006

    async def close(self) -> None:
        await self.ws.close()


async def open_conversation(rt: RelRuntime, header: dict[str, Any] | None,
                            *, init: bool = True) -> tuple[Conversation, dict[str, Any] | None]:
    """Connect (query-string header form, as gql does), send connection_init, return the
    first answer (connection_ack or connection_error; None if the socket closed)."""
    url = rt.realtime_url
    if header is not None:
        url += f"?header={header_param(header)}&payload=e30="
    ws = await websockets.connect(url, subprotocols=["graphql-ws"],  # type: ignore[list-item]
                                  open_timeout=FRAME_TIMEOUT_S, max_size=2**24)
    conv = Conversation(ws)
    if not init:
        return conv, None
    await conv.send({"type": "connection_init"})
    first = await conv.until({"connection_ack", "connection_error", "error"})
    return conv, first


def start_frame(op_id: str, query: str, variables: dict[str, Any],
                authorization: dict[str, Any] | None, data: str | None = None) -> dict[str, Any]:
    data = data if data is not None else json.dumps({"query": query, "variables": variables})
    payload: dict[str, Any] = {"data": data}
    if authorization is not None:
        payload["extensions"] = {"authorization": authorization}
    return {"id": op_id, "type": "start", "payload": payload}
