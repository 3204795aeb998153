"""tls.py: a reusable self-signed localhost certificate that real TLS clients accept."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import ssl
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from starlette.applications import Starlette

from appsync_local.realtime import SubscriptionHub
from appsync_local.tls import ensure_localhost_certificate

from ._fakes import FakeEngine
from .conftest import API_KEY, GQL_HOST, SUBSCRIPTION, make_authenticator, serve, wait_until


def test_certificate_is_reused_across_restarts(tmp_path: Path) -> None:
    first = ensure_localhost_certificate(tmp_path)
    cert, key = first.cert_path.read_bytes(), first.key_path.read_bytes()
    second = ensure_localhost_certificate(tmp_path)
    assert (second.cert_path.read_bytes(), second.key_path.read_bytes()) == (cert, key)
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    assert first.cert_path.parent == tmp_path / "tls"


def test_certificate_is_renewed_near_expiry(tmp_path: Path) -> None:
    first = ensure_localhost_certificate(tmp_path).cert_path.read_bytes()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=360)
    assert ensure_localhost_certificate(tmp_path, now=later).cert_path.read_bytes() != first


def test_certificate_is_regenerated_for_a_new_name_or_a_broken_key(tmp_path: Path) -> None:
    files = ensure_localhost_certificate(tmp_path)
    first = files.cert_path.read_bytes()
    renamed = ensure_localhost_certificate(tmp_path, dns_names=("localhost", "dev.test"))
    assert renamed.cert_path.read_bytes() != first
    files.key_path.write_text("garbage")
    repaired = ensure_localhost_certificate(tmp_path, dns_names=("localhost", "dev.test"))
    assert repaired.key_path.read_text() != "garbage"


async def test_wss_on_realtime_path_with_trusted_certificate(tmp_path: Path) -> None:
    # Given the runtime serving TLS with the generated certificate
    files = ensure_localhost_certificate(tmp_path)
    engine = FakeEngine()
    hub = SubscriptionHub(engine, make_authenticator())
    app = Starlette(routes=hub.routes())
    async with serve(
        app, ssl_certfile=str(files.cert_path), ssl_keyfile=str(files.key_path)
    ) as port:
        # When gql connects over wss://localhost/graphql/realtime trusting only that file
        context = ssl.create_default_context(cafile=str(files.cert_path))
        transport = AppSyncWebsocketsTransport(
            url=f"wss://localhost:{port}/graphql/realtime",
            auth=AppSyncApiKeyAuthentication(host=GQL_HOST, api_key=API_KEY),
            ssl=context,
        )
        async with Client(transport=transport) as session:

            async def first_event() -> dict[str, Any]:
                async for result in session.subscribe(GraphQLRequest(SUBSCRIPTION)):
                    return result
                raise AssertionError("subscription ended")

            consumer = asyncio.create_task(first_event())
            await wait_until(lambda: hub.subscription_count == 1)
            await engine.publish("publishEvent", {"channel": "tls", "body": "ok", "seq": 1})
            # Then the event arrives over TLS
            assert (await asyncio.wait_for(consumer, 10))["onEvent"]["channel"] == "tls"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
async def test_node_trusts_it_through_node_extra_ca_certs(tmp_path: Path) -> None:
    files = ensure_localhost_certificate(tmp_path)
    app = Starlette(routes=SubscriptionHub(FakeEngine(), make_authenticator()).routes())
    async with serve(
        app, ssl_certfile=str(files.cert_path), ssl_keyfile=str(files.key_path)
    ) as port:
        script = (
            f"require('https').get('https://localhost:{port}/graphql/realtime',"
            "r=>{console.log('TLS-OK');process.exit(0)})"
            ".on('error',e=>{console.log(e.code);process.exit(1)})"
        )

        async def run_node(extra_ca: str | None) -> str:
            env = {k: v for k, v in os.environ.items() if k != "NODE_EXTRA_CA_CERTS"}
            if extra_ca:
                env["NODE_EXTRA_CA_CERTS"] = extra_ca
            proc = await asyncio.create_subprocess_exec(
                str(shutil.which("node")), "-e", script, env=env, stdout=subprocess.PIPE
            )
            out, _ = await asyncio.wait_for(proc.communicate(), 30)
            return out.decode().strip()

        # Untrusted, Node refuses the self-signed certificate; trusted, the handshake succeeds
        assert await run_node(None) == "DEPTH_ZERO_SELF_SIGNED_CERT"
        assert await run_node(str(files.cert_path)) == "TLS-OK"
