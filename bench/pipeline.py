"""Benchmark 2 — the whole postMessage path with the real chat template, under load.

`python -m appsync_local run --template infra/template.yaml --env-vars
infra/env.local.json --seed infra/seed.local.json` (DynamoDB Local, local Cognito, Lambda
workers, APPSYNC_JS pass-through, stream poller, publisher Lambda, IAM publish mutation),
100 API-key subscribers on onMessage(roomId), and a Cognito user posting unique friendly
messages at a fixed offered rate (open loop: each message leaves at its scheduled time,
whether or not earlier ones were answered).

End-to-end latency = onMessage frame received - postMessage sent. Loss check: every
ACCEPTED message must reach every subscriber exactly once, and nothing else may arrive.

The issue asks for 50 msg/s for 60 s. A short probe at that rate runs first; if the
machine cannot sustain it (the sender falls behind, latency keeps growing, or the
pipeline needs long to drain), the sustainable rate is searched downwards from the
measured capacity and the measured runs use that rate; the report says so.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiohttp

from ._corpus import positive_english
from ._machine import REPO
from ._model import Section
from ._procs import Server, cpu_by_role, log, start_runtime
from ._stats import latency_summary, percentile
from ._subscriber_pool import SubscriberPool

CREATE_ROOM = "mutation C($i: CreateRoomInput!) { createRoom(input: $i) { id } }"
POST = ("mutation P($i: PostMessageInput!) { postMessage(input: $i) "
        "{ status message { id clientId } rejection { reason } } }")
SUBSCRIBE = ("subscription S($r: ID!) { onMessage(roomId: $r) "
             "{ id roomId clientId text language tags translationStatus _version } }")
MAX_IN_FLIGHT = 256  # the open-loop sender's cap; reaching it means the API fell behind


@dataclass(frozen=True)
class Plan:
    target_rate: float
    duration_s: float
    repeats: int
    subscribers: int
    probe_s: float
    drain_timeout_s: float
    search: bool  # look for a sustainable rate when the target is not sustained


# The first probe runs at the target rate; a short one, because an overloaded pipeline then
# needs a long time to drain. Later probes (at lower rates) run for SEARCH_PROBE_S.
FULL = Plan(target_rate=50.0, duration_s=60.0, repeats=3, subscribers=100, probe_s=6.0,
            drain_timeout_s=120.0, search=True)
SEARCH_PROBE_S = 10.0
MAX_PROBES = 5
RUN_HEADROOM = 0.75
SETTLE_QUIET_S = 3.0  # no frame for this long = the previous run has fully drained
QUICK = Plan(target_rate=5.0, duration_s=5.0, repeats=1, subscribers=5, probe_s=0.0,
             drain_timeout_s=30.0, search=False)


@dataclass
class Post:
    index: int
    client_id: str
    scheduled_ns: int
    sent_ns: int = 0
    answered_ns: int = 0
    status: str = ""  # ACCEPTED | REJECTED | ERROR
    error: str = ""


@dataclass
class RunResult:
    rate: float
    duration_s: float
    posts: list[Post]
    e2e_ms: list[float]
    http_ms: list[float]
    missing: int
    duplicates: int
    unexpected: int
    drain_s: float
    send_lag_p99_ms: float
    early_p50_ms: float
    late_p50_ms: float
    server_cpu_s: float
    client_cpu_s: float
    cpu_by_role_s: dict[str, float]
    delivered_messages_per_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(1 for p in self.posts if p.status == "ACCEPTED")

    @property
    def errors(self) -> int:
        return sum(1 for p in self.posts if p.status == "ERROR")

    def sustained(self) -> tuple[bool, str]:
        """Whether the pipeline kept up with the offered rate, and why not."""
        reasons = []
        if self.errors:
            reasons.append(f"{self.errors} postMessage errors")
        if self.send_lag_p99_ms > 1000:
            reasons.append(f"sender fell behind (p99 lag {self.send_lag_p99_ms:.0f} ms)")
        if self.missing:
            reasons.append(f"{self.missing} deliveries missing after the drain timeout")
        if self.late_p50_ms > 2 * self.early_p50_ms + 1000:
            reasons.append(f"latency kept growing (p50 {self.early_p50_ms:.0f} ms in the first "
                           f"fifth, {self.late_p50_ms:.0f} ms in the last)")
        if self.drain_s > 10:
            reasons.append(f"{self.drain_s:.0f} s to drain after the last send")
        return (not reasons, "; ".join(reasons))


class Chat:
    """The running API, a room, a poster's token, and the subscribers."""

    def __init__(self, server: Server, token: str) -> None:
        self.server = server
        self.info = server.info
        self.token = token
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))
        self.room_id = ""

    async def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        headers = {"authorization": self.token, "content-type": "application/json"}
        for attempt in (1, 2):
            try:
                async with self.session.post(self.info["graphqlUrl"], headers=headers,
                                             json={"query": query, "variables": variables},
                                             timeout=aiohttp.ClientTimeout(total=60)) as response:
                    body: dict[str, Any] = await response.json(content_type=None)
                break
            except aiohttp.ClientConnectionError:
                # An idle keep-alive connection closed by the server (uvicorn: 5 s) can be
                # picked at that very moment. postMessage is idempotent on clientId, so
                # sending it again is what a real client does too.
                if attempt == 2:
                    raise
        if response.status != 200 or body.get("errors"):
            raise RuntimeError(f"{response.status}: {str(body)[:400]}")
        return body["data"]  # type: ignore[no-any-return]

    async def create_room(self) -> None:
        data = await self.graphql(CREATE_ROOM, {"i": {"name": f"bench {uuid.uuid4().hex[:8]}",
                                                      "visibility": "PUBLIC", "language": "en"}})
        self.room_id = data["createRoom"]["id"]

    def subscribers(self, count: int) -> SubscriberPool:
        header = {"host": urlparse(self.info["graphqlUrl"]).netloc, "x-api-key": self.info["apiKey"]}
        return SubscriberPool(url=self.info["realtimeUrl"], header=header, query=SUBSCRIBE,
                              variables={"r": self.room_id}, field_name="onMessage",
                              fields=["clientId", "id", "_version"], count=count)

    async def close(self) -> None:
        await self.session.close()


