"""Read one stream shard, batch its records, invoke the function, checkpoint (one task per shard).

Lambda processes the shards of a stream in parallel but each shard strictly in order, one
batch at a time; a failing batch blocks its shard until it succeeds, is partially
acknowledged (ReportBatchItemFailures), or exhausts MaximumRetryAttempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import ClientError

from ._batch_outcome import COMPLETE_FAILURE, first_failed_index
from ._checkpoints import CheckpointFile
from ._stream_records import WIRE, lambda_record, sequence_number

logger = logging.getLogger(__name__)

# DynamoDB Streams GetRecords returns at most 1000 records per call.
_MAX_GET_RECORDS = 1000


class Invoker(Protocol):
    async def invoke(self, function_id: str, event: Any) -> Any: ...


@dataclass(frozen=True)
class MappingSettings:
    """One event source mapping's behaviour (template values + local timing)."""

    name: str  # "{FunctionId}.{EventName}", for logs and the checkpoint file
    function_id: str
    batch_size: int = 100
    batching_window_s: float = 0.0
    report_batch_item_failures: bool = False
    maximum_retry_attempts: int = -1  # -1: retry until the record expires (AWS default)
    bisect_on_error: bool = False
    poll_interval_s: float = 0.25  # Lambda polls each shard about four times a second
    retry_base_s: float = 0.5
    retry_max_s: float = 30.0


