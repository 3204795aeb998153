"""Benchmark 1 — fan-out: one published event to 1, 100 and 1,000 WebSocket subscribers.

For each subscriber count, the same subscriber pools (raw `websockets` clients speaking
the AppSync protocol: connection_init, start with API key auth) connect to all three
targets; then, repeat after repeat, each target is measured in turn (rotating order) so
that machine load drifting over the run hits all of them alike. Per target and repeat:

1. isolated events: one event, wait until every subscriber has it, pause, next.
   latency = frame received - mutation sent (same CLOCK_MONOTONIC in every process);
   "deliveries/s (one event)" = subscribers / (last frame - mutation sent).
2. a burst: events sent back to back (8 in flight); sustained deliveries/s =
   events x subscribers / (last frame - first send); plus server and client CPU per
   1,000 deliveries, read from /proc, which stays comparable when wall time does not.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._model import Section
from ._procs import log
from ._stats import latency_summary, percentile
from ._subscriber_pool import SubscriberPool
from ._targets import (
    CHANNEL,
    SUBSCRIBE,
    Target,
    peer_missing,
    start_ceiling,
    start_ours,
    start_peer,
)

BODY = ("Positive Chat fan-out benchmark payload: a short chat message of a realistic size, "
        "about two hundred bytes of UTF-8 text, the same for every target. " * 2)[:200]
BURST_CONCURRENCY = 8
EVENT_GAP_S = 0.02  # lets the previous event's last frames drain before the next send
WAIT_TIMEOUT_S = 20.0  # per wait; a target that misses it is reported as losing frames


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]
    repeats: int
    events: dict[int, int]  # isolated events per repeat, by subscriber count
    burst: dict[int, int]  # burst events per repeat, by subscriber count
    warmup: int


FULL = Plan(sizes=(1, 100, 1000), repeats=3, events={1: 100, 100: 30, 1000: 20},
            burst={1: 400, 100: 150, 1000: 50}, warmup=5)
QUICK = Plan(sizes=(1, 20), repeats=1, events={1: 10, 20: 5}, burst={1: 20, 20: 10},
             warmup=2)


def run(quick: bool = False) -> Section:
    section = Section("fanout", "Fan-out: one mutation to N AppSync WebSocket subscribers",
                      _method(QUICK if quick else FULL))
    started = time.monotonic()
    asyncio.run(_run(section, QUICK if quick else FULL))
    section.duration_s = time.monotonic() - started
    return section


async def _run(section: Section, plan: Plan) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
        work = Path(tmp)
        targets: list[Target] = []
        for name, start in (("ours", start_ours), ("peer", start_peer),
                            ("ceiling", start_ceiling)):
            if name == "peer" and (missing := peer_missing()):
                section.notes.append(f"peer skipped: {missing}")
                section.status = "partial"
                continue
            try:
                targets.append(start(work))
            except Exception as exc:
                section.notes.append(f"{name} did not start: {exc}"[:600])
                section.status = "partial" if name != "ours" else "error"
                if name == "ours":
                    section.reason = "the runtime under test did not start"
        try:
            if any(t.name == "ours" for t in targets):
                for size in plan.sizes:
                    await _measure_size(section, plan, targets, size)
        finally:
            for target in targets:
                await target.close()
        section.details["targets"] = {t.name: t.description for t in targets}
    _ratios(section, plan)


async def _measure_size(section: Section, plan: Plan, targets: list[Target], size: int) -> None:
    pools: dict[str, SubscriberPool] = {}
    try:
        for target in targets:
            pool = SubscriberPool(url=target.realtime_url, header=target.header,
                                  query=SUBSCRIBE, variables={"c": CHANNEL},
                                  field_name="onPublish", fields=["seq", "sentAt"],
                                  count=size)
            try:
                await pool.open()
            except Exception as exc:
                section.notes.append(f"{target.name}: {size} subscribers did not connect: {exc}"
                                     [:600])
                section.status = "partial"
                continue
            pools[target.name] = pool
            section.details.setdefault("connect_s", {})[f"{target.name}.n{size}"] = round(
                pool.connect_s, 2)
            try:
                await _warm_up(target, pool, plan.warmup)
            except Exception as exc:
                section.notes.append(f"{target.name}, {size} subscribers: warm-up failed: "
                                     f"{type(exc).__name__}: {exc}"[:600])
                section.status = "partial"
                await pool.close()
                del pools[target.name]
        for repeat in range(plan.repeats):
            order = [t for t in targets if t.name in pools]
            shift = repeat % max(1, len(order))
            for target in order[shift:] + order[:shift]:
                log(f"fanout: {target.name}, {size} subscribers, repeat {repeat + 1}")
                try:
                    await _measure_once(section, plan, target, pools[target.name], size, repeat)
                except Exception as exc:  # one target failing must not lose the others
                    section.notes.append(f"{target.name}, {size} subscribers, repeat {repeat}: "
                                         f"{type(exc).__name__}: {exc}"[:600])
                    section.status = "partial"
    finally:
        for pool in pools.values():
            await pool.close()


async def _warm_up(target: Target, pool: SubscriberPool, events: int) -> None:
    for seq in range(events):
        await target.publisher.publish(_event(-1 - seq))
    await pool.wait(events, WAIT_TIMEOUT_S)
    await pool.collect()


async def _measure_once(section: Section, plan: Plan, target: Target, pool: SubscriberPool,
                        size: int, repeat: int) -> None:
    name = target.name
    # 1. isolated events
    events = plan.events[size]
    sent: dict[int, int] = {}
    round_trips: list[float] = []
    for seq in range(events):
        event = _event(seq)
        sent[seq] = int(event["sentAt"])
        await target.publisher.publish(event)
        # The mutation's own answer (HTTP response; the ceiling: its control reply).
        round_trips.append((time.monotonic_ns() - sent[seq]) / 1e6)
        await pool.wait(seq + 1, WAIT_TIMEOUT_S)
        await asyncio.sleep(EVENT_GAP_S)
    isolated = await pool.collect()
    latencies, per_event_rate, missing, duplicates = _analyse(isolated.rows, sent, size)
    lat = latency_summary(latencies)
    tag = f"fanout.{name}.n{size}"
    for q in ("p50", "p95", "p99"):
        section.figure(f"{tag}.latency_{q}_ms", f"latency {q}, {size} subscribers", "ms", name,
                       subscribers=size).add(lat[q])
    section.figure(f"{tag}.mutation_response_p50_ms",
                   f"mutation response time p50 (isolated events), {size} subs", "ms",
                   name, subscribers=size).add(percentile(round_trips, 50))
    section.figure(f"{tag}.event_deliveries_per_s", f"deliveries/s, one event, {size} subs",
                   "deliveries/s", name, better="higher", subscribers=size).add(
        _median(per_event_rate))

    # 2. burst
    burst = plan.burst[size]
    cpu_server_before = target.server.cpu()
    cpu_client_before = isolated.cpu_s
    gate = asyncio.Semaphore(BURST_CONCURRENCY)
    burst_sent: dict[int, int] = {}

    async def one(seq: int) -> None:
        async with gate:
            event = _event(seq)
            burst_sent[seq] = int(event["sentAt"])
            await target.publisher.publish(event)

    first_send = time.monotonic_ns()
    await asyncio.gather(*(one(events + i) for i in range(burst)))
    complete = await pool.wait(burst, WAIT_TIMEOUT_S)
    collected = await pool.collect()
    cpu_server = target.server.cpu() - cpu_server_before
    cpu_client = collected.cpu_s - cpu_client_before
    _, _, burst_missing, burst_dupes = _analyse(collected.rows, burst_sent, size)
    delivered = len(collected.rows)
    last = max((row[1] for row in collected.rows), default=first_send)
    span_s = max(1e-9, (last - first_send) / 1e9)
    section.figure(f"{tag}.burst_deliveries_per_s", f"deliveries/s, burst, {size} subs",
                   "deliveries/s", name, better="higher", subscribers=size).add(
        delivered / span_s)
    section.figure(f"{tag}.server_cpu_ms_per_1k", f"server CPU per 1,000 deliveries, {size} subs",
                   "ms CPU", name, subscribers=size).add(
        1e6 * cpu_server / delivered if delivered else math.nan)
    section.figure(f"{tag}.client_cpu_share", f"client CPU busy share during burst, {size} subs",
                   "fraction", name, better="none", subscribers=size).add(
        cpu_client / (span_s * len(pool.sizes)))
    section.details.setdefault("runs", []).append({
        "target": name, "subscribers": size, "repeat": repeat,
        "isolated_events": events, "isolated_deliveries": len(isolated.rows),
        "isolated_missing": missing, "isolated_duplicates": duplicates,
        "burst_events": burst, "burst_deliveries": delivered, "burst_missing": burst_missing,
        "burst_duplicates": burst_dupes, "burst_complete": complete,
        "burst_span_s": round(span_s, 4), "server_cpu_s": round(cpu_server, 3),
        "client_cpu_s": round(cpu_client, 3), "client_processes": len(pool.sizes),
        "client_errors": collected.errors[:3], "open_connections": collected.open_connections,
        "latency_ms": {k: round(v, 3) for k, v in lat.items()},
    })


def _analyse(rows: list[list[Any]], sent: dict[int, int],
             size: int) -> tuple[list[float], list[float], int, int]:
    """Latencies (ms), per-event deliveries/s, missing and duplicate deliveries."""
    latencies: list[float] = []
    last_by_seq: dict[int, int] = {}
    seen: defaultdict[tuple[int, int], int] = defaultdict(int)
    for conn, recv_ns, values in rows:
        seq = int(values["seq"])
        if seq not in sent:
            continue  # a warm-up straggler
        seen[(conn, seq)] += 1
        latencies.append((recv_ns - sent[seq]) / 1e6)
        last_by_seq[seq] = max(last_by_seq.get(seq, 0), recv_ns)
    rates = [size / max(1e-9, (last - sent[seq]) / 1e9) for seq, last in last_by_seq.items()]
    missing = len(sent) * size - len(seen)
    duplicates = sum(n - 1 for n in seen.values())
    return latencies, rates, missing, duplicates


def _event(seq: int) -> dict[str, Any]:
    return {"channel": CHANNEL, "seq": seq, "sentAt": str(time.monotonic_ns()), "body": BODY}


def _median(values: list[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _ratios(section: Section, plan: Plan) -> None:
    for size in plan.sizes:
        for base, label in (("peer", "our/peer"), ("ceiling", "our/ceiling")):
            section.pair(f"fanout.n{size}.burst_rate.ours_over_{base}",
                         f"{label} deliveries/s (burst), {size} subs",
                         f"fanout.ours.n{size}.burst_deliveries_per_s",
                         f"fanout.{base}.n{size}.burst_deliveries_per_s",
                         ">1: ours delivers more per second")
            section.pair(f"fanout.n{size}.p50.ours_over_{base}",
                         f"{label} latency p50, {size} subs",
                         f"fanout.ours.n{size}.latency_p50_ms",
                         f"fanout.{base}.n{size}.latency_p50_ms", "<1: ours is faster")
            section.pair(f"fanout.n{size}.p99.ours_over_{base}",
                         f"{label} latency p99, {size} subs",
                         f"fanout.ours.n{size}.latency_p99_ms",
                         f"fanout.{base}.n{size}.latency_p99_ms", "<1: ours is faster")
            section.pair(f"fanout.n{size}.response.ours_over_{base}",
                         f"{label} mutation response time p50, {size} subs",
                         f"fanout.ours.n{size}.mutation_response_p50_ms",
                         f"fanout.{base}.n{size}.mutation_response_p50_ms", "<1: ours answers faster")
            section.pair(f"fanout.n{size}.cpu.ours_over_{base}",
                         f"{label} server CPU per delivery, {size} subs",
                         f"fanout.ours.n{size}.server_cpu_ms_per_1k",
                         f"fanout.{base}.n{size}.server_cpu_ms_per_1k", "<1: ours uses less CPU")


def _method(plan: Plan) -> str:
    return (
        f"Subscribers: {', '.join(map(str, plan.sizes))}; {plan.repeats} repeat(s), targets "
        "measured in rotating order inside each repeat, all on 127.0.0.1. Subscribers are raw "
        "`websockets` clients speaking the AppSync real-time protocol (query-string header, "
        "`graphql-ws` subprotocol, connection_init, start with API key auth, no "
        "permessage-deflate), at most 500 per asyncio process. The event is "
        f"`publish(channel, seq, sentAt, body)` with a {len(BODY)}-byte body, echoed by a NONE "
        "data source (`bench/fixtures/fanout/`), POSTed over HTTP keep-alive. **ours** = "
        "`python -m appsync_local run --template bench/fixtures/fanout/template.yaml "
        "--in-memory --log-level WARNING`; **peer** = amplify-appsync-simulator@2.4.1 with the "
        "same SDL and a VTL echo (`bench/peer/server.js`; it binds every interface by default, "
        "so every listen() is forced onto 127.0.0.1); **ceiling** = a raw "
        "`websockets.broadcast` of the same frame triggered over a control WebSocket "
        "(`bench/_ceiling_server.py`, no GraphQL work). Latency = frame received - mutation "
        f"sent (CLOCK_MONOTONIC, shared by all processes), over isolated events "
        f"({plan.events}) sent one at a time; deliveries/s (one event) = subscribers / time "
        f"to the last frame; burst = {plan.burst} events back to back ({BURST_CONCURRENCY} in "
        "flight), deliveries/s = frames / (last frame - first send). CPU is user+system time "
        "from /proc of the server process tree (server) and of the subscriber processes "
        "(client busy share: 1.0 = a client process was saturated, then the figure is a "
        "client limit, not the server's)."
    )
