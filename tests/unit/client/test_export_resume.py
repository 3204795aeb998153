"""`pchat export` to a file: streamed page by page, and resumable after an interruption.

An interruption is simulated by the in-memory API failing the n-th page request (network
error, Ctrl-C), and a kill in the middle of a page by leaving half a page on disk. The
rerun must leave every message in the file exactly once, in order.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pchat import ExportFormat, ExportResumeError, FileExport, Page
from pchat.errors import OfflineError
from pchat.export import PARTS_SUFFIX, STATE_SUFFIX

from tests.unit.client.fake_api import FakeApi
from tests.unit.client.test_cli import POOL, Run
from tests.unit.client.test_merge import change

pq = pytest.importorskip("pyarrow.parquet")

MESSAGES = 23  # 5 pages of 5: the last one short
FORMATS = ["csv", "jsonl", "parquet"]


@pytest.fixture
def run(tmp_path: Path, api: FakeApi) -> Run:
    for i in range(MESSAGES):
        api.seed("room-1", f"Coffee note {i}, with \"quotes\", commas and ünïcode",
                 tags=["coffee"], created_at=f"2026-11-{1 + i // 3:02d}T09:{i:02d}:00.000Z")
    api.seed("room-1", "Tea only", tags=["tea"], created_at="2026-11-02T10:00:00.000Z")
    runner = Run(tmp_path, api)
    runner.sign_in()
    return runner


def expected_ids(api: FakeApi, tag: str = "coffee") -> list[str]:
    """What a complete export holds: the tag's messages, newest first."""
    items = [m for m in api.messages.values() if tag in m["tags"]]
    return [m["id"] for m in sorted(items, key=lambda m: (m["createdAt"], m["id"]),
                                    reverse=True)]


def read_rows(path: Path, fmt: str) -> list[dict[str, Any]]:
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]


def export_args(target: Path, fmt: str, *extra: str) -> list[str]:
    return ["export", "--tag", "coffee", "--format", fmt, "--page-size", "5", "-o",
            str(target), *extra]


