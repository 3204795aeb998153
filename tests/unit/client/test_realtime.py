"""RoomFeed: live delivery, reconnects with backoff, gap filling, exactly-once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from pchat import (
    ApiError,
    AuthError,
    Backoff,
    ChatClient,
    ConnectionEvent,
    FeedEvent,
    MessageEvent,
    RoomFeed,
)

from tests.unit.client.fake_api import FakeApi, api_error

ROOM = "room-1"


async def no_wait(_: float) -> None:
    await asyncio.sleep(0.01)


@asynccontextmanager
async def running(feed: RoomFeed) -> AsyncIterator[list[FeedEvent]]:
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


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


def texts(events: list[FeedEvent]) -> list[str]:
    return [e.message.text for e in events if isinstance(e, MessageEvent)]


def connects(events: list[FeedEvent]) -> int:
    return sum(1 for e in events if isinstance(e, ConnectionEvent) and e.state == "connected")


async def test_live_messages_arrive(api: FakeApi, client: ChatClient) -> None:
    async with running(RoomFeed(client, ROOM, sleep=no_wait)) as events:
        await until(lambda: connects(events) == 1)
        await client.post_message(ROOM, "hello live")
        await until(lambda: texts(events) == ["hello live"])


async def test_after_a_reconnect_missed_messages_are_filled_once_in_order(
    api: FakeApi, client: ChatClient
) -> None:
    # Given a connected feed that has seen one message
    async with running(RoomFeed(client, ROOM, sleep=no_wait)) as events:
        await until(lambda: connects(events) == 1)
        await client.post_message(ROOM, "before")
        await until(lambda: texts(events) == ["before"])
        # When the connection drops and three messages are posted before it is back
        api.realtime_offline = True
        api.drop_connections()
        await until(
            lambda: any(
                isinstance(e, ConnectionEvent) and e.state == "reconnecting" for e in events
            )
        )
        for text in ("missed 1", "missed 2", "missed 3"):
            await client.post_message(ROOM, text)
        api.realtime_offline = False
        await until(lambda: connects(events) == 2)
        await client.post_message(ROOM, "after")
        await until(lambda: "after" in texts(events))
    # Then everything arrived exactly once, in order ("before" was re-read by the look-back
    # sync and dropped as a duplicate)
    assert texts(events) == ["before", "missed 1", "missed 2", "missed 3", "after"]
    filled = [e for e in events if isinstance(e, MessageEvent) and e.filled]
    assert [e.message.text for e in filled] == ["missed 1", "missed 2", "missed 3"]
    since = api.calls_of("SyncMessages")[-1]["lastSync"]
    assert since is not None and since < api.changes[0]["_lastChangedAt"]  # look-back


async def test_a_change_both_pushed_and_synced_during_the_catch_up_arrives_once(
    api: FakeApi, client: ChatClient
) -> None:
    # Given a message committed (and pushed) while the catch-up sync is running, so that
    # it is both in the live queue and in the sync result
    original = api._op_SyncMessages

    def sync_with_concurrent_post(variables):  # type: ignore[no-untyped-def]
        api._op_PostMessage({"input": {"roomId": ROOM, "text": "during", "clientId": "c-during"}})
        return original(variables)

    await client.post_message(ROOM, "old")
    api._op_SyncMessages = sync_with_concurrent_post  # type: ignore[method-assign]
    # When the feed connects and catches up
    async with running(RoomFeed(client, ROOM, since=0, sleep=no_wait)) as events:
        await until(lambda: connects(events) == 1)
        api._op_SyncMessages = original  # type: ignore[method-assign]
        await client.post_message(ROOM, "new")
        await until(lambda: "new" in texts(events))
    # Then each message is delivered once, in order
    assert texts(events) == ["old", "during", "new"]


async def test_catch_up_waits_for_the_server_to_acknowledge_the_subscription(
    api: FakeApi, client: ChatClient
) -> None:
    order: list[str] = []
    original_subscribe, original_sync = api.subscribe, api._op_SyncMessages

    def subscribe(document, variables=None, *, on_started=None):  # type: ignore[no-untyped-def]
        def started() -> None:
            order.append("start_ack")
            if on_started:
                on_started()

        return original_subscribe(document, variables, on_started=started)

    def sync(variables):  # type: ignore[no-untyped-def]
        order.append("sync")
        return original_sync(variables)

    api.subscribe = subscribe  # type: ignore[method-assign]
    api._op_SyncMessages = sync  # type: ignore[method-assign]
    async with running(RoomFeed(client, ROOM, sleep=no_wait)) as events:
        await until(lambda: connects(events) == 1)
    assert order == ["start_ack", "sync"]


async def test_since_replays_older_changes_first(api: FakeApi, client: ChatClient) -> None:
    await client.post_message(ROOM, "yesterday")
    async with running(RoomFeed(client, ROOM, since=0, sleep=no_wait)) as events:
        await until(lambda: texts(events) == ["yesterday"])


async def test_a_refused_subscription_is_raised_not_retried(
    api: FakeApi, client: ChatClient
) -> None:
    api.subscribe_errors = [api_error("Unauthorized", "not a member of this private room")]
    with pytest.raises(ApiError) as raised:
        async for _ in RoomFeed(client, ROOM, sleep=no_wait).events():
            pass
    assert raised.value.error_type == "Unauthorized"


async def test_refused_credentials_are_retried_once_then_raised(
    api: FakeApi, client: ChatClient
) -> None:
    api.subscribe_errors = [AuthError("expired"), AuthError("expired")]
    seen: list[FeedEvent] = []
    with pytest.raises(AuthError):
        async for event in RoomFeed(client, ROOM, sleep=no_wait).events():
            seen.append(event)
    assert [e.state for e in seen if isinstance(e, ConnectionEvent)] == ["reconnecting"]


async def test_reconnect_delays_back_off_until_connected(api: FakeApi, client: ChatClient) -> None:
    api.realtime_offline = True
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)
        if len(delays) == 4:
            api.realtime_offline = False
        await asyncio.sleep(0)

    feed = RoomFeed(client, ROOM, backoff=Backoff(initial_s=1, maximum_s=5), sleep=record)
    async with running(feed) as events:
        await until(lambda: connects(events) == 1)
    assert len(delays) == 4 and all(0 <= d <= 5 for d in delays)


async def test_with_the_api_key_the_catch_up_falls_back_to_history(
    api: FakeApi, client: ChatClient
) -> None:
    # Given credentials that may not call syncMessages (the public API key)
    original = api._op_SyncMessages

    def forbidden(variables):  # type: ignore[no-untyped-def]
        raise api_error("Unauthorized", "Not Authorized to access syncMessages on type Query")

    api._op_SyncMessages = forbidden  # type: ignore[method-assign]
    async with running(RoomFeed(client, ROOM, sleep=no_wait)) as events:
        await until(lambda: connects(events) == 1)
        await client.post_message(ROOM, "seen live")
        await until(lambda: texts(events) == ["seen live"])
        # When messages are missed during a drop
        api.realtime_offline = True
        api.drop_connections()
        await until(
            lambda: any(
                isinstance(e, ConnectionEvent) and e.state == "reconnecting" for e in events
            )
        )
        await client.post_message(ROOM, "missed")
        api.realtime_offline = False
        await until(lambda: connects(events) == 2)
    # Then history filled the gap, without repeating what was seen
    assert texts(events) == ["seen live", "missed"]
    assert len(api.calls_of("SyncMessages")) == 1 and api.calls_of("Messages")
    api._op_SyncMessages = original  # type: ignore[method-assign]


def test_backoff_grows_exponentially_to_a_cap_with_full_jitter() -> None:
    backoff = Backoff(initial_s=0.5, maximum_s=30, factor=2)
    assert [backoff.delay(n, rand=lambda: 1.0) for n in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(3, rand=lambda: 0.25) == 1.0
    assert backoff.delay(10_000, rand=lambda: 1.0) == 30
