"""Hub: argument filtering, per-group rendering, oversize events, slow clients."""

from __future__ import annotations

import base64
import logging
import os
from typing import Any

import pytest
import websockets

from .conftest import Runtime, RuntimeFactory, recv, send, start_frame, wait_until

BY_KIND = "subscription K($kind: String) { onEvent(kind: $kind) { channel kind seq } }"
BOTH = (
    "subscription B($channel: String, $kind: String) "
    "{ onEvent(channel: $channel, kind: $kind) { channel kind seq } }"
)


def event(channel: str, seq: int, kind: str | None = None, body: str = "x") -> dict[str, Any]:
    return {"channel": channel, "kind": kind, "body": body, "seq": seq}


async def next_seq(ws: websockets.ClientConnection) -> int:
    frame = await recv(ws, skip_ka=True)
    assert frame["type"] == "data", frame
    return int(frame["payload"]["data"]["onEvent"]["seq"])


async def test_arguments_filter_on_top_level_payload_fields(runtime: Runtime) -> None:
    # Given three subscribers: channel alpha, channel beta, and no argument at all
    alpha, beta, every = [await runtime.acked() for _ in range(3)]
    await runtime.subscribed(alpha, "a", variables={"channel": "alpha"})
    await runtime.subscribed(beta, "b", variables={"channel": "beta"})
    await runtime.subscribed(every, "e")
    # When an alpha event and then a beta event are published
    await runtime.engine.publish("publishEvent", event("alpha", 1))
    await runtime.engine.publish("publishEvent", event("beta", 2))
    # Then alpha sees only 1, beta only 2 (its first frame), and the unfiltered one both
    assert await next_seq(alpha) == 1
    assert await next_seq(beta) == 2
    assert [await next_seq(every), await next_seq(every)] == [1, 2]


async def test_all_supplied_arguments_must_match(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await runtime.subscribed(ws, "1", query=BOTH, variables={"channel": "alpha", "kind": "k1"})
    await runtime.engine.publish("publishEvent", event("alpha", 1, kind="k2"))
    await runtime.engine.publish("publishEvent", event("beta", 2, kind="k1"))
    await runtime.engine.publish("publishEvent", event("alpha", 3, kind="k1"))
    assert await next_seq(ws) == 3


async def test_explicit_null_argument_matches_only_null_fields(runtime: Runtime) -> None:
    # Emulator choice (documented): `kind: null` filters for events whose kind is null
    ws = await runtime.acked()
    await runtime.subscribed(ws, "n", query=BY_KIND, variables={"kind": None})
    await runtime.engine.publish("publishEvent", event("alpha", 1, kind="k1"))
    await runtime.engine.publish("publishEvent", event("alpha", 2, kind=None))
    assert await next_seq(ws) == 2


async def test_literal_arguments_filter_too(runtime: Runtime) -> None:
    ws = await runtime.acked()
    literal = 'subscription { onEvent(channel: "beta") { channel seq } }'
    await runtime.subscribed(ws, "lit", query=literal)
    await runtime.engine.publish("publishEvent", event("alpha", 1))
    await runtime.engine.publish("publishEvent", event("beta", 2))
    assert await next_seq(ws) == 2


async def test_other_mutations_do_not_reach_subscribers(runtime: Runtime) -> None:
    ws = await runtime.acked()
    await runtime.subscribed(ws, "1")
    await runtime.engine.publish("somethingElse", event("alpha", 1))
    await runtime.engine.publish("publishEvent", event("alpha", 2))
    assert await next_seq(ws) == 2


async def test_unselected_fields_render_as_null(runtime: Runtime) -> None:
    # The payload only has what the mutation selected; missing fields arrive null (ref 4.1)
    ws = await runtime.acked()
    await runtime.subscribed(ws, "1")
    await runtime.engine.publish("publishEvent", {"channel": "alpha"})
    frame = await recv(ws, skip_ka=True)
    assert frame["payload"] == {
        "data": {"onEvent": {"channel": "alpha", "body": None, "seq": None}}
    }


async def test_oversize_event_is_dropped_and_logged(
    make_runtime: RuntimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = await make_runtime()
    ws = await runtime.acked()
    await runtime.subscribed(ws, "1")
    caplog.set_level(logging.WARNING, logger="appsync_local.realtime.hub")
    # When an event over 240 KB and then a small one are published
    await runtime.engine.publish("publishEvent", event("alpha", 1, body="x" * (240 * 1024)))
    await runtime.engine.publish("publishEvent", event("alpha", 2))
    # Then only the small one arrives, and the drop was logged
    assert await next_seq(ws) == 2
    assert any("dropped publishEvent event" in r.getMessage() for r in caplog.records)


async def test_identical_subscriptions_render_once_per_event(
    make_runtime: RuntimeFactory,
) -> None:
    # Given 1,000 subscribers with the same document and variables on 10 connections
    runtime = await make_runtime()
    sockets = [await runtime.acked() for _ in range(10)]
    for ws in sockets:
        for i in range(100):
            await send(ws, start_frame(str(i), variables={"channel": "alpha"}))
    await wait_until(lambda: runtime.hub.subscription_count == 1000)
    assert runtime.hub.group_count == 1
    # When one event is published
    renders_before = runtime.engine.render_calls
    await runtime.engine.publish("publishEvent", event("alpha", 7))
    # Then it was rendered once, and every subscriber receives it
    assert runtime.engine.render_calls - renders_before == 1
    for ws in sockets:
        ids: set[str] = set()
        while len(ids) < 100:
            frame = await recv(ws, skip_ka=True)
            if frame["type"] == "data":
                assert frame["payload"]["data"]["onEvent"]["seq"] == 7
                ids.add(frame["id"])
        assert ids == {str(i) for i in range(100)}


async def test_slow_client_is_disconnected_without_blocking_others(
    make_runtime: RuntimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = await make_runtime(send_queue_frames=8)
    # Given a client that never reads (no client-side buffering, no compression) and one
    # that keeps up
    slow = await runtime.acked(max_queue=1, compression=None)
    fast = await runtime.acked()
    await runtime.subscribed(slow, "s")
    await runtime.subscribed(fast, "f")
    caplog.set_level(logging.WARNING, logger="appsync_local.realtime.session")
    big = base64.b64encode(os.urandom(150 * 1024)).decode()  # ~200 KB, incompressible
    seq = 0
    # When large events keep coming until the slow client's queue overflows
    while len(runtime.hub.sessions) == 2:
        seq += 1
        assert seq < 5000, "slow client was never disconnected"
        await runtime.engine.publish("publishEvent", event("alpha", seq, body=big))
        # Then the fast client still gets every event, in order
        assert await next_seq(fast) == seq
    assert runtime.hub.subscription_count == 1
    assert any("cannot keep up" in r.getMessage() for r in caplog.records)
    # And the fast client keeps receiving afterwards
    await runtime.engine.publish("publishEvent", event("alpha", seq + 1))
    assert await next_seq(fast) == seq + 1
    # And the slow client, once it reads again, finds its connection ended by the server
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await recv(slow)
