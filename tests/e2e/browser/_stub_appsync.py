"""A scripted AppSync real-time server and a static file server, for testing realtime.js alone.

The stub speaks just enough of the AppSync dialect (reference section 1) to observe what the
browser client sends, and lets a test misbehave on purpose: drop connections, withhold
keep-alives, refuse a start as Unauthorized.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve

HARNESS = b"""<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; connect-src 'self' ws://127.0.0.1:*; require-trusted-types-for 'script'; trusted-types 'none'">
<title>realtime.js harness</title></head><body></body></html>"""


def decode_header(text: str) -> dict[str, Any]:
    text = text.replace("-", "+").replace("_", "/")
    return json.loads(base64.b64decode(text + "=" * (-len(text) % 4)))  # type: ignore[no-any-return]


@dataclass
class Connection:
    ws: ServerConnection
    offered: list[str]
    header: dict[str, Any] | None
    header_via: str | None
    frames: list[dict[str, Any]] = field(default_factory=list)


class StubAppSync:
    def __init__(self) -> None:
        self.connections: list[Connection] = []
        self.connection_timeout_ms = 300000
        self.send_keepalives = True
        self.unauthorized_starts = 0  # refuse this many next starts as Unauthorized
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    # -- control (from the test thread) -------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(10)

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def push(self, sub_id: str, data: dict[str, Any]) -> None:
        frame = json.dumps({"type": "data", "id": sub_id, "payload": {"data": data}})
        self.call(self._send_all(frame))

    def drop_all(self) -> None:
        """Cut every connection without a close frame (the client sees 1006)."""

        async def drop() -> None:
            for conn in self.connections:
                conn.ws.transport.abort()

        self.call(drop())

    def frames(self, kind: str) -> list[dict[str, Any]]:
        return [f for c in list(self.connections) for f in list(c.frames) if f.get("type") == kind]

    # -- server ------------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop: asyncio.Future[None] = self.loop.create_future()

        def select(conn: ServerConnection, offered: Any) -> Any:
            return "graphql-ws" if "graphql-ws" in offered else None

        async with serve(self._handler, "127.0.0.1", 0, select_subprotocol=select) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop

    async def _send_all(self, frame: str) -> None:
        for conn in self.connections:
            if conn.ws.state.name == "OPEN":
                await conn.ws.send(frame)

    async def _handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        offered = [p.strip() for p in
                   (ws.request.headers.get("Sec-WebSocket-Protocol") or "").split(",")]
        header, via = None, None
        for proto in offered:
            if proto.startswith("header-"):
                header, via = decode_header(proto[len("header-"):]), "subprotocol"
        query = parse_qs(urlsplit(ws.request.path).query)
        if header is None and "header" in query:
            header, via = decode_header(query["header"][0]), "query"
        conn = Connection(ws, offered, header, via)
        self.connections.append(conn)
        async for text in ws:
            frame = json.loads(text)
            conn.frames.append(frame)
            kind = frame.get("type")
            if kind == "connection_init":
                await ws.send(json.dumps({"type": "connection_ack", "payload": {
                    "connectionTimeoutMs": self.connection_timeout_ms}}))
                if self.send_keepalives:
                    await ws.send('{"type":"ka"}')
            elif kind == "start":
                if self.unauthorized_starts > 0:
                    self.unauthorized_starts -= 1
                    await ws.send(json.dumps({"type": "error", "id": frame["id"], "payload": {
                        "errors": [{"errorType": "UnauthorizedException",
                                    "message": "Token has expired."}]}}))
                else:
                    await ws.send(json.dumps({"type": "start_ack", "id": frame["id"]}))
            elif kind == "stop":
                await ws.send(json.dumps({"type": "complete", "id": frame["id"]}))


class _Files(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/__harness.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(HARNESS)))
            self.end_headers()
            self.wfile.write(HARNESS)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """Serve `directory` (plus /__harness.html) on 127.0.0.1; yields the origin."""
    handler = functools.partial(_Files, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
