"""Soak: many messages, many live subscribers, 10% of them dropped and reconnected at random.

Subscribers are pchat ``RoomFeed``s (client/pchat/realtime.py): onMessage over AppSync's
real-time WebSocket, and on every reconnect a catch-up through ``syncMessages`` merged
with the live pushes by (id, _version) - the client's own gap filling, used as a user's
application would use it. A tenth of the subscribers reach the runtime through their own
cuttable TCP proxy; a chaos task resets their connections (and refuses reconnects for a
while) at random moments while posters post.

The oracle, per subscriber: the changes it delivered are exactly the accepted messages of
its room - none missing, none twice (no (id, version) delivered more than once) - and the
accepted set is exactly what the server's own ``syncMessages`` lists. Every dropped
subscriber must have reconnected at least once (so the gap filling was exercised).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pchat import Backoff, ChatClient, ConnectionEvent, MessageEvent, PchatError, RoomFeed

from tests.cuttable_proxy import CuttableProxy

from . import _pchat
from ._http import Cred
from ._runtime import RelRuntime
from .conftest import Api, misrouted_replies

pytestmark = pytest.mark.dynamodb_local

POSTERS = ["rel-poster-1", "rel-poster-2", "rel-poster-3", "rel-poster-4"]
READERS = ["rel-reader-1", "rel-reader-2", "rel-reader-3", "rel-reader-4"]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "reliability"
CONNECT_BOUND_S = 120.0  # every feed connected by then
WORDS = ["lovely", "sunny", "garden", "friends", "music", "coffee", "happy", "wonderful", "thanks", "Paris", "Rome", "Tokyo", "picnic", "flowers", "beach", "mountains"]


class _Poisoned(Exception):
    """DEFECT-6 struck: the runtime's replies are misrouted; the run is void."""


@dataclass
class Subscriber:
    n: int
    room: str
    feed: RoomFeed
    proxy: CuttableProxy | None = None
    delivered: list[tuple[str, int]] = field(default_factory=list)
    filled: int = 0
    connected: int = 0
    task: asyncio.Task[None] | None = None
    error: str | None = None
    cuts: int = 0

    async def consume(self) -> None:
        try:
            await self._consume()
        except Exception as exc:  # the feed gave up: reported with the subscriber
            self.error = f"{type(exc).__name__}: {exc}"

    async def _consume(self) -> None:
        async for event in self.feed.events():
            if isinstance(event, MessageEvent):
                self.delivered.append((event.message.id, event.message.version))
                self.filled += event.filled
            elif isinstance(event, ConnectionEvent) and event.state == "connected":
                self.connected += 1


async def _until(condition: object, bound_s: float, what: str,
                 progress: object = None, idle_s: float = 120.0) -> None:
    """Wait for ``condition``; give up after ``bound_s``, or - when ``progress`` (a number
    that grows while work is being done, e.g. deliveries) is given - after ``idle_s``
    without progress. Pushes lag behind posts under load (the stream publisher drains its
    backlog after the last post), so a slow but moving system is waited for."""
    deadline = time.monotonic() + bound_s
    last, last_change = None, time.monotonic()
    while not condition():  # type: ignore[operator]
        now = time.monotonic()
        if progress is not None:
            current = progress()  # type: ignore[operator]
            if current != last:
                last, last_change = current, now
            elif now - last_change > idle_s:
                raise AssertionError(f"{what}: no progress for {idle_s:.0f} s")
        if now > deadline:
            raise AssertionError(f"{what}: not reached within {bound_s:.0f} s")
        await asyncio.sleep(0.2)


