"""Dedupe and ordering of message changes from live pushes and delta sync."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from pchat import Author, ChangeMerger, Message


def change(message_id: str, version: int, at: int, text: str = "") -> Message:
    return Message(
        id=message_id,
        room_id="r",
        author=Author("u", "alice"),
        text=text,
        language="en",
        tags=(),
        translations=(),
        translation_status="NOT_NEEDED",
        created_at="",
        client_id=f"c-{message_id}",
        version=version,
        last_changed_at=at,
        deleted=False,
    )


def test_a_change_seen_live_is_not_delivered_again_by_sync() -> None:
    merger = ChangeMerger()
    live = change("01A", 1, 100)
    assert merger.accept(live)
    assert merger.merge([change("01A", 1, 100), change("01B", 1, 105)]) == [change("01B", 1, 105)]


def test_batches_are_merged_in_server_time_order() -> None:
    merger = ChangeMerger()
    sync = [change("01A", 1, 100), change("01C", 1, 300)]
    live = [change("01B", 1, 200), change("01C", 1, 300)]
    assert [m.id for m in merger.merge(sync, live)] == ["01A", "01B", "01C"]


def test_equal_milliseconds_order_by_id() -> None:
    merger = ChangeMerger()
    assert [m.id for m in merger.merge([change("01B", 1, 5), change("01A", 1, 5)])] == [
        "01A",
        "01B",
    ]


def test_an_edit_is_a_new_change_but_an_older_version_is_not() -> None:
    merger = ChangeMerger()
    assert merger.accept(change("01A", 2, 200, "edited"))
    assert not merger.accept(change("01A", 1, 100, "original"))  # late, stale
    assert merger.accept(change("01A", 3, 300, "edited again"))


def test_the_watermark_is_the_latest_change_delivered() -> None:
    merger = ChangeMerger()
    merger.merge([change("01A", 1, 100), change("01B", 1, 400)])
    merger.accept(change("01A", 1, 100))
    assert merger.watermark == 400


def test_memory_is_bounded() -> None:
    merger = ChangeMerger(capacity=2)
    for i in range(5):
        merger.accept(change(f"01{i}", 1, i))
    assert len(merger._versions) == 2


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(1, 3)), max_size=40),
    st.randoms(use_true_random=False),
)
def test_any_duplication_and_interleaving_delivers_each_change_once_in_order(
    keys: list[tuple[int, int]], rnd: random.Random
) -> None:
    # Given a history of changes (message n, version v), duplicated and split into two
    # sources in arbitrary order
    history = {(n, v): change(f"01{n}", v, n * 10 + v) for n, v in keys}
    copies = [m for m in history.values() for _ in range(rnd.randint(1, 3))]
    rnd.shuffle(copies)
    cut = rnd.randint(0, len(copies))
    # When merged
    delivered = ChangeMerger().merge(copies[:cut], copies[cut:])
    # Then each (id, version) arrives once, ordered by time, versions never go back
    assert len({m.key for m in delivered}) == len(delivered)
    assert [m.last_changed_at for m in delivered] == sorted(m.last_changed_at for m in delivered)
    assert {m.key for m in delivered} == {m.key for m in history.values()}
