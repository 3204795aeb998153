"""Unmodified gql clients against the local endpoint: AppSync transport and graphql-transport-ws."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botocore.credentials import Credentials
from gql import Client, GraphQLRequest
from gql.transport.appsync_auth import (
    AppSyncApiKeyAuthentication,
    AppSyncIAMAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import TransportQueryError, TransportServerError
from gql.transport.websockets import WebsocketsTransport

from .conftest import (
    API_KEY,
    GQL_HOST,
    IAM_ACCESS_KEY_ID,
    IAM_SECRET,
    REGION,
    SUBSCRIPTION,
    Runtime,
    make_jwt,
    wait_until,
)


def request(channel: str | None = "alpha", query: str = SUBSCRIPTION) -> GraphQLRequest:
    return GraphQLRequest(query, variable_values={"channel": channel} if channel else {})


def event(channel: str, seq: int) -> dict[str, Any]:
    return {"channel": channel, "kind": None, "body": f"b{seq}", "seq": seq}


async def collect(session: Any, req: GraphQLRequest, count: int) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    async for result in session.subscribe(req):
        results.append(result)
        if len(results) == count:
            break  # gql sends `stop` when the generator is closed
    return results


async def publish_when_subscribed(
    runtime: Runtime, expected: int, events: list[dict[str, Any]]
) -> None:
    await wait_until(lambda: runtime.hub.subscription_count == expected)
    for item in events:
        await runtime.engine.publish("publishEvent", item)


async def test_gql_appsync_transport_with_api_key(runtime: Runtime) -> None:
    # Given gql's AppSync transport with API-key auth, pointed at ws://…/graphql
    transport = AppSyncWebsocketsTransport(
        url=runtime.url(), auth=AppSyncApiKeyAuthentication(host=GQL_HOST, api_key=API_KEY)
    )
    async with Client(transport=transport) as session:
        consumer = asyncio.create_task(collect(session, request("alpha"), 2))
        # When alpha, beta and alpha events are published
        await publish_when_subscribed(
            runtime, 1, [event("alpha", 1), event("beta", 2), event("alpha", 3)]
        )
        results = await asyncio.wait_for(consumer, 10)
        # Then gql yields the two alpha events, as data
        assert results == [
            {"onEvent": {"channel": "alpha", "body": "b1", "seq": 1}},
            {"onEvent": {"channel": "alpha", "body": "b3", "seq": 3}},
        ]
        # And its `stop` released the subscription on the server
        await wait_until(lambda: runtime.hub.subscription_count == 0)


async def test_gql_appsync_transport_with_cognito_jwt(runtime: Runtime) -> None:
    transport = AppSyncWebsocketsTransport(
        url=runtime.url(), auth=AppSyncJWTAuthentication(host=GQL_HOST, jwt=make_jwt("u-7"))
    )
    async with Client(transport=transport) as session:
        consumer = asyncio.create_task(collect(session, request(None), 1))
        await publish_when_subscribed(runtime, 1, [event("gamma", 1)])
        assert (await asyncio.wait_for(consumer, 10))[0]["onEvent"]["seq"] == 1
    assert runtime.engine.auth_seen[-1].identity["sub"] == "u-7"


async def test_gql_appsync_transport_with_iam_sigv4(runtime: Runtime) -> None:
    # SigV4 over POST /graphql/connect with "{}", then over POST /graphql with the exact
    # payload.data string of each start (reference 1.2): a wrong body or path fails here
    auth = AppSyncIAMAuthentication(
        host=GQL_HOST,
        region_name=REGION,
        credentials=Credentials(IAM_ACCESS_KEY_ID, IAM_SECRET),
    )
    transport = AppSyncWebsocketsTransport(url=runtime.url(), auth=auth)
    async with Client(transport=transport) as session:
        consumer = asyncio.create_task(collect(session, request("alpha"), 1))
        await publish_when_subscribed(runtime, 1, [event("alpha", 9)])
        assert (await asyncio.wait_for(consumer, 10))[0]["onEvent"]["seq"] == 9
    assert runtime.engine.auth_seen[-1].mode.value == "AWS_IAM"


async def test_gql_iam_with_wrong_secret_is_rejected(runtime: Runtime) -> None:
    auth = AppSyncIAMAuthentication(
        host=GQL_HOST, region_name=REGION, credentials=Credentials(IAM_ACCESS_KEY_ID, "wrong")
    )
    transport = AppSyncWebsocketsTransport(url=runtime.url(), auth=auth)
    with pytest.raises(TransportServerError, match="UnauthorizedException"):
        async with Client(transport=transport):
            pass


async def test_gql_two_subscriptions_on_one_connection(runtime: Runtime) -> None:
    transport = AppSyncWebsocketsTransport(
        url=runtime.url(), auth=AppSyncApiKeyAuthentication(host=GQL_HOST, api_key=API_KEY)
    )
    async with Client(transport=transport) as session:
        first = asyncio.create_task(collect(session, request("alpha"), 1))
        second = asyncio.create_task(collect(session, request("beta"), 1))
        await publish_when_subscribed(runtime, 2, [event("beta", 1), event("alpha", 2)])
        assert (await asyncio.wait_for(first, 10))[0]["onEvent"]["seq"] == 2
        assert (await asyncio.wait_for(second, 10))[0]["onEvent"]["seq"] == 1


async def test_gql_bad_api_key_raises_server_error(runtime: Runtime) -> None:
    transport = AppSyncWebsocketsTransport(
        url=runtime.url(), auth=AppSyncApiKeyAuthentication(host=GQL_HOST, api_key="da2-wrong")
    )
    with pytest.raises(TransportServerError, match="UnauthorizedException"):
        async with Client(transport=transport):
            pass


async def test_gql_invalid_subscription_raises_query_error(runtime: Runtime) -> None:
    transport = AppSyncWebsocketsTransport(
        url=runtime.url(), auth=AppSyncApiKeyAuthentication(host=GQL_HOST, api_key=API_KEY)
    )
    async with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError, match="nope"):
            await collect(session, GraphQLRequest("subscription { onEvent { nope } }"), 1)


async def test_gql_graphql_transport_ws_client(runtime: Runtime) -> None:
    # Given gql's generic transport (offers graphql-ws and graphql-transport-ws, no AppSync
    # header) with the API key in connection_init's payload
    transport = WebsocketsTransport(
        url=runtime.url(),
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        init_payload={"headers": {"x-api-key": API_KEY}},
    )
    async with Client(transport=transport) as session:
        assert transport.subprotocol == "graphql-transport-ws"
        consumer = asyncio.create_task(collect(session, request("alpha"), 1))
        await publish_when_subscribed(runtime, 1, [event("beta", 1), event("alpha", 2)])
        assert (await asyncio.wait_for(consumer, 10))[0]["onEvent"]["seq"] == 2
        await wait_until(lambda: runtime.hub.subscription_count == 0)


async def test_gql_default_websockets_transport_negotiates_transport_ws(runtime: Runtime) -> None:
    transport = WebsocketsTransport(url=runtime.url(), init_payload={"x-api-key": API_KEY})
    async with Client(transport=transport) as session:
        assert transport.subprotocol == "graphql-transport-ws"
        consumer = asyncio.create_task(collect(session, request(None), 1))
        await publish_when_subscribed(runtime, 1, [event("beta", 5)])
        assert (await asyncio.wait_for(consumer, 10))[0]["onEvent"]["seq"] == 5
