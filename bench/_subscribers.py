"""A subscriber worker process: N AppSync real-time connections, one subscription each.

Runs as `python -m bench._subscribers` and is driven by its parent over stdin/stdout, one
JSON object per line:

  parent -> {"cmd": "wait", "count": C, "timeout": s}   reply when C data frames arrived
  parent -> {"cmd": "collect"}                          reply with the frames, then forget them
  parent -> {"cmd": "close"}                            close every socket and exit

The hot path only timestamps and stores each raw frame (`time.monotonic_ns()` right after
the socket read); JSON is parsed at `collect`, after the measurement, so the client spends
as little as possible per frame. CLOCK_MONOTONIC is one clock for every process on a Linux
machine, so a timestamp taken here compares with one taken in the parent.

The worker also reports its own CPU time, so the report can show whether the clients,
rather than the server under test, were the bottleneck.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

CONNECT_CONCURRENCY = 50


class Pool:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.frames: list[tuple[int, int, str]] = []  # (conn index, recv ns, raw frame)
        # Set when `target` frames have arrived; checked per frame without any locking.
        self.reached = asyncio.Event()
        self.target: int | None = None
        self.connections: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.errors: list[str] = []
        self.other_frames: dict[str, int] = {}

    def url(self) -> str:
        header = base64.b64encode(json.dumps(self.spec["header"], separators=(",", ":"))
                                  .encode()).decode()
        return f"{self.spec['url']}?header={header}&payload=e30="

    async def open_all(self) -> None:
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(index: int) -> None:
            async with gate:
                try:
                    await self._open(index)
                except Exception as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")

        await asyncio.gather(*(one(i) for i in range(self.spec["count"])))

    async def _open(self, index: int) -> None:
        ws = await connect(self.url(), subprotocols=["graphql-ws"],  # type: ignore[list-item]
                           compression=self.spec.get("compression"), max_size=None,
                           max_queue=None, ping_interval=None, open_timeout=60)
        await ws.send('{"type":"connection_init","payload":{}}')
        await self._expect(ws, "connection_ack")
        data = json.dumps({"query": self.spec["query"], "variables": self.spec["variables"]})
        await ws.send(json.dumps({"id": "1", "type": "start", "payload": {
            "data": data, "extensions": {"authorization": self.spec["header"]}}}))
        await self._expect(ws, "start_ack")
        self.connections.append(ws)
        self.readers.append(asyncio.create_task(self._read(index, ws)))

    async def _expect(self, ws: ClientConnection, kind: str) -> None:
        while True:
            raw = await asyncio.wait_for(ws.recv(), 60)
            message = json.loads(raw)
            if message.get("type") == kind:
                return
            if message.get("type") in ("error", "connection_error"):
                raise RuntimeError(f"expected {kind}, got {raw!r}"[:500])

    async def _read(self, index: int, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                now = time.monotonic_ns()
                text = raw if isinstance(raw, str) else raw.decode()
                # Every server measured here starts data frames with '{"type":"data"';
                # anything else is keep-alive or control and is only counted.
                if '"type":"data"' in text[:32]:
                    self.frames.append((index, now, text))
                    if self.target is not None and len(self.frames) >= self.target:
                        self.target = None
                        self.reached.set()
                else:
                    kind = json.loads(text).get("type", "?")
                    self.other_frames[kind] = self.other_frames.get(kind, 0) + 1
        except Exception as exc:  # a dropped connection is a result, not a crash
            self.errors.append(f"conn {index}: {type(exc).__name__}: {exc}")

    async def wait(self, count: int, timeout: float) -> bool:
        if len(self.frames) >= count:
            return True
        self.reached.clear()
        self.target = count
        try:
            await asyncio.wait_for(self.reached.wait(), timeout)
            return True
        except TimeoutError:
            self.target = None
            return False

    def collect(self) -> list[list[Any]]:
        rows: list[list[Any]] = []
        fields = self.spec["fields"]
        frames, self.frames = self.frames, []
        for index, recv_ns, text in frames:
            message = json.loads(text)
            data = (message.get("payload") or {}).get("data") or {}
            event = data.get(self.spec["field"]) or {}
            rows.append([index, recv_ns, {name: event.get(name) for name in fields}])
        return rows

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.connections), return_exceptions=True)


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**26)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    spec = json.loads(await reader.readline())
    pool = Pool(spec)
    started = time.monotonic()
    await pool.open_all()
    reply({"ready": len(pool.connections), "errors": pool.errors[:5],
           "connect_s": time.monotonic() - started})
    while True:
        line = await reader.readline()
        if not line:
            break
        command = json.loads(line)
        if command["cmd"] == "wait":
            ok = await pool.wait(command["count"], command["timeout"])
            reply({"ok": ok, "count": len(pool.frames)})
        elif command["cmd"] == "collect":
            reply({"rows": pool.collect(), "cpu_s": time.process_time(),
                   "errors": pool.errors[:5], "open": sum(1 for t in pool.readers if not t.done()),
                   "other": pool.other_frames})
        elif command["cmd"] == "close":
            await pool.close()
            reply({"closed": True})
            break


def reply(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
