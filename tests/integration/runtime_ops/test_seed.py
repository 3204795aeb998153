"""Seeding: each operation runs once across restarts, with real credentials per auth mode.

The GraphQL side is a small real HTTP server that authenticates with core's
Authenticator (API key, SigV4) and records what it executed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from appsync_local.auth import ApiKey, AuthConfig, Authenticator, AuthError, AuthMode, IamPrincipal
from appsync_local.seed import SeedAuth, SeedFileError, SeedRunner, load_seed

API_KEY = "da2-seedtestkey000000000000000"
IAM = IamPrincipal("AKIASEEDTEST00000000", "seed-test-secret-0000000000000000000000")
REGION = "us-east-1"


class _Api:
    """Records executed operations; fails those whose query contains 'fail'."""

    def __init__(self) -> None:
        self.executed: list[tuple[str, str]] = []  # (auth mode or token, operationName)
        self.authenticator = Authenticator(AuthConfig(
            default_mode=AuthMode.API_KEY, region=REGION,
            additional_modes=(AuthMode.AWS_IAM,), api_keys=(ApiKey(API_KEY),),
            iam_principals=(IAM,)))

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        payload = json.loads(body)
        if "authorization" in headers and not headers["authorization"].startswith("AWS4"):
            who = headers["authorization"]  # the fake "JWT" the test hands out
        else:
            try:
                who = self.authenticator.authenticate_http(headers, body, host=headers["host"]
                                                           ).mode.value
            except AuthError as exc:
                return exc.status, exc.to_body()
        if "fail" in payload["query"]:
            return 200, {"data": None, "errors": [{"message": "nope"}]}
        self.executed.append((who, payload.get("operationName")))
        return 200, {"data": {"ok": True}}


@pytest.fixture
def api() -> Iterator[tuple[_Api, str]]:
    fake = _Api()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            status, answer = fake.handle({k.lower(): v for k, v in self.headers.items()}, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/graphql"
    server.shutdown()


def write_seed(path: Path, operations: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({
        "users": [{"username": "ann", "password": "Password-Ann-1", "groups": ["g"]}],
        "operations": operations,
    }))
    return path


def seed_auth() -> SeedAuth:
    return SeedAuth(REGION, API_KEY, IAM.access_key_id, IAM.secret_access_key,
                    id_token_for=lambda user, password: f"token-of-{user}-{password}")


OPERATIONS = [
    {"id": "as-ann", "as": "ann", "query": "mutation A { a }", "operationName": "A"},
    {"id": "with-key", "authMode": "API_KEY", "query": "mutation B { b }",
     "operationName": "B"},
    {"id": "with-iam", "authMode": "AWS_IAM", "query": "mutation C { c }",
     "operationName": "C"},
]


async def test_operations_run_once_in_order_with_each_auth_mode(
    api: tuple[_Api, str], tmp_path: Path
) -> None:
    fake, url = api
    seed = load_seed(write_seed(tmp_path / "seed.json", OPERATIONS))
    record = tmp_path / "state" / "seed.json"
    # When the seed runs on two successive starts
    first = await SeedRunner(seed, record, url, seed_auth()).run()
    second = await SeedRunner(seed, record, url, seed_auth()).run()
    # Then every operation ran exactly once, in file order, with its own credentials
    assert fake.executed == [("token-of-ann-Password-Ann-1", "A"), ("API_KEY", "B"),
                             ("AWS_IAM", "C")]
    assert first.applied == ("as-ann", "with-key", "with-iam")
    assert second.applied == () and second.skipped == first.applied
    assert set(json.loads(record.read_text())["operations"]) == set(first.applied)


async def test_a_failed_operation_is_not_recorded_and_runs_again(
    api: tuple[_Api, str], tmp_path: Path
) -> None:
    fake, url = api
    ops = [{"id": "bad", "authMode": "API_KEY", "query": "mutation { fail }"},
           {"id": "good", "authMode": "API_KEY", "query": "mutation G { g }",
            "operationName": "G"}]
    seed = load_seed(write_seed(tmp_path / "seed.json", ops))
    record = tmp_path / "seed-record.json"
    report = await SeedRunner(seed, record, url, seed_auth()).run()
    assert report.failed == ("bad",) and report.applied == ("good",)
    again = await SeedRunner(seed, record, url, seed_auth()).run()
    assert again.failed == ("bad",) and again.skipped == ("good",)
    assert fake.executed == [("API_KEY", "G")]


async def test_wrong_credentials_count_as_failures(api: tuple[_Api, str], tmp_path: Path) -> None:
    _fake, url = api
    seed = load_seed(write_seed(tmp_path / "seed.json", OPERATIONS[1:2]))
    wrong = SeedAuth(REGION, "da2-wrong", IAM.access_key_id, "bad-secret", lambda u, p: "x")
    report = await SeedRunner(seed, tmp_path / "r.json", url, wrong).run()
    assert report.failed == ("with-key",)


@pytest.mark.parametrize("ops, message", [
    ([{"id": "x", "query": "q"}], "Cognito needs"),
    ([{"id": "x", "as": "zoe", "query": "q"}], "zoe"),
    ([{"id": "x", "authMode": "OIDC", "query": "q"}], "authMode"),
    ([{"id": "x", "authMode": "API_KEY", "query": "q"}] * 2, "duplicate"),
    ([{"authMode": "API_KEY", "query": "q"}], "id"),
])
def test_malformed_seed_files_are_rejected(tmp_path: Path, ops: list[dict[str, Any]],
                                           message: str) -> None:
    with pytest.raises(SeedFileError, match=message):
        load_seed(write_seed(tmp_path / "seed.json", ops))


def test_the_repo_seed_file_is_valid() -> None:
    seed = load_seed(Path(__file__).resolve().parents[3] / "infra" / "seed.local.json")
    assert {u.username: u.groups for u in seed.users} == {
        "alice": (), "bob": (), "carol": ("analysts",), "dave": ("moderators",)}
    assert [(o.id, o.as_user, o.auth_mode) for o in seed.operations] == [
        ("demo-public-room", "alice", "AMAZON_COGNITO_USER_POOLS")]
    assert seed.operations[0].variables["input"]["visibility"] == "PUBLIC"
    # Cognito's default policy: 8+ characters with upper, lower, digit and symbol.
    for user in seed.users:
        p = user.password
        assert len(p) >= 12 and any(c.isupper() for c in p) and any(c.islower() for c in p)
        assert any(c.isdigit() for c in p) and any(not c.isalnum() for c in p)