def run(quick: bool = False) -> Section:
    plan = QUICK if quick else FULL
    section = Section("pipeline", "Pipeline: postMessage end to end with the real chat template",
                      _method(plan))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        try:
            server = start_runtime("ours-chat", REPO / "infra" / "template.yaml",
                                   Path(tmp) / "state", in_memory=False,
                                   env_vars=REPO / "infra" / "env.local.json",
                                   seed=REPO / "infra" / "seed.local.json")
        except Exception as exc:
            section.status, section.reason = "error", f"the runtime did not start: {exc}"[:800]
            return section
        try:
            asyncio.run(_run(section, plan, server))
        finally:
            server.stop()
    section.duration_s = time.monotonic() - started
    return section


async def _run(section: Section, plan: Plan, server: Server) -> None:
    chat = Chat(server, _token(server.info))
    try:
        await chat.create_room()
        async with chat.subscribers(plan.subscribers) as pool:
            section.details["subscribers_connect_s"] = round(pool.connect_s, 2)
            log("pipeline: warm-up")
            await _offer(chat, pool, plan, rate=5.0, duration_s=3.0, salt="warm")
            rate = plan.target_rate
            if plan.probe_s:
                rate = await _find_rate(section, chat, pool, plan)
            for repeat in range(plan.repeats):
                log(f"pipeline: {rate:g} msg/s for {plan.duration_s:g} s, repeat {repeat + 1}")
                result = await _offer(chat, pool, plan, rate=rate, duration_s=plan.duration_s,
                                      salt=f"r{repeat}-")
                _record(section, result, repeat)
    finally:
        await chat.close()


