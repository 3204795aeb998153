"""`python -m appsync_local run` end to end: READY file, real clients, clean stop, restart.

Two APIs: a small generic fixture (notes + a stream function that publishes through an
IAM-only mutation, so the whole local chain is exercised), and the repo's own
infra/template.yaml with infra/seed.local.json exactly as `make run` starts it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import time
import urllib.request
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import pytest
import websockets
from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication, AppSyncJWTAuthentication

from appsync_local.cognito_local import initiate_password_auth
from appsync_local.dynamodb_local import missing_requirements
from tests.runtime_process import REPO, RuntimeProcess, alive

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "generic"
RUNTIME_KEYS = {"graphqlUrl", "realtimeUrl", "region", "apiKey", "userPool", "users", "iam",
                "dynamodbEndpoint"}

pytestmark = pytest.mark.dynamodb_local
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _needs_dynamodb_local() -> None:
    reason = missing_requirements(REPO / ".cache" / "dynamodb-local")
    if reason:
        pytest.skip(f"DynamoDB Local unavailable: {reason}")


def api_key_client(info: dict[str, Any]) -> Client:
    host = urlsplit(info["graphqlUrl"]).netloc
    transport = AIOHTTPTransport(
        url=info["graphqlUrl"], auth=AppSyncApiKeyAuthentication(host=host, api_key=info["apiKey"]))
    return Client(transport=transport)


def jwt_client(info: dict[str, Any], username: str) -> Client:
    user = next(u for u in info["users"] if u["username"] == username)
    pool = info["userPool"]
    token = initiate_password_auth(pool["endpoint"], info["region"], pool["clientId"],
                                   username, user["password"])["IdToken"]
    host = urlsplit(info["graphqlUrl"]).netloc
    transport = AIOHTTPTransport(url=info["graphqlUrl"],
                                 auth=AppSyncJWTAuthentication(host=host, jwt=token))
    return Client(transport=transport)


def stop_and_check_no_orphans(runtime: RuntimeProcess) -> None:
    """SIGTERM; the runtime exits cleanly and nothing it started survives it."""
    children = runtime.descendants()
    # The check is only meaningful if there were children to leave behind.
    assert any("java" in args for args in children.values()), children
    code = runtime.stop(signal.SIGTERM)
    assert code == 0, runtime.log()[-4000:]
    orphans = alive(children)
    assert not orphans, f"orphans: { {pid: children[pid] for pid in orphans} }"
    # Every helper closed inside the event loop (an unclosed APPSYNC_JS worker pipe used to
    # print "Exception ignored ... Event loop is closed" at exit).
    assert "Exception ignored" not in runtime.log(), runtime.log()[-4000:]
    assert not runtime.config_path.exists()


def test_generic_api_end_to_end_with_restart(tmp_path: Path) -> None:
    state, web = tmp_path / "state", tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<h1>local UI</h1>")
    (web / "config.json").write_text('{"stale": true}')  # the runtime's own must win
    runtime = RuntimeProcess(state, template=FIXTURE / "template.yaml", env_vars=None,
                             seed=FIXTURE / "seed.json", extra_args=["--static", str(web)])
    try:
        # Given a ready runtime
        info = runtime.start()
        assert set(info) == RUNTIME_KEYS
        assert set(info["userPool"]) == {"id", "clientId", "endpoint"}
        assert set(info["iam"]) == {"accessKeyId", "secretAccessKey"}
        assert {u["username"]: u["groups"] for u in info["users"]} == {"ann": ["editors"],
                                                                       "ben": []}
        # The web UI is served at / next to the API, with the public part of runtime.json
        root = info["graphqlUrl"].removesuffix("/graphql") + "/"
        with urllib.request.urlopen(root) as response:
            assert response.read() == b"<h1>local UI</h1>"
        with urllib.request.urlopen(root + "config.json") as response:
            assert response.headers["cache-control"] == "no-store"
            config = json.loads(response.read())
        assert config == {k: info[k] for k in ("graphqlUrl", "realtimeUrl", "region", "apiKey",
                                               "userPool")}
        # Then the seed operation ran (as ann, through Cognito)
        notes = run_async(_execute(api_key_client(info), "{ notes { id text author } }"))["notes"]
        assert [(n["text"], n["author"]) for n in notes] == [("seeded", "ann")]
        _wait_for_log(runtime, "published text=seeded")  # its push is not ours to see

        # When a subscriber listens and a Cognito user adds a note
        received = run_async(_add_note_and_receive_push(info))
        # Then the stream poller ran the publisher, whose IAM mutation reached the subscriber
        assert received["text"] == "pushed" and received["author"] == "ben"
        assert len(runtime.descendants()) >= 2  # Java + at least one Lambda worker
        children = runtime.descendants()
        assert any("_lambda_worker" in a for a in children.values()), children
    finally:
        stop_and_check_no_orphans(runtime)

    # When it starts again on the same state directory
    second = RuntimeProcess(state, template=FIXTURE / "template.yaml", env_vars=None,
                            seed=FIXTURE / "seed.json")
    second.spawn()
    try:
        again = second.wait_ready()
        # Then credentials and ids are stable, data persisted, and the seed did not rerun
        for key in ("apiKey", "iam", "region"):
            assert again[key] == info[key]
        assert again["userPool"]["id"] == info["userPool"]["id"]
        assert again["userPool"]["clientId"] == info["userPool"]["clientId"]
        notes = run_async(_execute(api_key_client(again), "{ notes { text } }"))["notes"]
        assert sorted(n["text"] for n in notes) == ["pushed", "seeded"]
        added = run_async(_execute(jwt_client(again, "ann"),  # users survived with passwords
                                   'mutation { addNote(text: "after") { author } }'))
        assert added["addNote"]["author"] == "ann"
        _wait_for_log(second, "published text=after")
    finally:
        stop_and_check_no_orphans(second)
    # And the stream checkpoint kept the publisher from replaying old records
    log = runtime.log() + second.log()
    assert [log.count(f"published text={t}") for t in ("seeded", "pushed", "after")] == [1, 1, 1]


async def _add_note_and_receive_push(info: dict[str, Any]) -> dict[str, Any]:
    """Subscribe over AppSync's real-time protocol, add a note, return the pushed event.

    A raw client rather than gql's transport, because gql hides `start_ack`: the mutation
    must only be sent once the subscription is known to be registered.
    """
    host = urlsplit(info["graphqlUrl"]).netloc
    header = {"host": host, "x-api-key": info["apiKey"]}
    encoded = base64.b64encode(json.dumps(header).encode()).decode()
    url = f"{info['realtimeUrl']}?header={quote(encoded)}&payload=e30="
    query = "subscription { onNoteAdded { id text author } }"
    async with websockets.connect(url, subprotocols=["graphql-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        await _expect(ws, "connection_ack")
        await ws.send(json.dumps({"id": "1", "type": "start", "payload": {
            "data": json.dumps({"query": query, "variables": {}}),
            "extensions": {"authorization": header}}}))
        await _expect(ws, "start_ack")
        await _execute(jwt_client(info, "ben"), 'mutation { addNote(text: "pushed") { id } }')
        data = await _expect(ws, "data")
    return data["payload"]["data"]["onNoteAdded"]  # type: ignore[no-any-return]


async def _expect(ws: Any, frame_type: str) -> dict[str, Any]:
    """The next frame of ``frame_type``, skipping keep-alives."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
        if frame["type"] == "ka":
            continue
        assert frame["type"] == frame_type, frame
        return frame  # type: ignore[no-any-return]


