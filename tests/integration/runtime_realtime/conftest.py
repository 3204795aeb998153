"""Real sockets on 127.0.0.1: uvicorn serving the hub's routes inside the test's event loop.

Auth is core's real Authenticator (API key + a Cognito pool with an inline test JWKS);
the engine is the fake in _fakes.py until a test opts into core's Engine.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jwt
import pytest
import uvicorn
import websockets
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette

from appsync_local.auth import (
    ApiKey,
    AuthConfig,
    Authenticator,
    AuthMode,
    IamPrincipal,
    UserPoolProvider,
)
from appsync_local.realtime import SubscriptionHub

from ._fakes import FakeEngine

API_KEY = "da2-localtestkey0000000000"
REGION = "us-east-1"
POOL_ID = "us-east-1_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
GQL_HOST = "example123.appsync-api.us-east-1.amazonaws.com"  # `host` clients put in headers
API_KEY_HEADER = {"host": GQL_HOST, "x-api-key": API_KEY}
IAM_ACCESS_KEY_ID = "AKIALOCALTEST0000000"
IAM_SECRET = "local-secret-for-realtime-tests"
SUBSCRIPTION = (
    "subscription S($channel: String) { onEvent(channel: $channel) { channel body seq } }"
)

_SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_JWK = {
    **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(_SIGNING_KEY.public_key())),
    "kid": "test-kid",
    "alg": "RS256",
    "use": "sig",
}


def make_jwt(sub: str = "user-1", **claims: Any) -> str:
    """A Cognito-shaped access token signed with the test pool's key."""
    now = int(time.time())
    body = {
        "sub": sub,
        "iss": ISSUER,
        "token_use": "access",
        "client_id": "testclient",
        "username": sub,
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(body, _SIGNING_KEY, algorithm="RS256", headers={"kid": "test-kid"})


def make_authenticator() -> Authenticator:
    return Authenticator(
        AuthConfig(
            default_mode=AuthMode.API_KEY,
            additional_modes=(AuthMode.AMAZON_COGNITO_USER_POOLS, AuthMode.AWS_IAM),
            region=REGION,
            api_keys=(ApiKey(API_KEY),),
            iam_principals=(IamPrincipal(IAM_ACCESS_KEY_ID, IAM_SECRET),),
            user_pools=(
                UserPoolProvider(user_pool_id=POOL_ID, region=REGION, jwks={"keys": [_JWK]}),
            ),
        )
    )


def b64(obj: Any) -> str:
    return base64.b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()


def b64url_nopad(obj: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def start_frame(
    op_id: Any,
    query: str = SUBSCRIPTION,
    variables: dict[str, Any] | None = None,
    authorization: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data = json.dumps({"query": query, "variables": variables or {}})
    return {
        "id": op_id,
        "type": "start",
        "payload": {
            "data": data,
            "extensions": {"authorization": authorization or API_KEY_HEADER},
        },
    }


@dataclass
class Runtime:
    """One running server: its port, hub and fake engine."""

    port: int
    hub: SubscriptionHub
    engine: Any

    def url(self, path: str = "/graphql") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def appsync_url(self, header: Any = API_KEY_HEADER, path: str = "/graphql") -> str:
        return f"{self.url(path)}?header={quote(b64(header))}&payload=e30="

    async def connect(
        self, header: Any = API_KEY_HEADER, path: str = "/graphql", **kwargs: Any
    ) -> websockets.ClientConnection:
        kwargs.setdefault("subprotocols", ["graphql-ws"])
        return await websockets.connect(self.appsync_url(header, path), **kwargs)

    async def acked(self, **kwargs: Any) -> websockets.ClientConnection:
        """Connected, `connection_init` sent, ack and first `ka` consumed."""
        ws = await self.connect(**kwargs)
        await send(ws, {"type": "connection_init", "payload": {}})
        assert (await recv(ws))["type"] == "connection_ack"
        assert (await recv(ws))["type"] == "ka"
        return ws

    async def subscribed(self, ws: websockets.ClientConnection, op_id: Any, **start: Any) -> None:
        await send(ws, start_frame(op_id, **start))
        assert await recv(ws, skip_ka=True) == {"type": "start_ack", "id": op_id}


async def send(ws: websockets.ClientConnection, frame: Any) -> None:
    await ws.send(frame if isinstance(frame, str) else json.dumps(frame))


async def recv(
    ws: websockets.ClientConnection, *, skip_ka: bool = False, guard_s: float = 10.0
) -> dict[str, Any]:
    """Next frame; `guard_s` only stops a broken test from hanging, it asserts nothing."""
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), guard_s))
        if not (skip_ka and frame.get("type") == "ka"):
            return frame


async def wait_until(predicate: Callable[[], bool], guard_s: float = 10.0) -> None:
    """Poll server-side state (e.g. a subscription registered); fails only after the guard."""
    deadline = asyncio.get_running_loop().time() + guard_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.005)


@asynccontextmanager
async def serve(app: Starlette, **uvicorn_options: Any) -> AsyncIterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2, **uvicorn_options
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await wait_until(lambda: server.started or task.done())
    try:
        yield port
    finally:
        server.should_exit = True
        await task


RuntimeFactory = Callable[..., Awaitable[Runtime]]


@pytest.fixture
async def make_runtime() -> AsyncIterator[RuntimeFactory]:
    stack: list[Any] = []

    async def factory(engine: Any = None, **hub_kwargs: Any) -> Runtime:
        engine = engine if engine is not None else FakeEngine()
        hub = SubscriptionHub(engine, make_authenticator(), **hub_kwargs)
        context = serve(Starlette(routes=hub.routes()))
        port = await context.__aenter__()
        stack.append(context)
        return Runtime(port, hub, engine)

    yield factory
    for context in reversed(stack):
        await context.__aexit__(None, None, None)


@pytest.fixture
async def runtime(make_runtime: RuntimeFactory) -> Runtime:
    return await make_runtime()