async def _find_rate(section: Section, chat: Chat, pool: SubscriberPool, plan: Plan) -> float:
    """The target rate if a short probe sustains it, else the highest sustained probe rate.

    After the target fails, the first guess is 80 % of what actually got through; then
    the search moves up (x1.5) while probes are sustained and bisects (geometrically)
    between the best sustained and the lowest failed rate, within MAX_PROBES, so the rate
    reported is a measured one, not an extrapolation.
    """
    probes: list[dict[str, Any]] = []
    rate = plan.target_rate
    best: float | None = None  # highest sustained rate so far
    failed = math.inf  # lowest failed rate so far
    for attempt in range(MAX_PROBES):
        seconds = plan.probe_s if attempt == 0 else SEARCH_PROBE_S
        log(f"pipeline: probe at {rate:g} msg/s for {seconds:g} s")
        result = await _offer(chat, pool, plan, rate=rate, duration_s=seconds,
                              salt=f"p{attempt}-")
        ok, why = result.sustained()
        # Messages fully delivered per second over the probe, drain included: what the
        # slowest stage (accept, or stream -> publish -> fan-out) let through.
        capacity = result.accepted / max(1e-9, result.duration_s + result.drain_s)
        answered = [p for p in result.posts if p.status == "ACCEPTED"]
        accept_rate = len(answered) / max(1e-9, (max(p.answered_ns for p in answered) - min(
            p.sent_ns for p in answered)) / 1e9) if answered else math.nan
        probes.append({"rate": rate, "seconds": seconds, "sustained": ok, "why": why,
                       "capacity_msgs_per_s": round(capacity, 1),
                       "accept_rate_msgs_per_s": round(accept_rate, 1),
                       "cpu_by_role_s": result.cpu_by_role_s,
                       "e2e_p50_ms": round(percentile(result.e2e_ms, 50), 1),
                       "e2e_p99_ms": round(percentile(result.e2e_ms, 99), 1)})
        if ok:
            best = rate
            if rate >= plan.target_rate or not plan.search:
                break
        else:
            failed = min(failed, rate)
            if not plan.search:
                break
        if best is None:
            next_rate = math.floor(min(0.8 * capacity, 0.8 * rate))
        elif failed == math.inf:
            next_rate = math.floor(best * 1.5)
        else:
            # Geometric midpoint: the gap is often 10x wide after the target fails, and a
            # failed probe is the expensive kind (its backlog has to drain).
            next_rate = math.floor(math.sqrt(best * failed))
        next_rate = max(1, next_rate)
        if next_rate in (rate, best) or next_rate >= failed or (
                best is not None and failed - best <= max(1.0, 0.15 * best)):
            break
        rate = next_rate
    section.details["rate_probes"] = probes
    if best == plan.target_rate:
        return best
    sustainable = best if best is not None else max(1.0, math.floor(0.5 * rate))
    section.figure("pipeline.sustainable_rate", "highest rate a short probe sustained", "msg/s",
                   "ours", better="higher").add(sustainable)
    # A short probe at the edge of capacity says little about a minute at that rate on a
    # shared machine (a 60 s run at the probed edge showed latency creeping up), so the
    # measured runs keep RUN_HEADROOM of it.
    chosen = max(1.0, math.floor(RUN_HEADROOM * sustainable))
    section.details["headline"] = (
        f"The pipeline did not sustain the issue's {plan.target_rate:g} msg/s on this machine "
        f"({probes[0]['why']}). The highest rate a {SEARCH_PROBE_S:g} s probe sustained was "
        f"{sustainable:g} msg/s" + ("" if best is not None else " (none was: half the last "
                                    "probe)")
        + f"; the measured {plan.duration_s:g} s runs use {chosen:g} msg/s "
        f"({RUN_HEADROOM:.0%} of it, headroom for a longer run on a shared machine).")
    section.notes.append(section.details["headline"] + " See the rate probes below.")
    return chosen


async def _offer(chat: Chat, pool: SubscriberPool, plan: Plan, *, rate: float,
                 duration_s: float, salt: str) -> RunResult:
    count = max(1, int(rate * duration_s))
    texts = positive_english(count, salt=salt)
    posts = [Post(i, uuid.uuid4().hex, 0) for i in range(count)]
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)
    cpu_before = chat.server.cpu()
    roles_before = cpu_by_role(chat.server.pid)
    start_ns = time.monotonic_ns() + 200_000_000

    async def one(post: Post) -> None:
        post.scheduled_ns = start_ns + int(post.index * 1e9 / rate)
        delay = (post.scheduled_ns - time.monotonic_ns()) / 1e9
        if delay > 0:
            await asyncio.sleep(delay)
        async with gate:
            post.sent_ns = time.monotonic_ns()
            try:
                data = await chat.graphql(POST, {"i": {"roomId": chat.room_id,
                                                       "text": texts[post.index],
                                                       "clientId": post.client_id}})
                post.status = data["postMessage"]["status"]
            except Exception as exc:
                post.status, post.error = "ERROR", f"{type(exc).__name__}: {exc}"[:300]
            post.answered_ns = time.monotonic_ns()

    await asyncio.gather(*(one(p) for p in posts))
    last_sent = max(p.sent_ns for p in posts)
    accepted = [p for p in posts if p.status == "ACCEPTED"]
    await pool.wait(len(accepted), plan.drain_timeout_s)
    collected = await pool.collect()
    await _settle(pool, collected.rows)
    cpu_server = chat.server.cpu() - cpu_before
    roles = {role: round(seconds - roles_before.get(role, 0.0), 2)
             for role, seconds in cpu_by_role(chat.server.pid).items()}
    return _analyse(rate, duration_s, posts, collected.rows, pool.count, last_sent, cpu_server,
                    collected.cpu_s, roles)


