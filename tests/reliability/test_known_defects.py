"""Regression tests for the defects the reliability suites found (docs/reliability.md,
"Defects found"). Each states the *correct* behaviour and is a strict xfail while the
defect stands: when it is fixed the test passes, strict xfail turns that into a failure,
and whoever fixed it removes the marker here and the exclusion in _fuzz.py / the
workaround named in the reason.
"""

from __future__ import annotations

import json

import pytest

from . import _ws
from ._http import Cred, Credentials, SyncClient
from ._runtime import RelRuntime

pytestmark = pytest.mark.dynamodb_local

PROBE = "subscription Probe { onRoomCreated { id } }"


@pytest.mark.xfail(strict=True, reason="DEFECT-1: appsync_local/http_app.py:75 catches "
                   "ValueError/UnicodeDecodeError around json.loads, not RecursionError: "
                   "a body nested ~1,000 levels deep is answered HTTP 500 InternalFailure")
def test_deeply_nested_json_body_is_a_400_not_a_500(rt: RelRuntime,
                                                    shared_creds: Credentials) -> None:
    body = b'{"query": "{ rooms { items { id } } }", "variables": {"v": ' + \
        b"[" * 5000 + b"]" * 5000 + b"}}"
    client = SyncClient(rt)
    answer = client.post(body, shared_creds.headers(Cred.API_KEY, body))
    client.close()
    assert answer.status == 400, answer.body
    assert answer.errors[0]["errorType"] == "MalformedHttpRequestException"


@pytest.mark.xfail(strict=True, reason="DEFECT-1 (WebSocket): appsync_local/realtime/"
                   "frames.py:107 (and :82 for payload.data) catch only ValueError: a "
                   "deeply nested frame raises RecursionError and the session closes with "
                   "1011 instead of answering error/BadRequestException and serving on")
async def test_deeply_nested_ws_frame_is_answered_and_the_connection_serves_on(
        rt: RelRuntime, shared_creds: Credentials) -> None:
    conv, first = await _ws.open_conversation(rt, shared_creds.ws_header(Cred.API_KEY))
    assert first is not None and first["type"] == "connection_ack"
    await conv.send("[" * 5000 + "]" * 5000)
    answer = await conv.until({"error"})
    data = json.dumps({"query": PROBE, "variables": {}})
    await conv.send(_ws.start_frame("p", PROBE, {}, shared_creds.ws_header(Cred.API_KEY, data),
                                    data))
    ack = await conv.until({"start_ack", "error"})
    await conv.close()
    assert answer is not None, f"no error frame; closed with {conv.close_code}"
    assert answer["payload"]["errors"][0]["errorType"] == "BadRequestException"
    assert ack is not None and ack["type"] == "start_ack"


@pytest.mark.xfail(strict=True, reason="DEFECT-2: NaN/Infinity (and numbers that overflow "
                   "a double, e.g. 1e400, which is valid JSON) in any variable reach the "
                   "APPSYNC_JS worker as NaN/Infinity (appsync_local/js/runtime.py:136 "
                   "json.dumps without allow_nan=False); the worker cannot parse the line "
                   "and drops it without a reply (js/worker.mjs:191-194), so the request "
                   "waits 10 s, the worker is killed and the client gets errorType 'Code'")
@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"1e400"])
def test_non_finite_numbers_are_refused_as_malformed_json(
        rt: RelRuntime, shared_creds: Credentials, number: bytes) -> None:
    body = b'{"query": "{ rooms(limit: 1) { items { id } } }", "variables": {"x": ' + \
        number + b"}}"
    client = SyncClient(rt)
    answer = client.post(body, shared_creds.headers(Cred.API_KEY, body))
    client.close()
    types = [e.get("errorType") for e in answer.errors]
    assert "Code" not in types, answer.body  # a worker fault, 10 s after the request
    assert answer.status == 400 and types == ["MalformedHttpRequestException"], answer.body


@pytest.mark.xfail(strict=True, reason="DEFECT-2 (WebSocket): the same NaN in a start's "
                   "variables stalls the subscription resolver's APPSYNC_JS call 10 s and "
                   "is answered with errorType 'Code'")
async def test_non_finite_number_in_a_subscription_start_is_a_bad_request(
        rt: RelRuntime, shared_creds: Credentials, world: object) -> None:
    conv, first = await _ws.open_conversation(rt, shared_creds.ws_header(Cred.API_KEY))
    assert first is not None and first["type"] == "connection_ack"
    room = world.public_room  # type: ignore[attr-defined]
    data = ('{"query": "subscription S($r: ID!){ onMessage(roomId: $r){ id } }", '
            f'"variables": {{"r": "{room}", "z": NaN}}}}')
    await conv.send(_ws.start_frame("n", "", {}, shared_creds.ws_header(Cred.API_KEY, data),
                                    data))
    answer = await conv.until({"start_ack", "error"}, timeout=40)
    await conv.close()
    assert answer is not None and answer["type"] == "error", answer
    assert answer["payload"]["errors"][0]["errorType"] == "BadRequestException", answer
