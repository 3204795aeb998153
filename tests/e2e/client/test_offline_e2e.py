"""Offline use against the real runtime: the outbox across a runtime restart, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pchat import (
    ChatClient,
    Config,
    EntryState,
    OfflineError,
    Outbox,
    Retry,
    iter_pages,
    load_config,
)

from tests.runtime_process import REPO, RuntimeProcess

from .conftest import sign_in

pytestmark = pytest.mark.dynamodb_local
QUEUED = 50


async def all_messages(client: ChatClient, room_id: str) -> list[str]:
    texts: list[str] = []
    async for page in iter_pages(lambda t: client.messages(room_id, limit=100, next_token=t)):
        texts.extend(m.text for m in page.items)
    return list(reversed(texts))  # history is newest first


async def test_posts_queued_while_the_api_is_down_arrive_once_in_order(
        runtime: RuntimeProcess, config: Config, alice: ChatClient, tmp_path: Path) -> None:
    # Given a room, and then the API going away
    room = (await alice.create_room("outbox e2e", language="en")).id
    runtime.stop()
    # When alice queues 50 posts while it is down
    outbox = Outbox(tmp_path / "alice.sqlite")
    texts = [f"Queued note {i:02d}: thank you, have a lovely day" for i in range(QUEUED)]
    for text in texts:
        entry, report = await outbox.post_now(alice, room, text)
        assert report.outcome_of(entry.seq) is None
        assert isinstance(report.stopped_by, OfflineError)
    assert outbox.counts() == {EntryState.PENDING: QUEUED}
    outbox.close()
    # And the API comes back (same state dir, same port) and a new process flushes
    runtime.start()
    restarted = load_config(runtime.config_path, env={})
    assert restarted.graphql_url == config.graphql_url
    async with await sign_in(restarted, "alice") as client:
        reopened = Outbox(tmp_path / "alice.sqlite")
        report = await reopened.flush(client)
        again = await reopened.flush(client)
        # Then exactly 50 messages exist, in the order they were queued, each once
        assert [o.state for o in report.outcomes] == [EntryState.SENT] * QUEUED
        assert report.pending == 0 and again.outcomes == ()
        assert await all_messages(client, room) == texts
        # And a replay of an already delivered post (same clientId) adds nothing
        first = reopened.entries()[0]
        replay = await client.post_message(room, first.text or "", client_id=first.client_id)
        assert replay.message is not None
        assert replay.message.id == report.outcomes[0].message.id  # type: ignore[union-attr]
        assert len(await all_messages(client, room)) == QUEUED
        reopened.close()


def pchat(config_path: Path, config_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PCHAT_CONFIG": str(config_path), "PCHAT_CONFIG_DIR": str(config_dir),
           "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pchat.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_cli_end_to_end(runtime: RuntimeProcess, config: Config, config_dir: Path) -> None:
    # Given alice signed in with the CLI (a seeded dev user needs no password)
    path = runtime.config_path
    assert pchat(path, config_dir, "login", "alice").returncode == 0
    created = pchat(path, config_dir, "--json", "create-room", "cli e2e", "--language", "en")
    assert created.returncode == 0, created.stderr
    room = json.loads(created.stdout)["id"]
    # When she posts a friendly and an unfriendly message
    sent = pchat(path, config_dir, "send", room, "Thanks for the delicious garden party")
    rejected = pchat(path, config_dir, "send", room, "You are a horrible stupid idiot, I hate you")
    # Then the exit codes say what happened, and the accepted post is in the room
    assert sent.returncode == 0 and sent.stdout.startswith("sent "), sent.stderr
    assert rejected.returncode == 5 and "rejected" in rejected.stdout, rejected.stderr
    exported = pchat(path, config_dir, "export", "--room", room, "--format", "jsonl")
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [r["text"] for r in records] == ["Thanks for the delicious garden party"]
    assert pchat(path, config_dir, "cloud", room).returncode == 0
    assert pchat(path, config_dir, "--auth", "api-key", "rooms").returncode == 0


async def test_a_stale_queued_edit_reports_the_server_item_and_a_retry_merges(
        alice: ChatClient, tmp_path: Path) -> None:
    # Given a message edited (version 2) after alice queued an edit of version 1
    room = (await alice.create_room("conflict e2e", language="en")).id
    posted = (await alice.post_message(room, "Nice first draft")).message
    assert posted is not None
    await alice.edit_message(room, posted.id, "Nice second draft", expected_version=1)
    outbox = Outbox(tmp_path / "edits.sqlite")
    entry = outbox.edit(room, posted.id, "Nice third draft", expected_version=1)
    # When the outbox sends it
    report = await outbox.flush(alice)
    # Then the server's ConflictUnhandled arrives with its current item
    outcome = report.outcome_of(entry.seq)
    assert outcome is not None and outcome.state is EntryState.CONFLICT
    assert outcome.current is not None
    assert (outcome.current.version, outcome.current.text) == (2, "Nice second draft")
    # And a merge retried at the server's version is accepted as version 3
    outbox.resolve(entry.seq, Retry("Nice second and third draft"))
    retried = (await outbox.flush(alice)).outcome_of(entry.seq)
    assert retried is not None and retried.result is not None and retried.result.message
    assert retried.result.message.version == 3
    assert retried.result.message.text == "Nice second and third draft"
    outbox.close()
