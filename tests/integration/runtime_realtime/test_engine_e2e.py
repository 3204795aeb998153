"""End to end through core's real Engine and HTTP endpoint, with unmodified gql clients.

The fixture API (fixtures/template.yaml + events.graphql) has a NONE-echo `publishEvent`
mutation and an `onEvent` subscription on it. The mutation is sent over HTTP with gql's
AIOHTTP transport; the subscription runs on gql's AppSync WebSocket transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from starlette.applications import Starlette

from appsync_local.engine import Engine
from appsync_local.http_app import http_routes
from appsync_local.lambda_pool import LambdaPool
from appsync_local.realtime import SubscriptionHub
from appsync_local.template import load_template

from .conftest import (
    API_KEY,
    GQL_HOST,
    Runtime,
    make_authenticator,
    recv,
    send,
    serve,
    start_frame,
    wait_until,
)

TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"
FULL_SELECTION = (
    "subscription S($channel: String) { onEvent(channel: $channel) { channel kind body seq } }"
)
PUBLISH_SOME = """
mutation P($channel: String!, $kind: String, $body: String, $seq: Int) {
  publishEvent(channel: $channel, kind: $kind, body: $body, seq: $seq) { channel body }
}"""
PUBLISH_WITHOUT_CHANNEL = """
mutation P($channel: String!, $body: String) {
  publishEvent(channel: $channel, body: $body) { body }
}"""


@dataclass
class Live:
    runtime: Runtime
    http: Client


@pytest.fixture
async def live() -> AsyncIterator[Live]:
    model = load_template(TEMPLATE, attributes={"EventsApiKey.ApiKey": API_KEY})
    pool = LambdaPool({})
    engine = Engine(model, pool)
    authenticator = make_authenticator()
    hub = SubscriptionHub(engine, authenticator)
    app = Starlette(routes=http_routes(engine, authenticator) + hub.routes())
    async with serve(app) as port:
        transport = AIOHTTPTransport(
            url=f"http://127.0.0.1:{port}/graphql",
            auth=AppSyncApiKeyAuthentication(host=GQL_HOST, api_key=API_KEY),
        )
        async with Client(transport=transport) as http:
            yield Live(Runtime(port, hub, engine), http)
    await pool.close()


async def publish(live: Live, query: str, **variables: Any) -> dict[str, Any]:
    return await live.http.execute(GraphQLRequest(query, variable_values=variables))


async def test_subscriber_gets_only_what_the_mutation_selected(live: Live) -> None:
    # Given a gql AppSync subscriber selecting every field, filtered on channel alpha
    transport = AppSyncWebsocketsTransport(
        url=live.runtime.url(), auth=AppSyncApiKeyAuthentication(host=GQL_HOST, api_key=API_KEY)
    )
    async with Client(transport=transport) as session:

        async def first_event() -> dict[str, Any]:
            request = GraphQLRequest(FULL_SELECTION, variable_values={"channel": "alpha"})
            async for result in session.subscribe(request):
                return result
            raise AssertionError("subscription ended")

        consumer = asyncio.create_task(first_event())
        await wait_until(lambda: live.runtime.hub.subscription_count == 1)
        # When a beta event and then an alpha event are published over HTTP, the mutation
        # selecting only channel and body although it was given kind and seq
        await publish(live, PUBLISH_SOME, channel="beta", kind="k", body="no", seq=1)
        echoed = await publish(live, PUBLISH_SOME, channel="alpha", kind="k", body="yes", seq=2)
        assert echoed == {"publishEvent": {"channel": "alpha", "body": "yes"}}
        # Then the subscriber receives the alpha event, with the unselected fields null
        assert await asyncio.wait_for(consumer, 10) == {
            "onEvent": {"channel": "alpha", "kind": None, "body": "yes", "seq": None}
        }


async def test_filter_field_missing_from_mutation_selection_does_not_match(live: Live) -> None:
    # Arguments filter on the published payload, so a mutation that does not select the
    # filtered field never reaches filtered subscribers (reference 4.2)
    ws = await live.runtime.acked()
    await live.runtime.subscribed(ws, "f", query=FULL_SELECTION, variables={"channel": "alpha"})
    await publish(live, PUBLISH_WITHOUT_CHANNEL, channel="alpha", body="hidden")
    await publish(live, PUBLISH_SOME, channel="alpha", body="shown")
    frame = await recv(ws, skip_ka=True)
    assert frame["payload"]["data"]["onEvent"]["body"] == "shown"


async def test_query_and_mutation_on_the_socket_are_unsupported(live: Live) -> None:
    ws = await live.runtime.acked()
    await send(ws, start_frame("q", query="query { ping }"))
    await send(ws, start_frame("m", query='mutation { publishEvent(channel: "x") { body } }'))
    replies = {}
    for _ in range(2):
        reply = await recv(ws, skip_ka=True)
        replies[reply["id"]] = reply
    for op_id in ("q", "m"):
        assert replies[op_id]["type"] == "error"
        assert replies[op_id]["payload"]["errors"][0]["errorType"] == "UnsupportedOperation"
    assert live.runtime.hub.subscription_count == 0


async def test_invalid_subscription_reports_engine_errors(live: Live) -> None:
    ws = await live.runtime.acked()
    await send(ws, start_frame("v", query="subscription { onEvent { nope } }"))
    reply = await recv(ws, skip_ka=True)
    assert reply["type"] == "error" and reply["id"] == "v"
    assert "nope" in reply["payload"]["errors"][0]["message"]


async def test_unselected_non_null_field_nulls_the_event_with_an_error(live: Live) -> None:
    # Reference 4.1: `channel` is String! but the mutation did not select it, so the
    # subscriber's onEvent is null and the data frame carries the non-null error
    ws = await live.runtime.acked()
    await live.runtime.subscribed(ws, "u", query=FULL_SELECTION)
    await publish(live, PUBLISH_WITHOUT_CHANNEL, channel="alpha", body="partial")
    frame = await recv(ws, skip_ka=True)
    assert frame["type"] == "data" and frame["id"] == "u"
    assert frame["payload"]["data"] == {"onEvent": None}
    [error] = frame["payload"]["errors"]
    assert error["path"] == ["onEvent", "channel"]
