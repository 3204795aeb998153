"""End to end: post -> DynamoDB Local -> stream poller -> publisher Lambda -> IAM publish
mutation -> @aws_subscribe -> WebSocket subscriber, with gql's own AppSync transports."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from botocore.credentials import Credentials
from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import (
    AppSyncApiKeyAuthentication,
    AppSyncIAMAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import TransportQueryError

from .conftest import host_of, id_token

PUSH_TIMEOUT_S = 30  # stream polling + publisher Lambda + fan-out, on a busy 2-core machine

MESSAGE_FIELDS = "id roomId text language tags author { username } translationStatus untranslatedLanguages _version _deleted"


def _http(info: dict[str, Any], auth: Any) -> Client:
    return Client(transport=AIOHTTPTransport(url=info["graphqlUrl"], auth=auth))


def _jwt(info: dict[str, Any], user: str) -> AppSyncJWTAuthentication:
    return AppSyncJWTAuthentication(host=host_of(info), jwt=id_token(info, user))


@asynccontextmanager
async def _subscription(
    info: dict[str, Any], auth: Any, query: str, variables: dict[str, Any]
) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """Events of one subscription, collected in a queue while the block runs."""
    transport = AppSyncWebsocketsTransport(url=info["realtimeUrl"], auth=auth)
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = asyncio.Event()

    async def pump() -> None:
        async with Client(transport=transport) as session:
            agen = session.subscribe(gql(query), variable_values=variables)
            started.set()
            async for event in agen:
                await queue.put(event)

    task = asyncio.create_task(pump())
    await asyncio.wait_for(started.wait(), 20)
    await asyncio.sleep(1.0)  # start_ack travels after subscribe() returns its generator
    try:
        yield queue
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _create_room(session: Any, name: str, visibility: str = "PUBLIC") -> str:
    result = await session.execute(
        gql("mutation($i: CreateRoomInput!){ createRoom(input: $i){ id } }"),
        variable_values={"i": {"name": name, "visibility": visibility, "language": "en"}},
    )
    return str(result["createRoom"]["id"])


async def _post(session: Any, room_id: str, text: str) -> dict[str, Any]:
    result = await session.execute(
        gql(
            "mutation($i: PostMessageInput!){ postMessage(input: $i){ status message { "
            + MESSAGE_FIELDS
            + " } rejection { reason hint } } }"
        ),
        variable_values={"i": {"roomId": room_id, "text": text, "clientId": str(uuid.uuid4())}},
    )
    return result["postMessage"]  # type: ignore[no-any-return]


async def test_posts_reach_their_room_only_rejections_never_and_the_cloud_updates(info):
    async with _http(info, _jwt(info, "alice")) as alice, _http(info, _jwt(info, "bob")) as bob:
        room_a = await _create_room(alice, "Room A")
        room_b = await _create_room(alice, "Room B")
        await bob.execute(
            gql('mutation($r: ID!){ joinRoom(roomId: $r, language: "fr"){ role } }'),
            variable_values={"r": room_a},
        )
        on_message = "subscription($r: ID!){ onMessage(roomId: $r){ " + MESSAGE_FIELDS + " } }"
        on_cloud = "subscription($r: ID!){ onTagCloud(roomId: $r){ roomId tags { tag count } } }"
        api_key = AppSyncApiKeyAuthentication(host=host_of(info), api_key=info["apiKey"])
        async with (
            _subscription(info, _jwt(info, "bob"), on_message, {"r": room_a}) as in_a,
            _subscription(info, api_key, on_message, {"r": room_b}) as in_b,
            _subscription(info, api_key, on_cloud, {"r": room_a}) as cloud_a,
        ):
            # A rejected post is answered as data and never pushed.
            rejected = await _post(alice, room_a, "You are a stupid idiot and I hate you")
            assert rejected["status"] == "REJECTED"
            assert rejected["rejection"]["reason"] == "NEGATIVE_SENTIMENT"
            accepted = await _post(alice, room_a, "I love this sunny day in Rome")
            assert accepted["status"] == "ACCEPTED"
            in_b_post = await _post(alice, room_b, "What a wonderful morning in Paris")

            first_in_a = (await asyncio.wait_for(in_a.get(), PUSH_TIMEOUT_S))["onMessage"]
            assert first_in_a["id"] == accepted["message"]["id"]  # not the rejected text
            assert first_in_a["roomId"] == room_a
            assert "rome" in first_in_a["tags"]
            # Bob reads French; offline there is no translator, and the push says so.
            assert first_in_a["translationStatus"] == "UNAVAILABLE"
            assert first_in_a["untranslatedLanguages"] == ["fr"]

            first_in_b = (await asyncio.wait_for(in_b.get(), PUSH_TIMEOUT_S))["onMessage"]
            assert first_in_b["id"] == in_b_post["message"]["id"]  # room A's post is not here

            cloud = None
            while cloud is None or "rome" not in {t["tag"] for t in cloud["tags"]}:
                cloud = (await asyncio.wait_for(cloud_a.get(), PUSH_TIMEOUT_S))["onTagCloud"]
            assert cloud["roomId"] == room_a
            assert in_a.empty()  # nothing else (and not the rejection) reached room A


async def test_errors_carry_appsync_error_types_through_the_js_resolver(info):
    async with _http(info, _jwt(info, "alice")) as alice:
        room = await _create_room(alice, "Errors")
        posted = (await _post(alice, room, "Hello from Lisbon"))["message"]
        edit = gql(
            "mutation($i: EditMessageInput!){ editMessage(input: $i){ status message { _version } } }"
        )
        variables = {
            "i": {
                "roomId": room,
                "messageId": posted["id"],
                "text": "Hello from Porto",
                "expectedVersion": 1,
            }
        }
        assert (await alice.execute(edit, variable_values=variables))["editMessage"]["message"][
            "_version"
        ] == 2
        with pytest.raises(TransportQueryError) as stale:
            await alice.execute(edit, variable_values=variables)
        error = stale.value.errors[0]
        assert error["errorType"] == "ConflictUnhandled"
        assert error["data"]["_version"] == 2
        assert error["path"] == ["editMessage"]
        with pytest.raises(TransportQueryError) as invalid:
            await _post(alice, room, "   ")
        assert invalid.value.errors[0]["errorType"] == "ValidationError"
        assert invalid.value.errors[0]["errorInfo"] == {"field": "text"}


async def test_auth_modes_per_field(info):
    api_key = AppSyncApiKeyAuthentication(host=host_of(info), api_key=info["apiKey"])
    iam = AppSyncIAMAuthentication(
        host=host_of(info),
        region_name=info["region"],
        credentials=Credentials(info["iam"]["accessKeyId"], info["iam"]["secretAccessKey"]),
    )
    async with _http(info, _jwt(info, "alice")) as alice:
        private = await _create_room(alice, "Private", "PRIVATE")
    async with _http(info, api_key) as anonymous:
        rooms = await anonymous.execute(gql("{ rooms { items { id name visibility } } }"))
        assert all(r["visibility"] == "PUBLIC" for r in rooms["rooms"]["items"])
        with pytest.raises(TransportQueryError) as denied:  # API key may not write
            await _create_room(anonymous, "Nope")
        assert denied.value.errors[0]["errorType"] == "Unauthorized"
    async with _http(info, iam) as tool:
        synced = await tool.execute(
            gql("query($r: ID!){ syncMessages(roomId: $r){ items { id } startedAt } }"),
            variable_values={"r": private},
        )
        assert synced["syncMessages"]["items"] == []
    # A stranger cannot subscribe to a private room: the subscription resolver refuses it.
    transport = AppSyncWebsocketsTransport(url=info["realtimeUrl"], auth=_jwt(info, "bob"))
    with pytest.raises(TransportQueryError) as refused:
        async with Client(transport=transport) as session:
            async for _ in session.subscribe(
                gql("subscription($r: ID!){ onMessage(roomId: $r){ id } }"),
                variable_values={"r": private},
            ):
                break
    # gql hands over the error frame's payload ({"errors": [...]}) as one entry.
    assert refused.value.errors[0]["errors"][0]["errorType"] == "Unauthorized"