class ShardReader:
    def __init__(
        self,
        settings: MappingSettings,
        shard_id: str,
        stream_arn: str,
        streams: Any,
        invoker: Invoker,
        checkpoints: CheckpointFile,
        stopping: asyncio.Event,
        *,
        accept: Callable[[dict[str, Any]], bool] = lambda _r: True,
        replay_guard: int | None = None,
    ) -> None:
        """``accept``: the event source mapping's filter, on a record in Lambda event form."""
        self.s = settings
        self.shard_id = shard_id
        self.stream_arn = stream_arn
        self._streams = streams
        self._invoker = invoker
        self._checkpoints = checkpoints
        self._stopping = stopping
        self._accept = accept
        # Records up to this (stream-wide) sequence number were already handled under a
        # shard id that no longer exists (see streams.py, "shard ids changed").
        self._replay_guard = replay_guard
        self._buffer: list[dict[str, Any]] = []  # records in Lambda event form
        self._last_fetched: str | None = None
        self._iterator: str | None = None
        self._closed = False
        self._failures = 0
        self._limit = settings.batch_size

    async def run(self) -> None:
        """Process the shard until it is closed and drained, or the mapping stops."""
        checkpoint = self._checkpoints.get(self.shard_id)
        self._last_fetched = checkpoint.sequence_number if checkpoint else None
        self._iterator = await self._new_iterator()
        while not self._stopping.is_set():
            await self._fill()
            if self._stopping.is_set():
                return  # unhandled buffered records are re-read after a restart
            if not self._buffer:
                if self._closed:
                    self._checkpoints.finish(self.shard_id)
                    logger.debug("%s: shard %s finished", self.s.name, self.shard_id)
                    return
                continue
            await self._deliver(self._buffer[: self._limit])

    # -- reading -------------------------------------------------------------------

    async def _new_iterator(self, *, trim_horizon: bool = False) -> str | None:
        params: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": self.shard_id}
        if self._last_fetched and not trim_horizon:
            params.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                          SequenceNumber=self._last_fetched)
        else:
            params["ShardIteratorType"] = "TRIM_HORIZON"
        response = await asyncio.to_thread(self._streams.get_shard_iterator, **params)
        iterator: str | None = response.get("ShardIterator")
        return iterator

    async def _fill(self) -> None:
        """Read until a batch is due: full, window elapsed (0: any record), or shard end."""
        window_ends: float | None = None
        while self._iterator and not self._stopping.is_set():
            if len(self._buffer) >= self._limit:
                return
            got = await self._get_records()
            if self._buffer:
                if self.s.batching_window_s <= 0 or len(self._buffer) >= self._limit:
                    return
                window_ends = window_ends or time.monotonic() + self.s.batching_window_s
                if time.monotonic() >= window_ends:
                    return
            if not got:
                await self._sleep(self.s.poll_interval_s)
        if self._iterator is None:
            self._closed = True

    async def _get_records(self) -> int:
        """One GetRecords call into the buffer; returns how many records it returned."""
        try:
            response = await asyncio.to_thread(
                self._streams.get_records, ShardIterator=self._iterator, Limit=_MAX_GET_RECORDS
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "ExpiredIteratorException":
                self._iterator = await self._new_iterator()
                return 0
            if code == "TrimmedDataAccessException":
                logger.warning("%s: shard %s trimmed past the checkpoint; records were lost",
                               self.s.name, self.shard_id)
                self._iterator = await self._new_iterator(trim_horizon=True)
                return 0
            raise
        records = response.get("Records", [])
        self._iterator = response.get("NextShardIterator")
        wire = bool(response.get(WIRE))
        accepted = False
        for record in records:
            seq = sequence_number(record)
            self._last_fetched = seq
            if self._replay_guard is not None and _seq_int(seq) <= self._replay_guard:
                continue
            event_record = lambda_record(record, self.stream_arn, wire=wire)
            if self._accept(event_record):
                self._buffer.append(event_record)
                accepted = True
        if records and not accepted and not self._buffer:
            # Only filtered-out (or already handled) records: consume them durably.
            self._checkpoints.advance(self.shard_id, self._last_fetched or "")
        return len(records)

    # -- invoking ------------------------------------------------------------------

    async def _deliver(self, batch: list[dict[str, Any]]) -> None:
        seqs = [sequence_number(r) for r in batch]
        event = {"Records": batch}
        try:
            result = await self._invoker.invoke(self.s.function_id, event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("%s: batch of %d (from %s) failed: %s",
                           self.s.name, len(batch), seqs[0], exc)
            failed: int | None = COMPLETE_FAILURE
            whole = True
        else:
            failed = (first_failed_index(result, seqs)
                      if self.s.report_batch_item_failures else None)
            whole = False
        if failed is None:
            self._acknowledge(len(batch))
            self._failures, self._limit = 0, self.s.batch_size
            return
        if failed > 0:
            self._acknowledge(failed)  # the records before the first failure are done
            self._failures = 0
            batch = batch[failed:]
        await self._after_failure(batch, bisect=whole)

    def _acknowledge(self, count: int) -> None:
        done, self._buffer = self._buffer[:count], self._buffer[count:]
        # With nothing pending, also cover filtered records read after the batch.
        last = self._last_fetched if not self._buffer else sequence_number(done[-1])
        if last:
            self._checkpoints.advance(self.shard_id, last)

    async def _after_failure(self, batch: list[dict[str, Any]], *, bisect: bool) -> None:
        if bisect and self.s.bisect_on_error and len(batch) > 1:
            # Split and retry without counting an attempt, as Lambda does.
            self._limit = max(1, len(batch) // 2)
            return
        self._failures += 1
        retries = self.s.maximum_retry_attempts
        if 0 <= retries < self._failures:
            logger.warning(
                "%s: dropping %d record(s) %s..%s after %d attempt(s) (MaximumRetryAttempts=%d;"
                " no OnFailure destination locally)", self.s.name, len(batch),
                sequence_number(batch[0]), sequence_number(batch[-1]), self._failures, retries)
            self._acknowledge(len(batch))
            self._failures, self._limit = 0, self.s.batch_size
            return
        delay = min(self.s.retry_max_s, self.s.retry_base_s * 2 ** (self._failures - 1))
        await self._sleep(delay)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the mapping stops."""
        await _wait_or_timeout(self._stopping.wait(), seconds)


def _seq_int(seq: str) -> int:
    try:
        return int(seq)
    except ValueError:
        return -1


async def _wait_or_timeout(awaitable: Awaitable[Any], seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(awaitable, timeout=seconds)
