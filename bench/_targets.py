"""The three fan-out targets behind one interface: start, publish one event, stop.

- ours: `python -m appsync_local run --template bench/fixtures/fanout/template.yaml
  --in-memory` (the real runtime: HTTP -> engine -> NONE echo -> subscription hub ->
  per-connection outboxes -> uvicorn's WebSocket).
- peer: amplify-appsync-simulator@2.4.1 (bench/peer/server.js), same SDL, VTL echo.
- ceiling: bench._ceiling_server, a raw `websockets.broadcast` of the same frame.

A publish returns when the server answered, like a mutation's HTTP response.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import aiohttp

from ._machine import REPO
from ._procs import Server, free_port, start_json_line_server, start_runtime

FIXTURE = REPO / "bench" / "fixtures" / "fanout"
PEER_DIR = REPO / "bench" / "peer"
PUBLISH = ("mutation P($c: String!, $s: Int!, $t: String!, $b: String!) "
           "{ publish(channel: $c, seq: $s, sentAt: $t, body: $b) "
           "{ channel seq sentAt body } }")
SUBSCRIBE = "subscription S($c: String!) { onPublish(channel: $c) { channel seq sentAt body } }"
CHANNEL = "bench"


class Publisher(Protocol):
    async def publish(self, event: dict[str, Any]) -> None: ...
    async def close(self) -> None: ...


@dataclass
class Target:
    name: str  # "ours" | "peer" | "ceiling"
    description: str
    server: Server
    realtime_url: str
    header: dict[str, str]
    publisher: Publisher

    async def close(self) -> None:
        await self.publisher.close()
        self.server.stop()


class HttpPublisher:
    """POST the publish mutation with the API key (one keep-alive connection pool)."""

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.headers = {"x-api-key": api_key, "content-type": "application/json"}
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=16))

    async def publish(self, event: dict[str, Any]) -> None:
        body = {"query": PUBLISH, "variables": {"c": event["channel"], "s": event["seq"],
                                                  "t": event["sentAt"], "b": event["body"]}}
        for attempt in (1, 2):
            try:
                async with self.session.post(self.url, json=body,
                                             headers=self.headers) as response:
                    answer = await response.json(content_type=None)
                break
            except (aiohttp.ClientConnectionError, ConnectionResetError):
                # A keep-alive connection the server closed while idle (uvicorn: after 5 s)
                # can be reused by the client at the same moment: send once more on a new one.
                if attempt == 2:
                    raise
        if response.status != 200 or answer.get("errors"):
            raise RuntimeError(f"publish failed: {response.status} {str(answer)[:300]}")

    async def close(self) -> None:
        await self.session.close()


class ControlPublisher:
    """The ceiling's trigger: one message on its control WebSocket, answered after broadcast."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = aiohttp.ClientSession()
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        # One request/answer at a time on the socket, like one HTTP request per event; the
        # server answers right after its broadcast, so a burst is hardly slowed by it.
        self.lock = asyncio.Lock()

    async def publish(self, event: dict[str, Any]) -> None:
        async with self.lock:
            if self.ws is None:
                # The server only speaks graphql-ws; the control socket offers it too.
                self.ws = await self.session.ws_connect(self.url, autoping=False,
                                                        protocols=("graphql-ws",))
            await self.ws.send_str(json.dumps({"field": "onPublish", "event": event}))
            await self.ws.receive()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        await self.session.close()


def peer_missing() -> str | None:
    """Why the peer cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed (Debian: apt-get install -y nodejs npm)"
    if not (PEER_DIR / "node_modules" / "amplify-appsync-simulator").is_dir():
        return "the peer is not installed: run `cd bench/peer && npm ci`"
    return None


def start_ours(work: Path) -> Target:
    server = start_runtime("ours-fanout", FIXTURE / "template.yaml", work / "ours-state",
                           in_memory=True)
    info = server.info
    host = urlparse(info["graphqlUrl"]).netloc
    header = {"host": host, "x-api-key": info["apiKey"]}
    return Target("ours", "appsync_local (python -m appsync_local run --in-memory)", server,
                  info["realtimeUrl"], header, HttpPublisher(info["graphqlUrl"], info["apiKey"]))


def start_peer(work: Path) -> Target:
    api_key = "da2-" + secrets.token_hex(13)
    port, ws_port = free_port(), free_port()
    server = start_json_line_server(
        "peer-fanout", ["node", str(PEER_DIR / "server.js"), str(FIXTURE / "schema.graphql"),
                        str(port), str(ws_port), api_key], work, cwd=PEER_DIR)
    header = {"host": f"127.0.0.1:{port}", "x-api-key": api_key}
    return Target("peer", "amplify-appsync-simulator@2.4.1 (VTL echo, NONE data source)",
                  server, server.info["realtimeUrl"], header,
                  HttpPublisher(server.info["graphqlUrl"], api_key))


def start_ceiling(work: Path) -> Target:
    port = free_port()
    server = start_json_line_server(
        "ceiling-fanout", [sys.executable, "-m", "bench._ceiling_server", str(port)], work)
    header = {"host": f"127.0.0.1:{port}", "x-api-key": "unused"}
    return Target("ceiling", "raw websockets.broadcast of the same frame (no GraphQL)", server,
                  server.info["url"], header, ControlPublisher(server.info["control"]))
