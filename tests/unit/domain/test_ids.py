from __future__ import annotations

import threading

from positive_chat.domain.ids import UlidFactory, ulid_ceiling, ulid_floor, ulid_time_ms


def test_ids_made_in_the_same_millisecond_are_distinct_and_ordered():
    # Given a clock frozen on one millisecond
    factory = UlidFactory(clock_ms=lambda: 1_700_000_000_000)
    # When many ids are made
    ids = [factory.new() for _ in range(1000)]
    # Then none collide and their order is creation order
    assert len(set(ids)) == 1000
    assert ids == sorted(ids)
    assert all(ulid_time_ms(i) == 1_700_000_000_000 for i in ids)


def test_clock_stepping_back_does_not_break_order():
    times = iter([2_000, 1_000, 1_000, 3_000])
    factory = UlidFactory(clock_ms=lambda: next(times))
    ids = [factory.new() for _ in range(4)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 4


def test_concurrent_ids_are_unique():
    factory = UlidFactory()
    out: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        mine = [factory.new() for _ in range(500)]
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 2000


def test_floor_and_ceiling_bracket_every_id_of_their_millisecond():
    factory = UlidFactory(clock_ms=lambda: 123_456)
    some = factory.new()
    assert ulid_floor(123_456) <= some <= ulid_ceiling(123_456)
    assert ulid_ceiling(123_455) < some < ulid_floor(123_457)
    assert len(some) == 26
