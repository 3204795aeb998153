"""The fan-out ceiling: a raw `websockets` broadcast server speaking just enough AppSync.

It acknowledges `connection_init` and `start` like AppSync (so the very same subscriber
clients connect to it), then does no GraphQL work at all: each event that arrives on the
control path `/control` is wrapped once into an AppSync `data` frame and handed to
`websockets.broadcast`. Nothing written in Python can push the same frames to the same
sockets with much less work, hence "the practical ceiling".

usage: python -m bench._ceiling_server PORT   (prints {"ready": true, ...} when listening)
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

SUBSCRIBERS: set[ServerConnection] = set()


async def handler(ws: ServerConnection) -> None:
    path = ws.request.path if ws.request is not None else "/"
    if path.startswith("/control"):
        await control(ws)
        return
    await subscriber(ws)


async def subscriber(ws: ServerConnection) -> None:
    try:
        async for raw in ws:
            message: dict[str, Any] = json.loads(raw)
            kind = message.get("type")
            if kind == "connection_init":
                await ws.send('{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}')
            elif kind == "start":
                # Every client of the benchmark uses id "1"; the frame is shared as is.
                await ws.send(json.dumps({"type": "start_ack", "id": message.get("id")}))
                SUBSCRIBERS.add(ws)
            elif kind == "stop":
                SUBSCRIBERS.discard(ws)
                await ws.send(json.dumps({"type": "complete", "id": message.get("id")}))
    finally:
        SUBSCRIBERS.discard(ws)


async def control(ws: ServerConnection) -> None:
    """Each text message is an event: {"field": ..., "event": {...}} -> one broadcast."""
    async for raw in ws:
        message = json.loads(raw)
        frame = json.dumps(
            {"type": "data", "id": "1",
             "payload": {"data": {message["field"]: message["event"]}}},
            separators=(",", ":"),
        )
        broadcast(SUBSCRIBERS, frame)
        await ws.send(str(len(SUBSCRIBERS)))


async def main(port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with serve(handler, "127.0.0.1", port, subprotocols=["graphql-ws"],  # type: ignore[list-item]
                     max_queue=None, compression=None, ping_interval=None):
        sys.stdout.write(json.dumps({"ready": True, "url": f"ws://127.0.0.1:{port}/graphql",
                                     "control": f"ws://127.0.0.1:{port}/control",
                                     "pid": os.getpid()}) + "\n")
        sys.stdout.flush()
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