async def _settle(pool: SubscriberPool, rows: list[list[Any]]) -> None:
    """Wait until nothing arrives for SETTLE_QUIET_S, so a run that did not drain in time
    cannot leak late deliveries into the next run; late ones still count for this run."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        await asyncio.sleep(SETTLE_QUIET_S)
        late = await pool.collect()
        if not late.rows:
            return
        rows.extend(late.rows)


def _analyse(rate: float, duration_s: float, posts: list[Post], rows: list[list[Any]],
             subscribers: int, last_sent: int, cpu_server: float, cpu_client: float,
             roles: dict[str, float]) -> RunResult:
    by_client = {p.client_id: p for p in posts}
    accepted = {p.client_id for p in posts if p.status == "ACCEPTED"}
    seen: dict[tuple[int, str], int] = {}
    e2e: list[float] = []
    unexpected = 0
    last_recv = last_sent
    per_message_last: dict[str, int] = {}
    for conn, recv_ns, values in rows:
        client_id = values.get("clientId")
        if client_id not in accepted:
            unexpected += 1
            continue
        seen[(conn, client_id)] = seen.get((conn, client_id), 0) + 1
        e2e.append((recv_ns - by_client[client_id].sent_ns) / 1e6)
        last_recv = max(last_recv, recv_ns)
        per_message_last[client_id] = max(per_message_last.get(client_id, 0), recv_ns)
    missing = len(accepted) * subscribers - len(seen)
    duplicates = sum(n - 1 for n in seen.values())
    ordered = sorted((p for p in posts if p.client_id in per_message_last),
                     key=lambda p: p.index)
    fifth = max(1, len(ordered) // 5)

    def p50_of(group: list[Post]) -> float:
        return percentile([(per_message_last[p.client_id] - p.sent_ns) / 1e6 for p in group], 50)

    first_sent = min(p.sent_ns for p in posts)
    window_s = max(1e-9, (last_recv - first_sent) / 1e9)
    return RunResult(
        rate=rate, duration_s=duration_s, posts=posts, e2e_ms=e2e,
        http_ms=[(p.answered_ns - p.sent_ns) / 1e6 for p in posts if p.status != "ERROR"],
        missing=missing, duplicates=duplicates, unexpected=unexpected,
        drain_s=max(0.0, (last_recv - last_sent) / 1e9),
        send_lag_p99_ms=percentile([(p.sent_ns - p.scheduled_ns) / 1e6 for p in posts], 99),
        early_p50_ms=p50_of(ordered[:fifth]) if ordered else math.nan,
        late_p50_ms=p50_of(ordered[-fifth:]) if ordered else math.nan,
        server_cpu_s=cpu_server, client_cpu_s=cpu_client, cpu_by_role_s=roles,
        delivered_messages_per_s=len(per_message_last) / window_s,
    )


def _record(section: Section, result: RunResult, repeat: int) -> None:
    e2e = latency_summary(result.e2e_ms)
    http = latency_summary(result.http_ms)
    sustained, why = result.sustained()
    for q in ("p50", "p95", "p99"):
        section.figure(f"pipeline.e2e_{q}_ms", f"end-to-end latency {q} (post -> subscriber)",
                       "ms", "ours").add(e2e[q])
    for q in ("p50", "p99"):
        section.figure(f"pipeline.post_{q}_ms", f"postMessage response time {q}", "ms",
                       "ours").add(http[q])
    section.figure("pipeline.offered_rate", "offered load", "msg/s", "ours",
                   better="none").add(result.rate)
    section.figure("pipeline.delivered_rate", "messages delivered to all subscribers per s",
                   "msg/s", "ours", better="higher").add(result.delivered_messages_per_s)
    section.figure("pipeline.lost_deliveries", "lost deliveries (accepted x subscribers - seen)",
                   "count", "ours").add(result.missing)
    section.figure("pipeline.duplicate_deliveries", "duplicate deliveries", "count",
                   "ours").add(result.duplicates)
    section.figure("pipeline.server_cpu_ms_per_msg", "runtime CPU per message (all processes)",
                   "ms CPU", "ours").add(1e3 * result.server_cpu_s / max(1, result.accepted))
    section.details.setdefault("runs", []).append({
        "repeat": repeat, "rate": result.rate, "duration_s": result.duration_s,
        "posted": len(result.posts), "accepted": result.accepted, "errors": result.errors,
        "rejected": sum(1 for p in result.posts if p.status == "REJECTED"),
        "first_errors": [p.error for p in result.posts if p.error][:3],
        "missing": result.missing, "duplicates": result.duplicates,
        "unexpected": result.unexpected, "drain_s": round(result.drain_s, 2),
        "send_lag_p99_ms": round(result.send_lag_p99_ms, 1),
        "e2e_ms": {k: round(v, 1) for k, v in e2e.items()},
        "post_ms": {k: round(v, 1) for k, v in http.items()},
        "early_p50_ms": round(result.early_p50_ms, 1), "late_p50_ms": round(result.late_p50_ms, 1),
        "server_cpu_s": round(result.server_cpu_s, 2), "cpu_by_role_s": result.cpu_by_role_s,
        "client_cpu_s": round(result.client_cpu_s, 2), "sustained": sustained, "why_not": why,
    })
    if result.missing or result.duplicates or result.unexpected:
        section.notes.append(
            f"repeat {repeat + 1}: zero-loss check FAILED: {result.missing} missing, "
            f"{result.duplicates} duplicate, {result.unexpected} unexpected deliveries")
        section.status = "partial"
    if not sustained:
        section.notes.append(f"repeat {repeat + 1} at {result.rate:g} msg/s was not sustained: "
                             f"{why}")


def _token(info: dict[str, Any]) -> str:
    """An ID token for the first seeded user, from the local Cognito, as an app gets one."""
    from appsync_local.cognito_local import initiate_password_auth

    user = info["users"][0]
    tokens = initiate_password_auth(info["userPool"]["endpoint"], info["region"],
                                    info["userPool"]["clientId"], user["username"],
                                    user["password"])
    return str(tokens["IdToken"])


def _method(plan: Plan) -> str:
    return (
        "`python -m appsync_local run --template infra/template.yaml --env-vars "
        "infra/env.local.json --seed infra/seed.local.json --log-level WARNING` on a fresh "
        "state dir (DynamoDB Local, local Cognito, Lambda workers with local NLP: lingua, "
        "VADER, YAKE; translation unavailable offline). A seeded Cognito user creates a public "
        f"room and posts unique friendly English messages (no language hint, so detection "
        f"runs); {plan.subscribers} raw-`websockets` subscribers on `onMessage(roomId)` with "
        "the API key. Open-loop load: message i leaves at start + i/rate whatever the earlier "
        f"answers (at most {MAX_IN_FLIGHT} in flight). Target {plan.target_rate:g} msg/s for "
        f"{plan.duration_s:g} s x {plan.repeats} repeat(s)"
        + (f", after a {plan.probe_s:g} s probe at the target; if that is not sustained, "
           f"{SEARCH_PROBE_S:g} s probes search for the highest sustained rate (at most "
           f"{MAX_PROBES} probes) and the runs use {RUN_HEADROOM:.0%} of it"
           if plan.probe_s else "")
        + ". End-to-end latency = frame received - postMessage sent, over every (message, "
        "subscriber) pair. Sustained = no errors, sender lag p99 < 1 s, no missing delivery, "
        "median latency of the last fifth < 2x the first fifth + 1 s, drain < 10 s. Zero-loss "
        "= every ACCEPTED message seen exactly once by every subscriber, nothing else seen. "
        "Runtime CPU = user+system of the runtime's whole process tree (Lambda workers, "
        "DynamoDB Local, Node JS worker, moto) per accepted message. No baseline system runs "
        "this chat; the fan-out section holds the side-by-side comparisons."
    )
