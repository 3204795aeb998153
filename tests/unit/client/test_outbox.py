"""The offline outbox against an in-memory API: order, persistence, exactly-once, outcomes."""

from __future__ import annotations

import asyncio
import stat
import threading
from pathlib import Path

from pchat import (
    ChatClient,
    Discard,
    EntryState,
    Message,
    OfflineError,
    Outbox,
    OutboxEntry,
    Retry,
)

from tests.unit.client.fake_api import FakeApi, api_error

ROOM = "room-1"


async def test_posts_queued_offline_are_replayed_in_order_once_online(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    # Given the API is unreachable while five posts are made
    api.offline = True
    for i in range(5):
        _, report = await outbox.post_now(client, ROOM, f"post {i}")
        assert isinstance(report.stopped_by, OfflineError)
    assert outbox.counts() == {EntryState.PENDING: 5}
    # When it is reachable again and the outbox is flushed
    api.offline = False
    report = await outbox.flush(client)
    # Then every post arrived once, in the order it was made
    assert api.texts(ROOM) == [f"post {i}" for i in range(5)]
    assert [o.state for o in report.outcomes] == [EntryState.SENT] * 5
    assert report.pending == 0 and report.stopped_by is None


async def test_the_queue_survives_a_process_restart(
    api: FakeApi, client: ChatClient, outbox_path: Path
) -> None:
    # Given posts queued by a process that then exits
    api.offline = True
    first = Outbox(outbox_path)
    for i in range(3):
        first.post(ROOM, f"kept {i}")
    await first.flush(client)
    first.close()
    # When a new process opens the same outbox online
    api.offline = False
    second = Outbox(outbox_path)
    report = await second.flush(client)
    second.close()
    # Then it sends what the first one queued
    assert api.texts(ROOM) == ["kept 0", "kept 1", "kept 2"]
    assert len(report.outcomes) == 3


async def test_a_lost_answer_is_replayed_with_the_same_client_id_and_stored_once(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    # Given the server applies a post but the answer is lost on the way back
    api.lose_answers = 1
    entry, report = await outbox.post_now(client, ROOM, "only once please")
    assert report.outcome_of(entry.seq) is None
    assert outbox.get(entry.seq).attempts == 1  # type: ignore[union-attr]
    # When the outbox is flushed again
    report = await outbox.flush(client)
    # Then the replay carried the same clientId and the server kept one message
    sent_ids = [c["input"]["clientId"] for c in api.calls_of("PostMessage")]
    assert sent_ids == [entry.client_id, entry.client_id]
    assert api.texts(ROOM) == ["only once please"]
    assert report.outcomes[0].state is EntryState.SENT


async def test_a_rejected_post_is_reported_not_retried_and_the_queue_moves_on(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    # Given a negative post queued between two friendly ones
    for text in ("hello friends", "I hate this", "see you soon"):
        outbox.post(ROOM, text)
    # When flushed twice
    report = await outbox.flush(client)
    again = await outbox.flush(client)
    # Then the rejection is reported with its hint, and never sent again
    rejected = report.of_state(EntryState.REJECTED)
    assert len(rejected) == 1
    assert rejected[0].result is not None and rejected[0].result.rejection is not None
    assert rejected[0].result.rejection.hint == "Say what would help."
    assert api.texts(ROOM) == ["hello friends", "see you soon"]
    assert len(api.calls_of("PostMessage")) == 3 and again.outcomes == ()


async def test_a_server_failure_stops_the_flush_so_nothing_overtakes(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    # Given three posts and a server that fails on the second
    for i in range(3):
        outbox.post(ROOM, f"p{i}")
    api.fail_next = []
    original = api._op_PostMessage
    calls = {"n": 0}

    def flaky(variables):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise api_error("InternalError", "Internal error; it has been logged")
        return original(variables)

    api._op_PostMessage = flaky  # type: ignore[method-assign]
    # When flushed
    report = await outbox.flush(client)
    # Then the flush stopped at the failing entry, which keeps its place
    assert api.texts(ROOM) == ["p0"]
    assert report.pending == 2 and report.stopped_by is not None
    # And the next flush resumes in order
    await outbox.flush(client)
    assert api.texts(ROOM) == ["p0", "p1", "p2"]


async def test_a_permanent_refusal_is_reported_and_the_flush_continues(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    outbox.post(ROOM, "   ")
    outbox.post(ROOM, "fine")
    report = await outbox.flush(client)
    assert [o.state for o in report.outcomes] == [EntryState.FAILED, EntryState.SENT]
    assert "ValidationError" in (report.outcomes[0].error or "")


async def _posted(client: ChatClient, text: str) -> Message:
    result = await client.post_message(ROOM, text)
    assert result.message is not None
    return result.message


async def test_a_stale_edit_waits_with_the_server_item_until_resolved(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    # Given a message edited elsewhere after we saw version 1
    message = await _posted(client, "draft")
    await client.edit_message(ROOM, message.id, "their edit", expected_version=1)
    entry = outbox.edit(ROOM, message.id, "my edit", expected_version=1)
    # When the outbox sends our edit
    report = await outbox.flush(client)
    # Then it is a conflict carrying the server's current item
    outcome = report.outcome_of(entry.seq)
    assert outcome is not None and outcome.state is EntryState.CONFLICT
    assert outcome.current is not None and outcome.current.text == "their edit"
    assert outcome.current.version == 2
    # When the application resolves it by retrying with merged text
    outbox.resolve(entry.seq, Retry("their edit + my edit"))
    await outbox.flush(client)
    # Then the merge is stored at the next version
    assert api.messages[message.id]["text"] == "their edit + my edit"
    assert api.messages[message.id]["_version"] == 3


async def test_a_resolver_hook_merges_or_discards_during_the_flush(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    first = await _posted(client, "a")
    second = await _posted(client, "b")
    for message in (first, second):
        await client.edit_message(ROOM, message.id, message.text + "!", expected_version=1)
    outbox.edit(ROOM, first.id, "a?", expected_version=1)
    outbox.edit(ROOM, second.id, "b?", expected_version=1)
    seen: list[tuple[str, int]] = []

    def resolver(entry: OutboxEntry, current: Message) -> Retry | Discard:
        seen.append((current.text, current.version))
        return Retry(current.text + "?") if current.id == first.id else Discard()

    report = await outbox.flush(client, resolver=resolver)
    assert seen == [("a!", 2), ("b!", 2)]
    assert [o.state for o in report.outcomes] == [EntryState.SENT, EntryState.DISCARDED]
    assert api.messages[first.id]["text"] == "a!?" and api.messages[second.id]["text"] == "b!"


async def test_an_edit_whose_answer_was_lost_is_recognised_as_applied(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    message = await _posted(client, "v1")
    api.lose_answers = 1
    entry = outbox.edit(ROOM, message.id, "v2", expected_version=1)
    await outbox.flush(client)  # applied, answer lost
    report = await outbox.flush(client)  # replay: the server says "conflict" with our text
    assert report.outcome_of(entry.seq).state is EntryState.SENT  # type: ignore[union-attr]
    assert api.messages[message.id]["_version"] == 2


async def test_a_delete_whose_answer_was_lost_is_recognised_as_applied(
    api: FakeApi, client: ChatClient, outbox: Outbox
) -> None:
    message = await _posted(client, "bye")
    api.lose_answers = 1
    entry = outbox.delete(ROOM, message.id, expected_version=1)
    await outbox.flush(client)
    report = await outbox.flush(client)
    assert report.outcome_of(entry.seq).state is EntryState.SENT  # type: ignore[union-attr]


async def test_a_second_flusher_backs_off_while_the_first_holds_the_lease(
    api: FakeApi, client: ChatClient, outbox_path: Path
) -> None:
    # Given two outboxes (two processes) on one file and a slow API
    one, two = Outbox(outbox_path), Outbox(outbox_path)
    for i in range(4):
        one.post(ROOM, f"m{i}")
    api.delay_s = 0.05
    # When both flush at once
    first, second = await asyncio.gather(one.flush(client), two.flush(client))
    one.close()
    two.close()
    # Then exactly one of them worked and each post was sent once, in order
    assert sorted([first.busy, second.busy]) == [False, True]
    assert api.texts(ROOM) == ["m0", "m1", "m2", "m3"]
    assert len(api.calls_of("PostMessage")) == 4


def test_two_threads_flushing_one_file_deliver_everything_once_in_order(
    api: FakeApi, outbox_path: Path
) -> None:
    # Given 30 queued posts and two independent flushers looping until the queue is empty
    seed = Outbox(outbox_path)
    for i in range(30):
        seed.post(ROOM, f"t{i:02d}")
    seed.close()

    def worker() -> None:
        box = Outbox(outbox_path)
        client = ChatClient(api)

        async def drain() -> None:
            while box.counts().get(EntryState.PENDING):
                report = await box.flush(client)
                if report.busy:
                    await asyncio.sleep(0.01)

        asyncio.run(drain())
        box.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then the server holds each post exactly once, in queue order
    assert api.texts(ROOM) == [f"t{i:02d}" for i in range(30)]


def test_the_outbox_files_are_private(outbox: Outbox, outbox_path: Path) -> None:
    outbox.post(ROOM, "private words")
    files = list(outbox_path.parent.iterdir())  # the database, its -wal and -shm
    assert len(files) >= 2
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(outbox_path.parent.stat().st_mode) == 0o700


def test_purge_removes_only_finished_entries(outbox: Outbox) -> None:
    entry = outbox.post(ROOM, "waiting")
    assert outbox.purge() == 0
    assert [e.seq for e in outbox.entries()] == [entry.seq]
