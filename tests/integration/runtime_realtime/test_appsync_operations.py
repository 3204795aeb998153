"""AppSync dialect: start/stop, limits, duplicate ids, per-start auth, malformed frames."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from .conftest import (
    GQL_HOST,
    SUBSCRIPTION,
    Runtime,
    RuntimeFactory,
    make_jwt,
    recv,
    send,
    start_frame,
    wait_until,
)


def event(channel: str = "alpha", body: str = "hello", seq: int = 1) -> dict[str, Any]:
    return {"channel": channel, "kind": None, "body": body, "seq": seq}


async def test_uuid_id_is_echoed_and_data_frame_shape(runtime: Runtime) -> None:
    # Given a subscription started with an Amplify-style UUID id
    ws = await runtime.acked()
    op_id = str(uuid.uuid4())
    await runtime.subscribed(ws, op_id, variables={"channel": "alpha"})
    # When a matching event is published
    await runtime.engine.publish("publishEvent", event())
    # Then the data frame has AppSync's exact shape with the id echoed verbatim
    assert await recv(ws, skip_ka=True) == {
        "type": "data",
        "id": op_id,
        "payload": {"data": {"onEvent": {"channel": "alpha", "body": "hello", "seq": 1}}},
    }


async def test_stop_answers_complete_and_ends_delivery(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await runtime.subscribed(ws, "1")
    await runtime.subscribed(ws, "2")
    # When subscription 1 is stopped
    await send(ws, {"type": "stop", "id": "1"})
    assert await recv(ws, skip_ka=True) == {"type": "complete", "id": "1"}
    # Then an event reaches only subscription 2
    await runtime.engine.publish("publishEvent", event())
    assert (await recv(ws, skip_ka=True))["id"] == "2"
    await runtime.engine.publish("publishEvent", event(seq=2))
    second = await recv(ws, skip_ka=True)
    assert (second["id"], second["payload"]["data"]["onEvent"]["seq"]) == ("2", 2)
    assert runtime.hub.subscription_count == 1


async def test_stop_of_unknown_id_still_completes(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await send(ws, {"type": "stop", "id": "never-started"})
    assert await recv(ws, skip_ka=True) == {"type": "complete", "id": "never-started"}


async def test_101st_subscription_is_refused(runtime: Runtime) -> None:
    # Given 100 live subscriptions on one connection
    ws = await runtime.acked()
    for i in range(100):
        await send(ws, start_frame(str(i)))
    acks = {(await recv(ws, skip_ka=True))["id"] for _ in range(100)}
    assert acks == {str(i) for i in range(100)}
    # When a 101st starts
    await send(ws, start_frame("100"))
    # Then it is refused with AppSync's error, and the others keep working
    assert await recv(ws, skip_ka=True) == {
        "type": "error",
        "id": "100",
        "payload": {
            "errors": [
                {
                    "errorType": "MaxSubscriptionsReachedError",
                    "message": "Max number of 100 subscriptions reached",
                }
            ]
        },
    }
    # And stopping one frees a slot
    await send(ws, {"type": "stop", "id": "0"})
    assert (await recv(ws, skip_ka=True))["type"] == "complete"
    await runtime.subscribed(ws, "100")


async def test_duplicate_live_id_is_refused(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await runtime.subscribed(ws, "dup")
    # When the same id is started again while live
    await send(ws, start_frame("dup"))
    reply = await recv(ws, skip_ka=True)
    assert reply["type"] == "error" and reply["id"] == "dup"
    assert reply["payload"]["errors"][0]["errorType"] == "DuplicatedOperationError"
    # Then the original subscription still receives events
    await runtime.engine.publish("publishEvent", event())
    assert (await recv(ws, skip_ka=True))["type"] == "data"
    assert runtime.hub.subscription_count == 1


async def test_id_can_be_reused_after_stop(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await runtime.subscribed(ws, "again")
    await send(ws, {"type": "stop", "id": "again"})
    assert (await recv(ws, skip_ka=True))["type"] == "complete"
    await runtime.subscribed(ws, "again")


async def test_query_on_the_socket_is_unsupported(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await send(ws, start_frame("q", query="query { ping }"))
    reply = await recv(ws, skip_ka=True)
    assert reply["type"] == "error" and reply["id"] == "q"
    assert reply["payload"]["errors"][0]["errorType"] == "UnsupportedOperation"
    assert runtime.hub.subscription_count == 0


async def test_validation_error_is_reported_with_id(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await send(ws, start_frame("v", query="subscription { onEvent { nope } }"))
    reply = await recv(ws, skip_ka=True)
    assert reply["type"] == "error" and reply["id"] == "v"
    assert "nope" in reply["payload"]["errors"][0]["message"]


async def test_start_with_bad_credentials_is_unauthorized(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await send(ws, start_frame("a", authorization={"host": GQL_HOST, "x-api-key": "da2-bad"}))
    reply = await recv(ws, skip_ka=True)
    assert reply == {
        "type": "error",
        "id": "a",
        "payload": {
            "errors": [
                {
                    "errorType": "UnauthorizedException",
                    "message": "You are not authorized to make this call.",
                }
            ]
        },
    }
    # And the connection keeps serving
    await runtime.subscribed(ws, "b")


async def test_each_start_is_authorized_in_its_own_mode(runtime: Runtime) -> None:
    # Given an API-key connection, a start authorized with a Cognito JWT
    ws = await runtime.acked()
    token = make_jwt(sub="user-42")
    await runtime.subscribed(ws, "jwt", authorization={"host": GQL_HOST, "Authorization": token})
    # Then the engine prepared it with the Cognito identity and the start's headers
    auth = runtime.engine.auth_seen[-1]
    assert auth.mode.value == "AMAZON_COGNITO_USER_POOLS"
    assert auth.identity["sub"] == "user-42"
    assert runtime.engine.headers_seen[-1]["authorization"] == token


async def test_stop_while_preparing_gets_complete_and_no_ack(make_runtime: RuntimeFactory) -> None:
    runtime = await make_runtime()
    runtime.engine.gate = asyncio.Event()
    ws = await runtime.acked()
    # Given a start whose preparation is still running
    await send(ws, start_frame("slow"))
    await wait_until(lambda: runtime.engine.prepare_calls == 1)
    # When it is stopped before the engine answers
    await send(ws, {"type": "stop", "id": "slow"})
    assert await recv(ws, skip_ka=True) == {"type": "complete", "id": "slow"}
    runtime.engine.gate.set()
    # Then no start_ack follows for it: the next frame is the ack of a later start
    await runtime.subscribed(ws, "next")
    assert runtime.hub.subscription_count == 1


async def test_not_json_gets_error_and_connection_keeps_serving(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await send(ws, "this is not json")
    reply = await recv(ws, skip_ka=True)
    assert reply["type"] == "error" and "id" not in reply
    assert reply["payload"]["errors"][0]["errorType"] == "BadRequestException"
    await runtime.subscribed(ws, "1")


async def test_unknown_type_is_unsupported(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await send(ws, {"type": "subscribe", "id": "7"})
    reply = await recv(ws, skip_ka=True)
    assert reply["type"] == "error" and reply["id"] == "7"
    assert reply["payload"]["errors"][0]["errorType"] == "UnsupportedOperation"
    await runtime.subscribed(ws, "1")


async def test_start_without_id_is_a_bad_request(runtime: Runtime) -> None:
    ws = await runtime.acked()
    frame = start_frame("x")
    del frame["id"]
    await send(ws, frame)
    reply = await recv(ws, skip_ka=True)
    assert reply["type"] == "error" and "id" not in reply
    assert reply["payload"]["errors"][0]["errorType"] == "BadRequestException"


async def test_start_with_object_data_is_a_bad_request(runtime: Runtime) -> None:
    # payload.data must be a JSON *string* (reference 1.3)
    ws = await runtime.acked()
    frame = start_frame("obj")
    frame["payload"]["data"] = json.loads(frame["payload"]["data"])
    await send(ws, frame)
    reply = await recv(ws, skip_ka=True)
    assert reply["type"] == "error" and reply["id"] == "obj"
    assert reply["payload"]["errors"][0]["errorType"] == "BadRequestException"


async def test_disconnect_releases_subscriptions(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await runtime.subscribed(ws, "1", query=SUBSCRIPTION)
    assert runtime.hub.subscription_count == 1
    await ws.close()
    await wait_until(lambda: runtime.hub.subscription_count == 0 and not runtime.hub.sessions)
