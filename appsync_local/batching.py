"""Direct Lambda batching (``MaxBatchSize`` > 0, reference 5.2).

Calls for the same resolver within one request are collected while graphql-core
schedules sibling fields, then sent as one list event per ``max_size`` chunk; the
handler must return a list of the same length and order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import ResolverError
from .lambda_pool import UNHANDLED, LambdaInvokeError

logger = logging.getLogger(__name__)
_SETTLE_TICKS = 3  # loop iterations without new calls before a batch is sent
_ITEM_ERROR_KEYS = frozenset({"data", "errorMessage", "errorType", "errorInfo"})

Invoke = Callable[[str, Any], Awaitable[Any]]


class BatchLoader:
    def __init__(self, invoke: Invoke, function_id: str, max_size: int) -> None:
        self._invoke = invoke
        self._function_id = function_id
        self._max = max_size
        self._queue: list[tuple[dict[str, Any], asyncio.Future[Any]]] = []
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    def load(self, event: dict[str, Any]) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._queue.append((event, fut))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._tick, 0, len(self._queue))
        return fut

    def _tick(self, quiet: int, seen: int) -> None:
        loop = asyncio.get_running_loop()
        # graphql-core starts sibling resolvers over several loop iterations; wait until
        # the queue stops growing so one list event covers them all.
        if len(self._queue) != seen:
            loop.call_soon(self._tick, 0, len(self._queue))
            return
        if quiet < _SETTLE_TICKS:
            loop.call_soon(self._tick, quiet + 1, seen)
            return
        queue, self._queue, self._scheduled = self._queue, [], False
        for i in range(0, len(queue), self._max):
            task = loop.create_task(self._dispatch(queue[i:i + self._max]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, chunk: list[tuple[dict[str, Any], asyncio.Future[Any]]]) -> None:
        try:
            results = await self._invoke(self._function_id, [e for e, _ in chunk])
        except LambdaInvokeError as exc:
            _fail_all(chunk, ResolverError(exc.message, exc.error_type))
            return
        except Exception as exc:
            logger.exception("batch invocation of %s failed", self._function_id)
            _fail_all(chunk, ResolverError(str(exc), UNHANDLED))
            return
        if not isinstance(results, list) or len(results) != len(chunk):
            got = len(results) if isinstance(results, list) else type(results).__name__
            _fail_all(chunk, ResolverError(
                f"Batch response must be a list of {len(chunk)} results (got {got})",
                UNHANDLED))
            return
        for (_, fut), item in zip(chunk, results, strict=True):
            if fut.done():
                continue
            if (isinstance(item, dict) and "errorMessage" in item
                    and item.keys() <= _ITEM_ERROR_KEYS):
                # Per-item error convention of BatchInvoke (reference 5.2).
                fut.set_exception(ResolverError(str(item["errorMessage"]), item.get("errorType"),
                                                data=item.get("data"),
                                                error_info=item.get("errorInfo")))
            else:
                fut.set_result(item)


def _fail_all(chunk: list[tuple[dict[str, Any], asyncio.Future[Any]]],
              error: ResolverError) -> None:
    for _, fut in chunk:
        if not fut.done():
            fut.set_exception(error)