async def soak(rt: RelRuntime, api: Api, *, rooms: int, subscribers: int, messages: int,
               name: str, post_concurrency: int = 4, converge_bound_s: float = 180.0,
               post_bound_s: float = 900.0) -> None:
    rng = random.Random(f"{name}-{messages}")
    poisoned = False
    post_errors: list[str] = []
    phases: dict[str, float] = {}
    t0 = time.monotonic()
    room_ids = [api.create_room(Cred.OWNER, f"soak {name} {i}") for i in range(rooms)]
    posters: list[ChatClient] = []
    for user in POSTERS:
        client = await _pchat.sign_in(rt, user)
        for room in room_ids:
            await client.join_room(room, language="en")
        posters.append(client)

    # Subscribers: readers (signed in, not members: the rooms are public) spread over rooms.
    reader_creds = {u: await _pchat.credentials(rt, u) for u in READERS}
    direct = {u: await _pchat.sign_in(rt, u, creds=c) for u, c in reader_creds.items()}
    flaky = set(rng.sample(range(subscribers), max(1, subscribers // 10)))
    realtime = urlsplit(rt.realtime_url)
    backoff = Backoff(initial_s=0.2, maximum_s=2.0)
    subs: list[Subscriber] = []
    own_clients: list[ChatClient] = []
    for n in range(subscribers):
        user = READERS[n % len(READERS)]
        room = room_ids[n % rooms]
        proxy = None
        client = direct[user]
        if n in flaky:
            proxy = CuttableProxy(realtime.hostname or "127.0.0.1", realtime.port or 80)
            await proxy.start()
            client = await _pchat.sign_in(
                rt, user, creds=reader_creds[user],
                realtime_url=f"ws://127.0.0.1:{proxy.port}{realtime.path}")
            own_clients.append(client)
        sub = Subscriber(n, room, RoomFeed(client, room, backoff=backoff), proxy)
        sub.task = asyncio.create_task(sub.consume(), name=f"subscriber-{n}")
        subs.append(sub)
    try:
        await _until(lambda: all(s.connected >= 1 for s in subs), CONNECT_BOUND_S,
                     "every subscriber connected")
        phases["setup_and_connect_s"] = round(time.monotonic() - t0, 1)

        accepted: dict[str, set[tuple[str, int]]] = {r: set() for r in room_ids}
        rejected = Counter[str]()
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(messages):
            queue.put_nowait(i)

        post_deadline = time.monotonic() + post_bound_s

        async def poster(client: ChatClient) -> None:
            while not queue.empty():
                if time.monotonic() > post_deadline:
                    post_errors.append(f"posting did not finish within {post_bound_s:.0f} s")
                    return
                i = queue.get_nowait()
                room = room_ids[rng.randrange(rooms)]
                text = f"{' '.join(rng.sample(WORDS, 4))} - a happy note number {i}"
                try:
                    result = await client.post_message(room, text, client_id=uuid.uuid4().hex)
                except PchatError as exc:
                    post_errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                if result.accepted and result.message is not None:
                    accepted[room].add((result.message.id, result.message.version))
                else:
                    rejected[room] += 1

        posting = [asyncio.create_task(poster(posters[k % len(posters)]))
                   for k in range(post_concurrency)]

        async def chaos() -> None:
            """Drop the flaky subscribers' connections at random while posting goes on.

            A subscriber is dropped again only once it has reconnected and caught up: a
            drop *during* its re-subscribe would set off DEFECT-6 (a cancelled subscription
            resolver misroutes the runtime's later replies), which test_known_defects.py
            reproduces on purpose; here it would only void the run."""
            while not all(p.done() for p in posting):
                ready = [n for n in sorted(flaky) if subs[n].connected > subs[n].cuts]
                if not ready:
                    await asyncio.sleep(0.1)
                    continue
                victim = subs[rng.choice(ready)]
                assert victim.proxy is not None
                victim.cuts += 1
                await victim.proxy.cut()
                await asyncio.sleep(rng.uniform(0.3, 3.0))  # posts keep arriving meanwhile
                await victim.proxy.restore()
                await asyncio.sleep(rng.uniform(0.2, 2.0))

        chaos_task = asyncio.create_task(chaos())
        await asyncio.gather(*posting)
        await chaos_task
        phases["posting_s"] = round(time.monotonic() - t0 - phases["setup_and_connect_s"], 1)
        for s in subs:  # every network back for the final convergence
            if s.proxy is not None:
                await s.proxy.restore()
        total_accepted = sum(len(v) for v in accepted.values())
        if post_errors and misrouted_replies(rt, api.creds):
            raise _Poisoned(post_errors)

        def converged() -> bool:
            return all(set(s.delivered) >= accepted[s.room] for s in subs)

        # not reached in time: reported below, per subscriber, with what is missing
        with contextlib.suppress(AssertionError):
            await _until(converged, converge_bound_s, "every subscriber has its room's messages",
                         progress=lambda: sum(len(s.delivered) for s in subs))
        phases["converged_after_posting_s"] = round(
            time.monotonic() - t0 - phases["setup_and_connect_s"] - phases["posting_s"], 1)
        await asyncio.sleep(2.0)  # anything delivered twice would arrive now
    except _Poisoned:
        poisoned = True
    finally:
        for s in subs:
            assert s.task is not None
            s.task.cancel()
        await asyncio.gather(*(s.task for s in subs if s.task), return_exceptions=True)
        for c in [*posters, *direct.values(), *own_clients]:
            await c.transport.close()
        for s in subs:
            if s.proxy is not None:
                await s.proxy.close()

    if poisoned or misrouted_replies(rt, api.creds):
        rt.stop()
        rt.start()
        pytest.xfail("DEFECT-6 struck during the soak (a dropped connection cancelled a "
                     "subscription resolver's Lambda invocation; replies were then misrouted: "
                     f"{post_errors[:2]}); its delivery results are meaningless this time")
    server = {r: {(m["id"], m["_version"]) for m in api.sync_all(r)} for r in room_ids}
    problems = [f"post failed: {e}" for e in post_errors]
    if total_accepted + sum(rejected.values()) != messages:
        problems.append(f"{messages} posted, {total_accepted} accepted, {rejected} rejected")
    for room in room_ids:
        if server[room] != accepted[room]:
            problems.append(f"room {room}: server lists {len(server[room])}, posters were "
                            f"told {len(accepted[room])} accepted")
    for s in subs:
        got = Counter(s.delivered)
        twice = [k for k, c in got.items() if c > 1]
        missing = accepted[s.room] - set(got)
        extra = set(got) - accepted[s.room]
        if s.error:
            problems.append(f"subscriber {s.n}: its feed ended with {s.error}")
        if twice or missing or extra:
            problems.append(f"subscriber {s.n}{' (flaky)' if s.n in flaky else ''}: "
                            f"{len(missing)} missing, {len(twice)} twice, {len(extra)} foreign "
                            f"(reconnects {s.feed.reconnects}, filled {s.filled}) "
                            f"e.g. missing {sorted(missing)[:3]}")
    stats = {
        "messages": messages, "rooms": rooms, "subscribers": subscribers,
        "flaky": sorted(flaky), "accepted": total_accepted, "rejected": dict(rejected),
        "deliveries": sum(len(s.delivered) for s in subs),
        "filled_by_gap_filling": sum(s.filled for s in subs),
        "reconnects": {s.n: s.feed.reconnects for s in subs if s.feed.reconnects},
        "cuts": {s.n: s.proxy.cuts for s in subs if s.proxy is not None},
        "problems": problems[:50],
        "phases (observed, not asserted)": phases,
    }
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.json").write_text(json.dumps(stats, indent=2))
    assert not problems, "\n".join(problems[:40])
    for s in subs:
        if s.n in flaky and s.proxy is not None and s.proxy.cuts:
            assert s.feed.reconnects >= 1, f"flaky subscriber {s.n} never reconnected"
    assert any(s.proxy is not None and s.proxy.cuts for s in subs), "no connection was cut"
    assert stats["deliveries"] == sum(len(accepted[s.room]) for s in subs)


async def test_soak_short(rt: RelRuntime, api: Api) -> None:
    await soak(rt, api, rooms=3, subscribers=20, messages=200, name="soak-short")


@pytest.mark.slow
async def test_soak_long(rt: RelRuntime, api: Api) -> None:
    await soak(rt, api, rooms=10, subscribers=200, messages=10_000, name="soak-long",
               converge_bound_s=3600.0, post_bound_s=5400.0)
