"""graphql-transport-ws protocol rules, with raw frames."""

from __future__ import annotations

from typing import Any

import websockets
from websockets.typing import Subprotocol

from .conftest import API_KEY, SUBSCRIPTION, Runtime, RuntimeFactory, recv, send, wait_until

PROTOCOL = Subprotocol("graphql-transport-ws")


async def connect(runtime: Runtime) -> websockets.ClientConnection:
    ws = await websockets.connect(runtime.url(), subprotocols=[PROTOCOL])
    assert ws.subprotocol == PROTOCOL
    return ws


async def acked(runtime: Runtime) -> websockets.ClientConnection:
    ws = await connect(runtime)
    await send(ws, {"type": "connection_init", "payload": {"x-api-key": API_KEY}})
    assert await recv(ws) == {"type": "connection_ack"}
    return ws


def subscribe(op_id: str, query: str = SUBSCRIPTION) -> dict[str, Any]:
    return {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": {}}}


async def test_next_frames_and_complete(runtime: Runtime) -> None:
    ws = await acked(runtime)
    await send(ws, subscribe("s1"))
    await wait_until(lambda: runtime.hub.subscription_count == 1)
    await runtime.engine.publish("publishEvent", {"channel": "c", "body": "b", "seq": 1})
    assert await recv(ws) == {
        "id": "s1",
        "type": "next",
        "payload": {"data": {"onEvent": {"channel": "c", "body": "b", "seq": 1}}},
    }
    await send(ws, {"id": "s1", "type": "complete"})
    await wait_until(lambda: runtime.hub.subscription_count == 0)


async def test_bad_credentials_close_4403(runtime: Runtime) -> None:
    ws = await connect(runtime)
    await send(ws, {"type": "connection_init", "payload": {"x-api-key": "da2-wrong"}})
    await ws.wait_closed()
    assert ws.close_code == 4403


async def test_subscribe_before_ack_closes_4401(runtime: Runtime) -> None:
    ws = await connect(runtime)
    await send(ws, subscribe("early"))
    await ws.wait_closed()
    assert ws.close_code == 4401


async def test_duplicate_id_closes_4409(runtime: Runtime) -> None:
    ws = await acked(runtime)
    await send(ws, subscribe("same"))
    await send(ws, subscribe("same"))
    await ws.wait_closed()
    assert ws.close_code == 4409


async def test_second_init_closes_4429(runtime: Runtime) -> None:
    ws = await acked(runtime)
    await send(ws, {"type": "connection_init", "payload": {"x-api-key": API_KEY}})
    await ws.wait_closed()
    assert ws.close_code == 4429


async def test_ping_gets_pong_with_payload(runtime: Runtime) -> None:
    ws = await acked(runtime)
    await send(ws, {"type": "ping", "payload": {"n": 1}})
    assert await recv(ws) == {"type": "pong", "payload": {"n": 1}}


async def test_invalid_subscription_gets_error_list(runtime: Runtime) -> None:
    ws = await acked(runtime)
    await send(ws, subscribe("bad", query="subscription { onEvent { nope } }"))
    reply = await recv(ws)
    assert reply["id"] == "bad" and reply["type"] == "error"
    assert isinstance(reply["payload"], list) and "nope" in reply["payload"][0]["message"]


async def test_invalid_message_closes_4400(runtime: Runtime) -> None:
    ws = await acked(runtime)
    await send(ws, "{not json")
    await ws.wait_closed()
    assert ws.close_code == 4400


async def test_init_timeout_closes_4408(make_runtime: RuntimeFactory) -> None:
    runtime = await make_runtime(connection_init_timeout_s=0.1)
    ws = await connect(runtime)
    await ws.wait_closed()
    assert ws.close_code == 4408