def _wait_for_log(runtime: RuntimeProcess, text: str, timeout_s: float = 60) -> None:
    for _ in range(int(timeout_s / 0.1)):
        if text in runtime.log():
            return
        time.sleep(0.1)
    pytest.fail(f"{text!r} never appeared in the runtime's log")


def test_make_run_serves_the_repo_template(tmp_path: Path) -> None:
    # Given the exact arguments of `make run` (with a free port and a temporary state dir)
    state = tmp_path / "state"

    def start() -> RuntimeProcess:
        runtime = RuntimeProcess(state)  # infra/template.yaml, env.local.json, seed.local.json
        runtime.spawn()
        return runtime

    runtime = start()
    try:
        info = runtime.wait_ready()
        assert set(info) == RUNTIME_KEYS
        assert {u["username"]: u["groups"] for u in info["users"]} == {
            "alice": [], "bob": [], "carol": ["analysts"], "dave": ["moderators"]}
        # Then the seeded public room is readable with the API key
        assert run_async(_public_room_names(info)) == ["Welcome"]
    finally:
        stop_and_check_no_orphans(runtime)
    runtime = start()
    try:
        info = runtime.wait_ready()
        # And after a restart it is still there, once (the seed operation did not rerun)
        assert run_async(_public_room_names(info)) == ["Welcome"]
    finally:
        stop_and_check_no_orphans(runtime)


async def _public_room_names(info: dict[str, Any]) -> list[str]:
    result = await _execute(api_key_client(info), "{ rooms(scope: PUBLIC) { items { name } } }")
    return [r["name"] for r in result["rooms"]["items"]]


async def _execute(client: Client, query: str) -> dict[str, Any]:
    async with client as session:
        return await session.execute(gql(query))  # type: ignore[no-any-return]


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a fresh loop in its own thread.

    Another fixture of this session (Playwright's sync API) may own a running loop in the
    main thread; a private thread keeps these tests independent of it.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
