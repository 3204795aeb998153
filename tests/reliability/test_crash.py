"""Crash: kill -9 the runtime and DynamoDB Local in the middle of an offline replay.

Several users' pchat outboxes (client/pchat/outbox.py, SQLite) hold posts queued offline,
each with its clientId fixed at queue time. They are flushed concurrently; when a random
share of the posts has been accepted, the runtime process is frozen and then it and its
DynamoDB Local (Java) are SIGKILLed (``RelRuntime.kill9``), and the runtime is started
again on the same port and state dir (the suites' shared runtime: it is left running).
The outboxes keep flushing throughout: a post in flight at the kill is answered by nobody,
so it stays pending and is sent again; a post whose answer was lost is replayed and the
server's clientId guard returns the original.

Then, through the API (syncMessages as IAM, every page): the room holds exactly the
queued clientIds, each once; every outbox entry is ``sent``; and the table holds its
invariants (nothing half written).
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pchat import EntryState, Outbox

from . import _invariants, _pchat
from ._http import Cred, Credentials
from ._runtime import RelRuntime
from .conftest import Api

pytestmark = pytest.mark.dynamodb_local

POSTERS = ["rel-poster-1", "rel-poster-2", "rel-poster-3", "rel-poster-4"]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "reliability"
RETRY_PAUSE_S = 0.5  # between flushes that stopped on an offline runtime
RUN_BOUND_S = 1800.0  # the whole replay must end by then (it stops by itself)


def _text(i: int) -> str:
    return f"Thank you friends, lovely sunny day number {i} in the garden"


async def _flush_until_empty(box: Outbox, client: Any, stats: Counter[str],
                             deadline: float) -> None:
    while time.monotonic() < deadline:
        report = await box.flush(client)
        for outcome in report.outcomes:
            stats[outcome.state.value] += 1
        if report.stopped_by is not None:
            stats[f"stopped: {type(report.stopped_by).__name__}"] += 1
            await asyncio.sleep(RETRY_PAUSE_S)
            continue
        if report.pending == 0:
            return
    raise AssertionError(f"the outbox was not drained within {RUN_BOUND_S} s: {box.counts()}")


def _sent(boxes: list[Outbox]) -> int:
    return sum(box.counts().get(EntryState.SENT, 0) for box in boxes)


def _settled_at(path: Path) -> dict[str, tuple[int, float]]:
    """clientId -> (attempts, time the outbox recorded its outcome), read from the SQLite
    file (diagnostics: when was a lost post acknowledged, relative to a kill?)."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT client_id, attempts, updated_at FROM entries").fetchall()
    return {str(c): (int(a), float(u)) for c, a, u in rows}


async def crash_during_replay(rt: RelRuntime, tmp: Path, total: int, kills: int,
                              name: str, *, simultaneous: bool = False) -> None:
    creds = Credentials(rt)
    api = Api(rt, creds)
    room = api.create_room(Cred.OWNER, f"crash {name}")
    clients, boxes, expected = [], [], []
    for n, user in enumerate(POSTERS):
        client = await _pchat.sign_in(rt, user)
        await client.join_room(room, language="en")
        box = Outbox(tmp / f"outbox-{user}.sqlite")
        for i in range(n, total, len(POSTERS)):  # queued offline: nothing sent yet
            client_id = f"crash-{name}-{i:05d}"
            box.post(room, _text(i), client_id=client_id)
            expected.append(client_id)
        clients.append(client)
        boxes.append(box)
    assert sum(b.counts()[EntryState.PENDING] for b in boxes) == total

    stats: Counter[str] = Counter()
    deadline = time.monotonic() + RUN_BOUND_S
    flushers = [asyncio.create_task(_flush_until_empty(b, c, stats, deadline))
                for b, c in zip(boxes, clients, strict=True)]
    rng = random.Random(total * 31 + kills)
    killed: list[dict[str, Any]] = []
    for k in range(kills):
        # somewhere in the k-th slice of the replay, chosen at random
        threshold = int(total * (k + rng.uniform(0.3, 0.8)) / (kills + 1))
        while _sent(boxes) < threshold and not all(f.done() for f in flushers):
            await asyncio.sleep(0.05)
        if all(f.done() for f in flushers):
            break
        sent_at_kill = _sent(boxes)
        kill_time = time.time()
        info = await asyncio.to_thread(rt.kill9, simultaneous=simultaneous)
        await asyncio.sleep(rng.uniform(0.5, 2.0))  # clients meet a dead server meanwhile
        await asyncio.to_thread(rt.start)
        killed.append({**info, "sent_before_kill": sent_at_kill, "at": kill_time})
    await asyncio.gather(*flushers)

    for client in clients:
        await client.transport.close()
    states = Counter(e.state.value for b in boxes for e in b.entries())
    settled: dict[str, tuple[int, float]] = {}
    for box in boxes:
        box.close()
        settled.update(_settled_at(box.path))

    # Verification through the API, on a fresh connection to the restarted runtime.
    api = Api(rt, creds)
    items = api.sync_all(room)
    stored = Counter(m["clientId"] for m in items)
    report = _invariants.check_table(rt.dynamodb())
    lost = sorted(set(expected) - set(stored))
    lost_detail = {c: {"attempts": settled[c][0],
                       "acknowledged_s_before_kill": [round(k["at"] - settled[c][1], 3)
                                                      for k in killed]} for c in lost}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.json").write_text(json.dumps({
        "posts": total, "kills": killed, "flush_outcomes": dict(stats),
        "outbox_states": dict(states), "stored": len(items), "distinct": len(stored),
        "lost": lost_detail, "table": report.summary()}, indent=2))

    assert len(killed) == kills, f"the replay ended before every kill: {killed}"
    assert states == Counter({"sent": total}), states
    duplicated = {c: n for c, n in stored.items() if n > 1}
    assert not duplicated, f"stored more than once: {duplicated}"
    assert not lost, f"accepted by the server, then lost: {lost_detail}"
    assert set(stored) == set(expected), f"unexpected: {sorted(set(stored) - set(expected))}"
    assert not report.problems, "\n".join(report.problems)
    assert stats["stopped: OfflineError"] >= 1, "no flush ever met the dead runtime"


# The shared runtime is crashed and restarted in place (same port, state dir, users), so
# the suites after this one find it running with their data.
async def test_kill9_during_offline_replay_short(rt: RelRuntime, tmp_path: Path) -> None:
    await crash_during_replay(rt, tmp_path, total=100, kills=1, name="crash-short")


@pytest.mark.slow
async def test_kill9_during_offline_replay_long(rt: RelRuntime, tmp_path: Path) -> None:
    await crash_during_replay(rt, tmp_path, total=1000, kills=3, name="crash-long")
