"""Provider calls under a request's time budget (``domain.deadline.Deadline``).

A provider call is a blocking SDK call whose own retries and backoff can outlast what is
left of the Lambda's time. ``within`` runs it on a worker thread and waits at most the
remaining budget: if the budget runs out first the caller gets ``DeadlineExceededError``
at once, and the abandoned call finishes (or times out on the SDK's own connect/read
timeouts, bootstrap.py) in the background, its result dropped. Nothing was written by
then, so the request can be retried. With an unbounded deadline the call runs inline.

``in_parallel`` runs independent calls (one translation target each) on a small pool and
returns what finished within the budget; the rest are reported as not done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ALL_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..domain.deadline import Deadline
from ..domain.errors import DeadlineExceededError

logger = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K")

# At most this many provider calls of one request at a time (translation targets).
MAX_PARALLEL_CALLS = 4


def within(deadline: Deadline, operation: str, call: Callable[[], T]) -> T:
    """``call()``'s result, or DeadlineExceededError when the budget is (or runs) out.

    Exceptions of ``call`` propagate unchanged (ProviderError, ProviderThrottledError).
    """
    if not deadline.bounded:
        return call()
    if deadline.expired:
        raise DeadlineExceededError(operation)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"budget-{operation}")
    try:
        future = pool.submit(call)
        done, _ = wait([future], timeout=deadline.remaining())
        if not done:
            future.cancel()
            logger.warning(
                "provider step abandoned: time budget spent", extra={"operation": operation}
            )
            raise DeadlineExceededError(operation)
        return future.result()
    finally:
        # Never wait for an abandoned call: it ends on the SDK's own timeouts.
        pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class Settled(Generic[K, T]):
    """What ``in_parallel`` got: results, failures, and keys not done within the budget."""

    results: Mapping[K, T]
    failures: Mapping[K, Exception]
    not_done: tuple[K, ...]


def in_parallel(
    deadline: Deadline,
    calls: Mapping[K, Callable[[], T]],
    *,
    max_parallel: int = MAX_PARALLEL_CALLS,
) -> Settled[K, T]:
    """Run each call on a pool of ``min(len(calls), max_parallel)`` threads until the
    deadline. A call not started when the budget is spent is never started."""
    if not calls:
        return Settled({}, {}, ())
    if deadline.expired:
        return Settled({}, {}, tuple(calls))

    def guarded(key: K, call: Callable[[], T]) -> T:
        if deadline.expired:  # queued behind slower calls until the budget was gone
            raise DeadlineExceededError(str(key))
        return call()

    pool = ThreadPoolExecutor(
        max_workers=min(len(calls), max_parallel), thread_name_prefix="budget-parallel"
    )
    try:
        futures: dict[Future[T], K] = {
            pool.submit(guarded, key, call): key for key, call in calls.items()
        }
        timeout = None if not deadline.bounded else deadline.remaining()
        done, _ = wait(futures, timeout=timeout, return_when=ALL_COMPLETED)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    results: dict[K, T] = {}
    failures: dict[K, Exception] = {}
    not_done: list[K] = []
    for future, key in futures.items():
        if future not in done or future.cancelled():
            not_done.append(key)
            continue
        error = future.exception()
        if isinstance(error, DeadlineExceededError):
            not_done.append(key)
        elif error is not None:
            if not isinstance(error, Exception):  # pragma: no cover - BaseException escapes
                raise error
            failures[key] = error
        else:
            results[key] = future.result()
    return Settled(results, failures, tuple(not_done))


__all__ = ["MAX_PARALLEL_CALLS", "Settled", "in_parallel", "within"]
