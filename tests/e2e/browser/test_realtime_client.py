"""realtime.js and timeline.js in Chromium, against a scripted AppSync real-time stub.

What the full-stack tests cannot provoke on demand: dropped sockets, missing keep-alives,
an expired token on start, the legacy query-string header; and the gap-fill/dedupe rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from ._stub_appsync import StubAppSync, static_server
from .conftest import WEB_DIR

SETUP = """async ({url, graphqlUrl, transport}) => {
  const { RealtimeClient } = await import('/js/realtime.js');
  window.events = []; window.authCalls = [];
  let n = 0;
  window.rt = new RealtimeClient({
    realtimeUrl: url, graphqlUrl, headerTransport: transport,
    backoffBaseMs: 50, backoffMaxMs: 200, ackTimeoutMs: 3000, lingerMs: 100,
    getAuthorization: async (force) => { window.authCalls.push(force); n += 1; return {Authorization: `token-${n}`}; },
    onStatus: (s) => window.events.push({kind: 'status', ...s}),
  });
  window.sub = window.rt.subscribe(
    {query: 'subscription S($r: ID!) { onMessage(roomId: $r) { id } }', variables: {r: 'room-1'}},
    { next: (p) => events.push({kind: 'next', payload: p}),
      error: (e) => events.push({kind: 'error', errors: e}),
      started: (info) => events.push({kind: 'started', ...info}) });
  return window.sub.id;
}"""


@pytest.fixture
def page(browser: Any, stub: StubAppSync) -> Iterator[Any]:
    with static_server(WEB_DIR) as origin:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{origin}/__harness.html")
        page.origin = origin
        yield page
        context.close()


def setup(page: Any, stub: StubAppSync, transport: str = "subprotocol") -> str:
    return str(page.evaluate(SETUP, {"url": f"ws://127.0.0.1:{stub.port}/graphql",
                                 "graphqlUrl": "https://api.example.test/graphql",
                                 "transport": transport}))


def wait_started(page: Any, count: int) -> None:
    page.wait_for_function(
        f"() => window.events.filter(e => e.kind === 'started').length >= {count}", timeout=10000)


def test_handshake_start_data_stop(page: Any, stub: StubAppSync) -> None:
    sub_id = setup(page, stub)
    wait_started(page, 1)
    conn = stub.connections[0]
    # Subprotocol form: graphql-ws plus header-<base64url JSON>, host = the GraphQL host.
    assert conn.offered[0] == "graphql-ws" and conn.header_via == "subprotocol"
    assert conn.header == {"host": "api.example.test", "Authorization": "token-1"}
    assert conn.frames[0] == {"type": "connection_init"}
    start = stub.frames("start")[0]
    assert start["id"] == sub_id
    assert json.loads(start["payload"]["data"]) == {
        "query": "subscription S($r: ID!) { onMessage(roomId: $r) { id } }",
        "variables": {"r": "room-1"}}
    assert start["payload"]["extensions"]["authorization"]["host"] == "api.example.test"
    assert start["payload"]["extensions"]["authorization"]["Authorization"].startswith("token-")

    stub.push(sub_id, {"onMessage": {"id": "m1"}})
    page.wait_for_function("() => window.events.some(e => e.kind === 'next')")
    assert page.evaluate("window.events.find(e => e.kind === 'next').payload") == {
        "data": {"onMessage": {"id": "m1"}}}
    assert page.evaluate("window.events.find(e => e.kind === 'started').reconnected") is False

    page.evaluate("window.sub.unsubscribe()")
    page.wait_for_function("() => true")
    page.wait_for_timeout(300)
    assert stub.frames("stop") == [{"type": "stop", "id": sub_id}]


def test_query_string_header_form(page: Any, stub: StubAppSync) -> None:
    setup(page, stub, transport="query")
    wait_started(page, 1)
    conn = stub.connections[0]
    assert conn.header_via == "query" and conn.header is not None
    assert conn.header["host"] == "api.example.test"
    assert not any(p.startswith("header-") for p in conn.offered)


def test_reconnects_after_a_dropped_socket_and_restarts_the_subscription(
        page: Any, stub: StubAppSync) -> None:
    sub_id = setup(page, stub)
    wait_started(page, 1)
    stub.drop_all()
    wait_started(page, 2)
    assert len(stub.connections) == 2
    assert [f["id"] for f in stub.frames("start")] == [sub_id, sub_id]
    assert page.evaluate("window.events.filter(e => e.kind === 'started')[1].reconnected") is True
    states = page.evaluate("window.events.filter(e => e.kind === 'status').map(e => e.state)")
    assert "waiting" in states and states[-1] == "connected"
    # Fresh credentials on the new connection.
    first, second = stub.connections[0].header, stub.connections[1].header
    assert first is not None and second is not None
    assert first["Authorization"] != second["Authorization"]


def test_missing_keepalive_triggers_a_reconnect(page: Any, stub: StubAppSync) -> None:
    stub.connection_timeout_ms = 400
    stub.send_keepalives = False
    setup(page, stub)
    wait_started(page, 2)  # the watchdog fired after 400 ms without `ka`
    assert len(stub.connections) >= 2


def test_unauthorized_start_refreshes_the_token_and_reconnects(
        page: Any, stub: StubAppSync) -> None:
    stub.unauthorized_starts = 1
    setup(page, stub)
    wait_started(page, 1)
    assert True in page.evaluate("window.authCalls"), "no forced token refresh"
    assert len(stub.connections) == 2
    assert not page.evaluate("window.events.filter(e => e.kind === 'error')")


def test_timeline_dedupes_by_version_and_catch_up_pages_from_the_watermark(page: Any) -> None:
    result = page.evaluate("""async () => {
      const { Timeline, catchUp, SYNC_OVERLAP_MS } = await import('/js/timeline.js');
      const t = new Timeline();
      const m = (id, v, at, extra = {}) => ({id, _version: v, _lastChangedAt: at, ...extra});
      const applied = [t.apply(m('01A', 1, 1000)), t.apply(m('01A', 1, 1000)),
                       t.apply(m('01B', 1, 2000)), t.apply(m('01A', 2, 3000, {text: 'edited'})),
                       t.apply(m('01A', 1, 1000))];
      const calls = [];
      const pages = [
        {items: [m('01B', 1, 2000), m('01C', 1, 4000)], nextToken: 'p2', startedAt: 9000},
        {items: [m('01D', 1, 5000), m('01A', 3, 6000, {_deleted: true})], nextToken: null, startedAt: 9500},
      ];
      const request = async (query, vars) => { calls.push(vars); return {syncMessages: pages[calls.length - 1]}; };
      const changed = await catchUp(request, 'Q', 'room-1', t);
      return {applied, calls, changed, ids: t.sorted().map(x => `${x.id}@${x._version}`),
              lastSync: t.lastSync(), overlap: SYNC_OVERLAP_MS, empty: new Timeline().lastSync()};
    }""")
    assert result["applied"] == [True, False, True, True, False]
    # lastSync = newest change seen (3000) minus the overlap; the second page uses the token.
    assert result["calls"][0]["lastSync"] == max(0, 3000 - result["overlap"])
    assert result["calls"][0]["nextToken"] is None and result["calls"][1]["nextToken"] == "p2"
    assert all(c["lastSync"] == result["calls"][0]["lastSync"] for c in result["calls"])
    assert result["changed"] == 3  # 01B@1 was already known
    assert result["ids"] == ["01A@3", "01B@1", "01C@1", "01D@1"]
    assert result["lastSync"] == 9000 - result["overlap"]  # startedAt of the completed sync
    assert result["empty"] is None  # a room seen empty syncs from the beginning


def test_text_for_reader_prefers_translation_and_explains_its_absence(page: Any) -> None:
    out = page.evaluate("""async () => {
      const { textForReader } = await import('/js/language.js');
      const base = {text: 'Hello', language: 'en', translations: [], untranslatedLanguages: [],
                    translationStatus: 'NOT_NEEDED', _deleted: false};
      return {
        same: textForReader(base, 'en'),
        translated: textForReader({...base, translations: [{language: 'fr', text: 'Bonjour'}],
                                   translationStatus: 'COMPLETE'}, 'fr'),
        unavailable: textForReader({...base, translationStatus: 'UNAVAILABLE', untranslatedLanguages: ['fr']}, 'fr'),
        partial: textForReader({...base, translationStatus: 'PARTIAL', untranslatedLanguages: ['fr']}, 'fr'),
        deleted: textForReader({...base, _deleted: true, text: ''}, 'fr'),
      };
    }""")
    assert out["same"] == {"text": "Hello", "translatedFrom": None, "note": None}
    assert out["translated"] == {"text": "Bonjour", "translatedFrom": "en", "note": None}
    assert out["unavailable"]["text"] == "Hello"
    assert "no translation service" in out["unavailable"]["note"]
    assert "Could not be translated" in out["partial"]["note"]
    assert out["deleted"]["note"] == "This message was deleted."