def interrupt_page(api: FakeApi, n: int, error: BaseException | None = None) -> None:
    api.fail_at[("MessagesByTag", len(api.calls_of("MessagesByTag")) + n)] = (
        error or OfflineError("connection reset by peer"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_network_error_midway_then_a_rerun_writes_every_row_once(
        run: Run, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"coffee.{fmt}"
    # Given an export whose third page request fails
    interrupt_page(run.api, 3)
    assert run(*export_args(target, fmt)) == 4
    assert "Run the same command again to continue" in run.err
    state = json.loads((tmp_path / f"coffee.{fmt}{STATE_SUFFIX}").read_text())
    assert (state["pages"], state["rows"], state["next_token"]) == (2, 10, "tok-10")
    assert state["query"] == {"format": fmt, "room": None, "tag": "coffee", "from": None,
                              "to": None}
    if fmt != "parquet":  # the file holds exactly the two recorded pages
        assert target.stat().st_size == state["size"]
        assert [r["id"] for r in read_rows(target, fmt)] == expected_ids(run.api)[:10]
    else:  # nothing half-made at FILE itself; the pages wait as parts
        assert not target.exists()
        assert len(list((tmp_path / f"coffee.{fmt}{PARTS_SUFFIX}").iterdir())) == 2
    # When the same command runs again
    assert run("--json", *export_args(target, fmt)) == 0, run.err
    # Then it asked for the third page, not the first, and the file is complete
    assert [c.get("nextToken") for c in run.api.calls_of("MessagesByTag")] == [
        None, "tok-5", "tok-10", "tok-10", "tok-15", "tok-20"]
    rows = read_rows(target, fmt)
    assert [r["id"] for r in rows] == expected_ids(run.api)
    assert rows[0]["text"].startswith("Coffee note 22, with \"quotes\"")
    assert json.loads(run.out) == {"output": str(target), "format": fmt, "messages": MESSAGES,
                                   "pages": 5, "resumedMessages": 10}
    assert "resuming the unfinished export" in run.err
    assert not (tmp_path / f"coffee.{fmt}{STATE_SUFFIX}").exists()
    assert not (tmp_path / f"coffee.{fmt}{PARTS_SUFFIX}").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_ctrl_c_exits_130_and_the_export_resumes(run: Run, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"coffee.{fmt}"
    interrupt_page(run.api, 4, KeyboardInterrupt())
    assert run(*export_args(target, fmt)) == 130
    assert run(*export_args(target, fmt)) == 0, run.err
    assert [r["id"] for r in read_rows(target, fmt)] == expected_ids(run.api)
    assert "23 message(s) in 5 page(s) (15 of them by an earlier run)" in run.err


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_page_half_written_when_killed_is_dropped_on_resume(
        run: Run, tmp_path: Path, fmt: str) -> None:
    # Given an export stopped after two pages, and a kill while the third was written
    target = tmp_path / f"coffee.{fmt}"
    interrupt_page(run.api, 3)
    assert run(*export_args(target, fmt)) == 4
    with target.open("ab") as handle:
        handle.write(b'{"id": "01TORN", "text": "half a pa')
    # When it resumes, the torn bytes go and the rest follows
    assert run(*export_args(target, fmt)) == 0, run.err
    assert [r["id"] for r in read_rows(target, fmt)] == expected_ids(run.api)
    assert b"01TORN" not in target.read_bytes()


def test_a_parquet_part_being_written_when_killed_is_dropped_on_resume(
        run: Run, tmp_path: Path) -> None:
    target = tmp_path / "coffee.parquet"
    interrupt_page(run.api, 3)
    assert run(*export_args(target, "parquet")) == 4
    parts = tmp_path / f"coffee.parquet{PARTS_SUFFIX}"
    (parts / "page-0000003.parquet.tmp").write_bytes(b"PAR1 torn")
    (parts / "page-0000003.parquet").write_bytes(b"PAR1 torn")  # renamed, state not saved
    assert run(*export_args(target, "parquet")) == 0, run.err
    assert [r["id"] for r in read_rows(target, "parquet")] == expected_ids(run.api)


def test_parquet_has_one_row_group_per_page_and_typed_columns(
        run: Run, tmp_path: Path) -> None:
    target = tmp_path / "coffee.parquet"
    assert run(*export_args(target, "parquet")) == 0, run.err
    parquet = pq.ParquetFile(target)
    assert parquet.metadata.num_row_groups == 5
    assert [parquet.metadata.row_group(i).num_rows for i in range(5)] == [5, 5, 5, 5, 3]
    schema = parquet.schema_arrow
    assert str(schema.field("createdAt").type) == "timestamp[ms, tz=UTC]"
    assert str(schema.field("tags").type) == "list<element: string>"
    first = parquet.read().to_pylist()[0]
    assert first["createdAt"].isoformat() == "2026-11-08T09:22:00+00:00"
    assert first["tags"] == ["coffee"] and first["translations"] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_another_query_over_an_unfinished_export_is_refused_then_restart(
        run: Run, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    interrupt_page(run.api, 2)
    assert run(*export_args(target, fmt)) == 4
    calls = len(run.api.calls)
    other = ["export", "--tag", "tea", "--format", fmt, "-o", str(target)]
    assert run(*other) == 2
    assert "unfinished export of another query (format=" in run.err
    assert "tag=coffee" in run.err and "--restart" in run.err
    assert len(run.api.calls) == calls  # refused before asking anything
    assert run(*other, "--restart") == 0, run.err
    assert [r["text"] for r in read_rows(target, fmt)] == ["Tea only"]
    assert not (tmp_path / f"out.{fmt}{STATE_SUFFIX}").exists()


def test_a_relative_window_is_fixed_by_the_first_run(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "recent.jsonl"
    interrupt_page(run.api, 2)
    args = ["export", "--tag", "coffee", "--from", "20000d", "--to", "1m",
            "--page-size", "5", "-o", str(target)]
    assert run(*args) == 4
    assert run(*args) == 0, run.err
    windows = {(c["from"], c["to"]) for c in run.api.calls_of("MessagesByTag")}
    assert len(windows) == 1  # the rerun asked the same question, not "20000 days from now"
    assert [r["id"] for r in read_rows(target, "jsonl")] == expected_ids(run.api)


def test_an_expired_page_token_says_to_restart(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "coffee.csv"
    interrupt_page(run.api, 2)
    assert run(*export_args(target, "csv")) == 4
    state_path = tmp_path / f"coffee.csv{STATE_SUFFIX}"
    state = json.loads(state_path.read_text())
    state_path.write_text(json.dumps({**state, "next_token": "expired"}))
    assert run(*export_args(target, "csv")) == 2
    assert "no longer accepts the recorded position" in run.err and "--restart" in run.err
    assert run(*export_args(target, "csv", "--restart")) == 0, run.err
    assert [r["id"] for r in read_rows(target, "csv")] == expected_ids(run.api)


def test_a_file_changed_behind_the_export_is_refused(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "coffee.jsonl"
    interrupt_page(run.api, 3)
    assert run(*export_args(target, "jsonl")) == 4
    target.write_text("")
    assert run(*export_args(target, "jsonl")) == 2
    assert "shorter (0 bytes)" in run.err and "--restart" in run.err
    (tmp_path / f"coffee.jsonl{STATE_SUFFIX}").write_text("{not json")
    assert run(*export_args(target, "jsonl")) == 2 and "cannot read the export state" in run.err


def test_an_export_to_stdout_streams_and_keeps_no_state(run: Run, tmp_path: Path) -> None:
    assert run("export", "--tag", "coffee", "--format", "csv", "--page-size", "5") == 0
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert [r["id"] for r in rows] == expected_ids(run.api)
    assert "23 message(s) in 5 page(s)" in run.err
    assert not list(tmp_path.glob(f"*{STATE_SUFFIX}"))


def test_a_room_export_applies_the_window_and_stops_paging_past_it(
        run: Run, tmp_path: Path) -> None:
    # A room's history is newest first (ULIDs: creation order), as on the server
    for day in range(1, 9):
        for hour in range(3):
            run.api.seed("room-2", f"day {day} hour {hour}", tags=[],
                         created_at=f"2026-11-{day:02d}T{10 + hour}:00:00.000Z")
    target = tmp_path / "room.jsonl"
    assert run("export", "--room", "room-2", "--from", "2026-11-03T11:00:00Z",
               "--to", "2026-11-05", "--page-size", "4", "-o", str(target)) == 0, run.err
    assert [r["text"] for r in read_rows(target, "jsonl")] == [
        "day 4 hour 2", "day 4 hour 1", "day 4 hour 0", "day 3 hour 2", "day 3 hour 1"]
    # 24 messages in pages of 4: the fifth page reaches before --from and is the last read
    assert len(run.api.calls_of("Messages")) == 5


@pytest.mark.parametrize(("argv", "message"), [
    (["--format", "parquet"], "give --output FILE (Parquet is binary)"),
    (["--restart"], "only an export to a file"),
    (["--page-size", "101", "-o", "x.csv"], "--page-size must be between 1 and 100"),
    (["--from", "soon", "-o", "x.csv"], "--from: 'soon' is not a time"),
    (["--from", "2026-11-05", "--to", "2026-11-01", "-o", "x.csv"], "must be earlier"),
])
def test_export_usage_errors(run: Run, argv: list[str], message: str) -> None:
    assert run("export", "--tag", "coffee", *argv) == 2
    assert message in run.err and run.api.calls == []


def test_an_unwritable_target_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    assert run(*export_args(tmp_path / "missing" / "x.csv", "csv")) == 2
    assert "missing is not a directory" in run.err and run.api.calls == []
    (tmp_path / "taken.csv").mkdir()
    assert run(*export_args(tmp_path / "taken.csv", "csv")) == 2
    assert "export: cannot write" in run.err and "Is a directory" in run.err


def test_parquet_without_pyarrow_says_how_to_install_it(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pchat._cli_commands.parquet_available", lambda: False)
    assert run(*export_args(tmp_path / "x.parquet", "parquet")) == 2
    assert "pip install 'positive-chat[parquet]'" in run.err


async def test_the_library_resumes_with_the_stored_settings(tmp_path: Path) -> None:
    pages = [Page((change(f"01{i}", 1, i),), f"t{i}" if i < 3 else None) for i in range(4)]
    asked: list[str | None] = []

    async def fetch(token: str | None) -> Page[Any]:
        asked.append(token)
        if len(asked) == 3 and token == "t1":
            raise OfflineError("down")
        return pages[0 if token is None else int(token[1:]) + 1]

    target = tmp_path / "lib.jsonl"
    first = FileExport(target, ExportFormat.JSONL, {"room": "r"})
    with pytest.raises(OfflineError):
        await first.run(fetch, {"window": "A"})
    again = FileExport(target, ExportFormat.JSONL, {"room": "r"})
    assert again.resuming and again.resumed_rows == 2
    assert again.settings({"window": "B"}) == {"window": "A"}
    result = await again.run(fetch, again.settings({"window": "B"}))
    assert (result.rows, result.pages, result.resumed_rows) == (4, 4, 2)
    assert asked == [None, "t0", "t1", "t1", "t2"]
    assert [json.loads(x)["id"] for x in target.read_text().splitlines()] == [
        "010", "011", "012", "013"]
    with pytest.raises(ExportResumeError):
        target.with_name(target.name + STATE_SUFFIX).write_text('{"version": 99}')
        FileExport(target, ExportFormat.JSONL, {"room": "r"})


KILLED_EXPORT = """
import os, signal, sys
from tests.unit.client.fake_api import FakeApi
from tests.unit.client.test_export_resume import seed_for_kill
from pchat.cli import main

class Killing(FakeApi):
    async def execute(self, document, variables=None):
        if len(self.calls_of("MessagesByTag")) == int(sys.argv[1]):
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no state update: a real kill
        return await super().execute(document, variables)

api = seed_for_kill(Killing())
sys.exit(main(sys.argv[2:], transport_factory=lambda config, credentials: api))
"""


def seed_for_kill(api: FakeApi) -> FakeApi:
    for i in range(MESSAGES):
        api.seed("room-1", f"note {i}", tags=["coffee"],
                 created_at=f"2026-11-01T09:{i:02d}:00.000Z")
    return api


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_process_killed_with_sigkill_mid_export_resumes_exactly(
        tmp_path: Path, fmt: str) -> None:
    repo = Path(__file__).resolve().parents[3]
    config = tmp_path / "runtime.json"
    config.write_text(json.dumps({"graphqlUrl": "http://127.0.0.1:9/graphql",
                                  "region": "us-east-1", "apiKey": "da2-x", "userPool": POOL,
                                  "users": []}))
    target = tmp_path / f"killed.{fmt}"
    argv = ["--auth", "api-key", *export_args(target, fmt)]
    # Given an export killed (SIGKILL) while it asks for its fourth page
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, "3", *argv], cwd=repo,
        env={**os.environ, "PCHAT_CONFIG": str(config), "NO_COLOR": "1",
             "PCHAT_CONFIG_DIR": str(tmp_path / "cfg"),
             "PYTHONPATH": os.pathsep.join([str(repo / "client"), str(repo)])},
        capture_output=True, text=True, timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert json.loads(Path(f"{target}{STATE_SUFFIX}").read_text())["rows"] == 15
    # When the same command runs again (here in-process, on the same data)
    runner = Run(tmp_path, seed_for_kill(FakeApi()))
    runner.env["PCHAT_CONFIG"] = str(config)
    assert runner(*argv) == 0, runner.err
    # Then every message is in the file once
    assert [r["text"] for r in read_rows(target, fmt)] == [
        f"note {i}" for i in reversed(range(MESSAGES))]
    assert [c.get("nextToken") for c in runner.api.calls_of("MessagesByTag")] == [
        "tok-15", "tok-20"]
