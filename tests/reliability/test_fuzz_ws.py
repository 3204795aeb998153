"""Bad input over the real-time WebSocket: malformed AppSync frames, generated.

Each case opens a connection (API key), sends ``connection_init`` (or not), then 2-3
frames from ``_fuzz.ws_frames`` (broken JSON, binary frames, starts with wrong ids,
payloads, data, variables, bad or forged authorizations, unknown types, 1-3 MB frames,
nested JSON), then a *probe*: a valid ``start``. The oracle:

* every ``error``/``connection_error`` received is AppSync-shaped (``_shape``) and none
  reports a server fault;
* the connection is never closed with 1011 (internal error) or dropped (1006): AppSync's
  dialect answers malformed frames with ``error`` and keeps serving
  (appsync_local/realtime/appsync_session.py), so the probe must get its ``start_ack``;
* afterwards the runtime answers the HTTP health query, a fresh subscription is
  acknowledged, and the runtime's log holds no new traceback.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appsync_local._strict_json import loads_strict

from . import _auth, _fuzz, _ws
from ._http import Cred, Credentials
from ._runtime import RelRuntime
from ._shape import ws_error_problems
from .conftest import Api, World

pytestmark = pytest.mark.dynamodb_local

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "reliability"
PROBE = "subscription Probe { onRoomCreated { id name } }"
# Close codes that mean the server failed (1011) or vanished without a close frame (1006).
FAULT_CLOSE_CODES = {1006, 1011}


@dataclass
class WsEnv:
    rt: RelRuntime
    creds: Credentials
    known_ids: list[str]
    auth_headers: list[object]
    frames_sent: int = 0
    cases: int = 0
    stats: Counter[str] = field(default_factory=Counter)


@pytest.fixture
def ws_env(rt: RelRuntime, shared_creds: Credentials, world: World) -> WsEnv:
    ids = [f"room:{world.public_room}", f"room:{world.private_room}"]
    data = json.dumps({"query": PROBE, "variables": {}})
    headers: list[object] = [shared_creds.ws_header(c, data) for c in (
        Cred.API_KEY, Cred.MEMBER, Cred.OUTSIDER, Cred.IAM, Cred.NONE, Cred.EXPIRED,
        Cred.FORGED, Cred.BAD_SIGV4)]
    headers.append({"host": rt.host, "Authorization": "not-a-jwt"})
    headers.append({"host": "evil.example.com", "x-api-key": rt.info["apiKey"]})
    headers.append({"host": rt.host, "Authorization": _auth.forged_token(rt, "rel-owner"),
                    "x-api-key": "da2-notakey"})
    return WsEnv(rt, shared_creds, ids, headers)


def _start_ids(frames: list[str | bytes]) -> Counter[str]:
    """Ids (as JSON) of the frames that are starts with a usable id: each must be answered
    (start_ack, error or complete) before the case closes its connection, so that no
    subscription resolver is cut off mid-invocation (that would set off DEFECT-6, which
    test_known_defects.py covers, and leave a misrouting runtime to the next case)."""
    ids: Counter[str] = Counter()
    for frame in frames:
        try:
            # What the runtime reads as JSON (RFC 8259: no NaN/Infinity, no overflowing
            # numbers; at most 64 levels): anything else is a malformed frame, answered with
            # an error that cannot carry its id.
            message = loads_strict(frame)
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue
        if isinstance(message, dict) and message.get("type") == "start":
            op_id = message.get("id")
            if (isinstance(op_id, str) and op_id) or (isinstance(op_id, int)
                                                      and not isinstance(op_id, bool)):
                ids[json.dumps(op_id)] += 1
    return ids


async def one_case(env: WsEnv, frames: list[str | bytes], init: bool) -> list[str]:
    conv, first = await _ws.open_conversation(env.rt, env.creds.ws_header(Cred.API_KEY),
                                              init=init)
    problems: list[str] = []
    try:
        if init and (first is None or first.get("type") != "connection_ack"):
            return [f"no connection_ack: {first} (close {conv.close_code})"]
        for frame in frames:
            if not await conv.send(frame):
                break
            env.frames_sent += 1
        if not init:
            await conv.send({"type": "connection_init"})
        pending = _start_ids(frames)
        probe_data = json.dumps({"query": PROBE, "variables": {}})
        await conv.send(_ws.start_frame("probe-1", PROBE, {}, env.creds.ws_header(
            Cred.API_KEY, probe_data), probe_data))
        probe_acked = False
        while not probe_acked or +pending:
            frame = await conv.next_frame()
            if frame is None:
                if not probe_acked:
                    problems.append(f"the connection ended before the probe was acknowledged "
                                    f"(close {conv.close_code} {conv.close_reason!r})")
                else:
                    problems.append(f"starts never answered: {dict(+pending)}")
                break
            env.stats[str(frame.get("type"))] += 1
            if frame.get("type") in ("start_ack", "error", "complete") and "id" in frame:
                pending[json.dumps(frame["id"])] -= 1
            if frame.get("type") in ("error", "connection_error"):
                for error in (frame.get("payload") or {}).get("errors") or []:
                    if isinstance(error, dict):
                        env.stats[f"error {error.get('errorType')}"] += 1
                problems.extend(ws_error_problems(frame))
                if frame.get("id") == "probe-1":
                    problems.append(f"the probe was refused: {frame}")
                    break
            if frame.get("type") == "start_ack" and frame.get("id") == "probe-1":
                probe_acked = True
        if conv.close_code in FAULT_CLOSE_CODES:
            problems.append(f"closed with {conv.close_code} {conv.close_reason!r}")
        problems.extend(f"unparsable server frame: {u}" for u in conv.unparsable)
    finally:
        await conv.close()
    env.cases += 1
    if problems:
        return [f"{p}\n  frames: {[str(f)[:300] for f in frames]}" for p in problems]
    return []


async def run_ws_fuzz(env: WsEnv, api: Api, frames_target: int, name: str) -> None:
    log_before = env.rt.log().count("Traceback")
    examples = frames_target // 2 + 1
    frames_strategy = st.lists(_fuzz.ws_frames(env.known_ids, env.auth_headers),
                               min_size=2, max_size=3)

    @settings(max_examples=examples, deadline=None, database=None, print_blob=True,
              derandomize=examples < 1000, suppress_health_check=list(HealthCheck))
    @given(frames=frames_strategy, init=st.sampled_from([True, True, True, False]))
    def case(frames: list[str | bytes], init: bool) -> None:
        import asyncio

        problems = asyncio.run(one_case(env, frames, init))
        assert not problems, "\n".join(problems)

    import asyncio

    await asyncio.to_thread(case)  # hypothesis drives its own loop per case
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.json").write_text(json.dumps(
        {"cases": env.cases, "frames": env.frames_sent, "received": dict(env.stats.most_common())},
        indent=2))
    # afterwards: still serving, over HTTP and WebSocket, and nothing crashed in the log
    assert api.healthy(), "the runtime does not answer the health query after WS fuzzing"
    conv, first = await _ws.open_conversation(env.rt, env.creds.ws_header(Cred.API_KEY))
    data = json.dumps({"query": PROBE, "variables": {}})
    await conv.send(_ws.start_frame("after", PROBE, {}, env.creds.ws_header(Cred.API_KEY, data),
                                    data))
    ack = await conv.until({"start_ack", "error"})
    await conv.close()
    assert first is not None and first["type"] == "connection_ack"
    assert ack is not None and ack["type"] == "start_ack", ack
    new_tracebacks = env.rt.log().count("Traceback") - log_before
    assert new_tracebacks == 0, f"{new_tracebacks} new tracebacks in the runtime log"
    assert env.frames_sent >= frames_target


async def test_fuzz_ws_short(ws_env: WsEnv, api: Api) -> None:
    await run_ws_fuzz(ws_env, api, frames_target=100, name="fuzz-ws-short")


@pytest.mark.slow
async def test_fuzz_ws_long(ws_env: WsEnv, api: Api) -> None:
    await run_ws_fuzz(ws_env, api, frames_target=1000, name="fuzz-ws-long")
