"""The pchat CLI: argument parsing, output modes and documented exit codes.

Commands run through ``main()`` with the in-memory API behind the transport seam; one
test uses the real gql transport against a closed port.
"""

from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

import pytest
from pchat import Config, Credentials, TokenCache, Tokens, UserPoolConfig
from pchat.cli import get_parser, main

from tests.unit.client.fake_api import FakeApi, api_error

POOL = {"id": "us-east-1_test", "clientId": "client1", "endpoint": "http://127.0.0.1:9"}


class Run:
    def __init__(self, tmp_path: Path, api: FakeApi) -> None:
        self.api = api
        self.config_path = tmp_path / "runtime.json"
        self.config_path.write_text(
            json.dumps(
                {
                    "graphqlUrl": "http://127.0.0.1:9/graphql",
                    "region": "us-east-1",
                    "apiKey": "da2-x",
                    "userPool": POOL,
                    "users": [],
                }
            )
        )
        self.env = {
            "PCHAT_CONFIG": str(self.config_path),
            "PCHAT_CONFIG_DIR": str(tmp_path / "cfg"),
            "NO_COLOR": "1",
        }
        self.out = self.err = ""

    def sign_in(self, username: str = "alice") -> None:
        pool = UserPoolConfig(POOL["id"], POOL["clientId"], POOL["endpoint"])
        TokenCache(Path(self.env["PCHAT_CONFIG_DIR"]) / "tokens").save(
            pool, Tokens(username, "id-token", "access-token", "refresh-token", 9e12)
        )

    def __call__(self, *argv: str, stdin: str = "", fake: bool = True) -> int:
        out, err = io.StringIO(), io.StringIO()

        def factory(config: Config, credentials: Credentials) -> FakeApi:
            return self.api

        code = main(
            list(argv),
            env=self.env,
            stdout=out,
            stderr=err,
            stdin=io.StringIO(stdin),
            transport_factory=factory if fake else None,
        )
        self.out, self.err = out.getvalue(), err.getvalue()
        return code


@pytest.fixture
def run(tmp_path: Path, api: FakeApi) -> Run:
    return Run(tmp_path, api)


def test_help_and_usage_errors(run: Run) -> None:
    assert run("--help") == 0
    assert run() == 2
    assert run("frobnicate") == 2
    assert run("send", "room-only") == 2
    assert run("export") == 2 and "--room" in run.err


def test_parser_defaults() -> None:
    args = get_parser().parse_args(["send", "r1", "hello", "there"])
    assert (args.room, args.text, args.auth, args.json) == ("r1", ["hello", "there"], "user", False)
    assert get_parser().parse_args(["outbox"]).action == "status"


def test_a_missing_config_is_a_usage_error_with_the_path(run: Run) -> None:
    run.config_path.unlink()
    assert run("--auth", "api-key", "rooms") == 2
    assert "runtime.json not found" in run.err


def test_not_signed_in_is_an_auth_error_with_the_fix(run: Run) -> None:
    assert run("rooms") == 3
    assert "pchat login" in run.err and "--auth api-key" in run.err


def test_send_accepted(run: Run) -> None:
    run.sign_in()
    assert run("send", "room-1", "hello", "world") == 0
    assert run.out.startswith("sent ") and run.api.texts("room-1") == ["hello world"]


def test_send_rejected_exits_5_with_the_hint(run: Run) -> None:
    run.sign_in()
    assert run("send", "room-1", "I hate mondays") == 5
    assert "rejected" in run.out and "Say what would help." in run.out


def test_send_offline_queues_exits_4_and_a_later_flush_delivers(run: Run) -> None:
    run.sign_in()
    run.api.offline = True
    assert run("send", "room-1", "from the train") == 4
    assert "queued offline" in run.err
    assert run("--json", "outbox") == 0 and json.loads(run.out)["pending"] == 1
    run.api.offline = False
    assert run("outbox", "flush") == 0
    assert run.api.texts("room-1") == ["from the train"]


def test_send_reads_stdin(run: Run) -> None:
    run.sign_in()
    assert run("send", "room-1", "-", stdin="from a pipe\n") == 0
    assert run.api.texts("room-1") == ["from a pipe"]


def test_api_errors_exit_1_and_permission_errors_exit_3(run: Run) -> None:
    run.sign_in()
    run.api.fail_next = [api_error("NotFound", "Room nope does not exist")]
    assert run("rooms") == 1 and "NotFound: Room nope does not exist" in run.err
    run.api.fail_next = [api_error("Unauthorized", "members only")]
    assert run("rooms") == 3


def test_json_mode_prints_only_data(run: Run) -> None:
    run.sign_in()
    assert run("--json", "me") == 0
    assert json.loads(run.out) == {
        "id": "u-alice",
        "username": "alice",
        "preferred_language": "en",
        "points": 3,
        "rejected_count": 1,
    }


def test_cloud_without_colour_shows_weights_as_capitals_and_counts(run: Run) -> None:
    assert run("--auth", "api-key", "cloud", "room-1") == 0
    assert "GARDEN(8)" in run.out and "sun(3)" in run.out and "\033[" not in run.out


def test_export_csv_to_a_file(run: Run, tmp_path: Path) -> None:
    run.sign_in()
    for i in range(5):
        run("send", "room-1", f"message {i}")
    target = tmp_path / "out.csv"
    assert (
        run("export", "--room", "room-1", "--format", "csv", "--page-size", "2", "-o", str(target))
        == 0
    )
    rows = list(csv.DictReader(target.open()))
    assert [r["text"] for r in rows] == [f"message {i}" for i in reversed(range(5))]
    assert "5 message(s) in 3 page(s)" in run.err


def test_the_real_transport_reports_an_unreachable_api_as_offline(run: Run) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run.config_path.write_text(
        json.dumps(
            {
                "graphqlUrl": f"http://127.0.0.1:{port}/graphql",
                "region": "us-east-1",
                "apiKey": "da2-x",
            }
        )
    )
    assert run("--auth", "api-key", "rooms", fake=False) == 4
    assert "cannot reach" in run.err and "make run" in run.err


def test_edit_conflict_then_resolve_through_the_outbox(run: Run) -> None:
    # Given alice's message, edited elsewhere to version 2
    run.sign_in()
    assert run("--json", "send", "room-1", "first") == 0
    message_id = json.loads(run.out)["result"]["message"]["id"]
    run.api._op_EditMessage(
        {"input": {"messageId": message_id, "text": "theirs", "expectedVersion": 1}}
    )
    # When she edits from version 1
    assert run("edit", "room-1", message_id, "mine", "--version", "1") == 1
    assert "conflict" in run.err and "now version 2" in run.err
    # Then resolving with a merge sends it at version 2
    assert run("outbox", "resolve", "2") == 2  # neither --retry nor --discard
    assert run("outbox", "resolve", "2", "--retry", "theirs and mine") == 0
    assert run("outbox", "flush") == 0
    assert run.api.messages[message_id]["text"] == "theirs and mine"
    assert run("delete", "room-1", message_id, "--version", "3") == 0
    assert run.out.startswith("deleted ")
