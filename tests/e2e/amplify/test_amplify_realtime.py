"""An unmodified Amplify JS v6 client against the local runtime (optional: needs Node + npm ci).

Amplify rewrites `https://localhost:PORT/graphql` to `wss://localhost:PORT/graphql/realtime`
and sends its credentials in a `header-<base64url>` subprotocol, so this exercises TLS, the
/realtime path and the subprotocol header form end to end (reference 1.1, 1.2). The
mutation goes over HTTP with gql, through core's real engine.

Setup once: `cd tests/e2e/amplify && npm ci`.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication
from starlette.applications import Starlette

from appsync_local.engine import Engine
from appsync_local.http_app import http_routes
from appsync_local.lambda_pool import LambdaPool
from appsync_local.realtime import SubscriptionHub
from appsync_local.template import load_template
from appsync_local.tls import ensure_localhost_certificate
from tests.integration.runtime_realtime.conftest import (
    API_KEY,
    GQL_HOST,
    make_authenticator,
    serve,
    wait_until,
)

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parents[1] / "integration" / "runtime_realtime" / "fixtures" / "template.yaml"
PUBLISH = """
mutation P($channel: String!, $body: String, $seq: Int) {
  publishEvent(channel: $channel, body: $body, seq: $seq) { channel body seq }
}"""

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (HERE / "node_modules" / "aws-amplify").is_dir(),
    reason="needs Node.js and `npm ci` in tests/e2e/amplify",
)


async def next_line(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)  # guard against a hang only
    assert line, "the Amplify script exited early"
    parsed: dict[str, Any] = json.loads(line)
    return parsed


async def test_amplify_subscribes_over_wss_realtime_path(tmp_path: Path) -> None:
    # Given the runtime with the fixture API, serving TLS with the local certificate
    files = ensure_localhost_certificate(tmp_path)
    model = load_template(TEMPLATE, attributes={"EventsApiKey.ApiKey": API_KEY})
    pool = LambdaPool({})
    engine = Engine(model, pool)
    authenticator = make_authenticator()
    hub = SubscriptionHub(engine, authenticator)
    app = Starlette(routes=http_routes(engine, authenticator) + hub.routes())
    async with serve(
        app, ssl_certfile=str(files.cert_path), ssl_keyfile=str(files.key_path)
    ) as port:
        endpoint = f"https://localhost:{port}/graphql"
        # When Amplify subscribes to channel alpha (trusting the certificate via Node's env)
        proc = await asyncio.create_subprocess_exec(
            str(shutil.which("node")),
            str(HERE / "subscribe.mjs"),
            endpoint,
            API_KEY,
            "2",
            "alpha",
            cwd=HERE,
            env={**os.environ, "NODE_EXTRA_CA_CERTS": str(files.cert_path)},
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            await wait_until(lambda: hub.subscription_count == 1, guard_s=30)
            session = next(iter(hub.sessions))
            assert session.websocket.url.path == "/graphql/realtime"
            # And events are published over HTTPS by gql (beta must be filtered out)
            context = ssl.create_default_context(cafile=str(files.cert_path))
            transport = AIOHTTPTransport(
                url=endpoint,
                auth=AppSyncApiKeyAuthentication(host=GQL_HOST, api_key=API_KEY),
                ssl=context,
            )
            async with Client(transport=transport) as http:
                for channel, seq in (("alpha", 1), ("beta", 2), ("alpha", 3)):
                    await http.execute(
                        GraphQLRequest(
                            PUBLISH, variable_values={"channel": channel, "body": "b", "seq": seq}
                        )
                    )
            # Then Amplify reports the alpha events, in order, with AppSync's payload shape
            events = []
            while len(events) < 2:
                line = await next_line(proc)
                assert "error" not in line, line
                if "event" in line:
                    events.append(line["event"]["onEvent"])
            assert [(e["channel"], e["seq"], e["kind"]) for e in events] == [
                ("alpha", 1, None),
                ("alpha", 3, None),
            ]
            assert await asyncio.wait_for(proc.wait(), 30) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    await pool.close()
