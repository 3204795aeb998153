"""Live messages through the real runtime: two people in a room, and a network drop.

Path exercised: pchat -> HTTP -> resolver Lambda -> DynamoDB Local -> stream -> publisher
Lambda -> IAM publish mutation -> AppSync real-time WebSocket -> pchat's RoomFeed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import pytest
from pchat import (
    Backoff,
    ChatClient,
    Config,
    ConnectionEvent,
    FeedEvent,
    MessageEvent,
    RoomFeed,
    UserPoolCredentials,
    open_client,
)

from tests.cuttable_proxy import CuttableProxy

pytestmark = pytest.mark.dynamodb_local
LIVE_TIMEOUT_S = 45.0  # stream polling + publisher Lambda cold start


@asynccontextmanager
async def following(feed: RoomFeed) -> AsyncIterator[list[FeedEvent]]:
    events: list[FeedEvent] = []

    async def consume() -> None:
        async for event in feed.events():
            events.append(event)

    task = asyncio.create_task(consume())
    try:
        yield events
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def until(condition: Callable[[], bool], what: str,
                timeout: float = LIVE_TIMEOUT_S) -> None:
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(f"timed out after {timeout} s waiting for {what}")


def texts(events: list[FeedEvent], *, filled: bool | None = None) -> list[str]:
    return [e.message.text for e in events if isinstance(e, MessageEvent)
            and (filled is None or e.filled is filled)]


def connected(events: list[FeedEvent]) -> int:
    return sum(isinstance(e, ConnectionEvent) and e.state == "connected" for e in events)


async def shared_room(alice: ChatClient, bob: ChatClient) -> str:
    room = await alice.create_room(f"e2e-{uuid.uuid4().hex[:8]}", language="en")
    await bob.join_room(room.id, language="en")
    return room.id


async def test_two_people_in_a_room_see_each_others_posts_live(alice: ChatClient,
                                                               bob: ChatClient) -> None:
    # Given alice and bob both following a room they share
    room = await shared_room(alice, bob)
    async with following(RoomFeed(alice, room)) as seen_by_alice, \
            following(RoomFeed(bob, room)) as seen_by_bob:
        await until(lambda: connected(seen_by_alice) and connected(seen_by_bob), "both feeds")
        # When each posts a friendly message
        from_alice = "Good morning everyone, lovely to see you here"
        from_bob = "Hello alice, what a wonderful and happy day"
        assert (await alice.post_message(room, from_alice)).accepted
        assert (await bob.post_message(room, from_bob)).accepted
        # Then each sees the other's post pushed live (not caught up after a reconnect)
        await until(lambda: from_bob in texts(seen_by_alice, filled=False), "bob's post at alice")
        await until(lambda: from_alice in texts(seen_by_bob, filled=False), "alice's post at bob")
    for events in (seen_by_alice, seen_by_bob):
        assert sorted(texts(events)) == sorted([from_alice, from_bob])  # once each
        assert connected(events) == 1


async def test_a_subscriber_that_reconnects_misses_nothing(config: Config, alice: ChatClient,
                                                           bob: ChatClient) -> None:
    # Given bob follows the room through a network path that can be cut
    room = await shared_room(alice, bob)
    realtime = urlsplit(config.realtime_url)
    proxy = CuttableProxy(realtime.hostname or "127.0.0.1", realtime.port or 80)
    await proxy.start()
    via_proxy = dataclasses.replace(
        config, realtime_url=f"ws://127.0.0.1:{proxy.port}{realtime.path}")
    credentials = bob.transport.credentials  # type: ignore[attr-defined]
    assert isinstance(credentials, UserPoolCredentials)
    bob_via_proxy = open_client(via_proxy, credentials)
    feed = RoomFeed(bob_via_proxy, room, backoff=Backoff(initial_s=0.2, maximum_s=1.0))
    try:
        async with following(feed) as events:
            await until(lambda: connected(events) == 1, "bob's feed")
            first = "First of all, thanks for the lovely welcome"
            await alice.post_message(room, first)
            await until(lambda: first in texts(events), "the first post")
            # When bob's network drops while alice posts five messages
            await proxy.cut()
            await until(lambda: any(isinstance(e, ConnectionEvent) and e.state == "reconnecting"
                                    for e in events), "bob to notice the drop", 30)
            missed = [f"Message {i} while you were away: have a great day" for i in range(5)]
            for text in missed:
                assert (await alice.post_message(room, text)).accepted
            await asyncio.sleep(2)  # let the publisher try (and fail) to reach bob
            await proxy.restore()
            # Then, once reconnected, bob receives every missed message once and in order
            await until(lambda: connected(events) == 2, "bob's feed to reconnect")
            await until(lambda: all(t in texts(events) for t in missed), "the missed posts")
            after = "Welcome back, nice to have you online again"
            await alice.post_message(room, after)
            await until(lambda: after in texts(events), "a live post after the reconnect")
    finally:
        await bob_via_proxy.transport.close()
        await proxy.close()
    assert texts(events) == [first, *missed, after]
    assert feed.reconnects >= 1
