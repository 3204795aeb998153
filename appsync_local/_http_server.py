"""The runtime's HTTP side: socket, Starlette app composition, uvicorn without its signals."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the runtime owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


def build_app(http_routes: Iterable[BaseRoute], realtime_routes: Iterable[BaseRoute],
              static_dir: Path | None, web_config: Mapping[str, Any] | None = None) -> Starlette:
    """The API routes, then (with a static dir) the web UI's config.json and its files."""
    routes: list[BaseRoute] = [*http_routes, *realtime_routes]
    if static_dir is not None:
        if web_config is not None:
            config = dict(web_config)

            async def config_json(_request: Request) -> Response:
                # no-store: the port (hence every URL) changes between runs.
                return JSONResponse(config, headers={"cache-control": "no-store"})

            # Before the mount, so it wins over a config.json file in the directory.
            routes.append(Route("/config.json", config_json, methods=["GET", "HEAD"]))
        # Last: the API paths win; everything else is the web UI (index.html at /).
        routes.append(Mount("/", app=StaticFiles(directory=static_dir, html=True),
                            name="static"))
    return Starlette(routes=routes)


def build_server(app: Starlette, tls_cert: Path | None, tls_key: Path | None) -> uvicorn.Server:
    config = uvicorn.Config(
        app, log_config=None, lifespan="off", timeout_graceful_shutdown=3,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )
    return _Server(config)


async def until_started(server: uvicorn.Server, serving: asyncio.Task[Any]) -> None:
    """Return once uvicorn accepts connections; raise what stopped it otherwise."""
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("the HTTP server stopped during startup")
        await asyncio.sleep(0.02)


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind now, so the real port is known before functions get their environment."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on accepted sockets whose
    # protocol is TCP; with protocol 0 every keep-alive response after the first waited
    # ~40 ms for the client's delayed ACK (found by `make bench`).
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror} "
                      "(another `make run`? choose another PORT=)") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


async def finish_tasks(tasks: list[asyncio.Task[Any]], timeout_s: float) -> None:
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=timeout_s)
    for task in pending:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
