"""Event source mapping emulation for DynamoDB streams: what Lambda's poller does on AWS.

For each function `Events` entry of Type DynamoDB: find the table's stream, read every
shard (a child shard only after its parent is drained, as Lambda guarantees order across
a split), batch by BatchSize / MaximumBatchingWindowInSeconds, invoke the function with
the exact Lambda event, honour ReportBatchItemFailures, MaximumRetryAttempts and
BisectBatchOnFunctionError, and checkpoint every shard on disk
(``{state}/streams/{Function}.{Event}.json``).

Restarts: DynamoDB Local keeps its streams in its data directory; stream ARNs and shard
ids survive a restart (verified with DynamoDB Local 1.25.1), so the poller resumes right
after the checkpoint. If the table was recreated (new stream ARN) the checkpoints of the
old stream are dropped and the new stream is read from StartingPosition. If shard ids
change under the same stream, the records already handled are skipped by sequence number
(DynamoDB Local numbers records stream-wide) and a warning says so.

Not emulated: OnFailure destinations (dropped records are logged), MaximumRecordAgeInSeconds,
ParallelizationFactor > 1 (shards are processed one batch at a time), TumblingWindow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._checkpoints import CheckpointFile
from ._event_filter import RecordFilter
from ._shard_reader import Invoker, MappingSettings, ShardReader, _seq_int
from .api_model import StreamEventSpec

logger = logging.getLogger(__name__)

__all__ = ["EventSourceMapping", "Invoker", "MappingSettings", "StreamPollers",
           "settings_from_spec"]


def settings_from_spec(spec: StreamEventSpec, **timing: float) -> MappingSettings:
    """Mapping settings from a template event (``timing`` overrides the poll/retry delays)."""
    if spec.parallelization_factor > 1:
        logger.info("%s.%s: ParallelizationFactor %d is emulated as 1", spec.function_id,
                    spec.name, spec.parallelization_factor)
    return MappingSettings(
        name=f"{spec.function_id}.{spec.name}",
        function_id=spec.function_id,
        batch_size=max(1, min(int(spec.batch_size), 10_000)),
        batching_window_s=float(spec.maximum_batching_window_s),
        report_batch_item_failures="ReportBatchItemFailures" in spec.function_response_types,
        maximum_retry_attempts=int(spec.maximum_retry_attempts),
        bisect_on_error=bool(spec.bisect_batch_on_function_error),
        **timing,
    )


class EventSourceMapping:
    """One stream -> one function. ``start()`` positions it; it then runs until ``stop()``."""

    def __init__(
        self,
        settings: MappingSettings,
        table_name: str,
        *,
        dynamodb: Any,
        streams: Any,
        invoker: Invoker,
        checkpoint_path: Path,
        starting_position: str = "LATEST",
        filter_criteria: dict[str, Any] | None = None,
        discovery_interval_s: float = 1.0,
    ) -> None:
        self.settings = settings
        self.table_name = table_name
        self._dynamodb = dynamodb
        self._streams = streams
        self._invoker = invoker
        self._checkpoints = CheckpointFile(checkpoint_path)
        self._starting_position = starting_position.upper()
        self._filter = RecordFilter(filter_criteria)
        self._discovery_interval_s = discovery_interval_s
        self._stopping = asyncio.Event()
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._supervisor: asyncio.Task[None] | None = None
        self._guards: dict[str, int] = {}
        self.stream_arn: str | None = None

    async def start(self) -> None:
        """Find the stream, position new mappings (LATEST: after every existing record).

        Raises
        ------
        RuntimeError
            The table has no stream (StreamSpecification missing from the template).
        """
        table = await asyncio.to_thread(self._dynamodb.describe_table, TableName=self.table_name)
        arn = table["Table"].get("LatestStreamArn")
        if not arn:
            raise RuntimeError(f"{self.settings.name}: table {self.table_name} has no stream")
        self.stream_arn = arn
        cp = self._checkpoints
        if cp.stream_arn not in (None, arn):
            logger.warning("%s: %s has a new stream (table recreated); old checkpoints dropped",
                           self.settings.name, self.table_name)
            cp.reset(arn)
        cp.stream_arn = arn
        shards = await self._list_shards()
        if not cp.initialized:
            if self._starting_position == "LATEST":
                for shard in shards:
                    await self._skip_to_end(shard["ShardId"])
            cp.initialized = True
            cp.save()
        else:
            self._check_shard_ids(shards)
        self._supervisor = asyncio.create_task(self._supervise(), name=self.settings.name)

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Let in-flight batches finish (and checkpoint), then stop reading."""
        self._stopping.set()
        tasks = [t for t in (self._supervisor, *self._readers.values()) if t is not None]
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- shards --------------------------------------------------------------------

    async def _list_shards(self) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        params: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            desc = (await asyncio.to_thread(self._streams.describe_stream, **params))[
                "StreamDescription"]
            shards.extend(desc.get("Shards", []))
            last = desc.get("LastEvaluatedShardId")
            if not last:
                return shards
            params["ExclusiveStartShardId"] = last

    async def _skip_to_end(self, shard_id: str) -> None:
        """Checkpoint the shard's last record without invoking (StartingPosition LATEST).

        Done once, when the mapping is created, so that a restart later resumes from a
        durable position instead of from "whatever is latest then" (which would lose the
        records written while the runtime was down).
        """
        it = (await asyncio.to_thread(
            self._streams.get_shard_iterator, StreamArn=self.stream_arn, ShardId=shard_id,
            ShardIteratorType="TRIM_HORIZON"))["ShardIterator"]
        last: str | None = None
        while it:
            page = await asyncio.to_thread(self._streams.get_records, ShardIterator=it, Limit=1000)
            records = page.get("Records", [])
            if records:
                last = records[-1]["dynamodb"]["SequenceNumber"]
            it = page.get("NextShardIterator")
            if not records:
                break
        if it is None:
            self._checkpoints.finish(shard_id)
        if last:
            self._checkpoints.advance(shard_id, last)

    def _check_shard_ids(self, shards: list[dict[str, Any]]) -> None:
        listed = {s["ShardId"] for s in shards}
        vanished = {sid: c for sid, c in self._checkpoints.shards.items() if sid not in listed}
        unfinished = [c for c in vanished.values() if not c.finished and c.sequence_number]
        for sid in vanished:  # trimmed (24 h retention) or renamed: keep the file small
            del self._checkpoints.shards[sid]
        if not unfinished:
            return
        guard = max(_seq_int(c.sequence_number or "") for c in unfinished)
        for shard in shards:
            sid = shard["ShardId"]
            if sid not in self._checkpoints.shards and shard.get("ParentShardId") not in listed:
                self._guards[sid] = guard
        logger.warning(
            "%s: shard ids of %s changed since the last run; records up to sequence number "
            "%d are treated as already delivered", self.settings.name, self.table_name, guard)
        self._checkpoints.save()

    async def _supervise(self) -> None:
        """Start a reader per shard whose parent is done; rediscover shards periodically."""
        while not self._stopping.is_set():
            try:
                shards = await self._list_shards()
            except Exception:
                logger.exception("%s: describe_stream failed; retrying", self.settings.name)
                shards = []
            listed = {s["ShardId"] for s in shards}
            for shard in shards:
                self._maybe_start(shard, listed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._discovery_interval_s)

    def _maybe_start(self, shard: dict[str, Any], listed: set[str]) -> None:
        sid = shard["ShardId"]
        running = self._readers.get(sid)
        if running is not None and not running.done():
            return
        cp = self._checkpoints.get(sid)
        if cp is not None and cp.finished:
            return
        parent = shard.get("ParentShardId")
        parent_cp = self._checkpoints.get(parent) if parent else None
        if parent in listed and not (parent_cp and parent_cp.finished):
            return  # order across a split: the parent's records first
        reader = ShardReader(
            self.settings, sid, self.stream_arn or "", self._streams, self._invoker,
            self._checkpoints, self._stopping, accept=self._filter.matches_event,
            replay_guard=self._guards.get(sid),
        )
        self._readers[sid] = asyncio.create_task(self._run_reader(reader), name=f"shard:{sid}")

    async def _run_reader(self, reader: ShardReader) -> None:
        try:
            await reader.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            # The supervisor restarts the shard from its checkpoint on its next pass.
            logger.exception("%s: shard %s reader failed", self.settings.name, reader.shard_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.settings.retry_base_s)


class StreamPollers:
    """All the template's DynamoDB event source mappings."""

    def __init__(self, mappings: Iterable[EventSourceMapping]) -> None:
        self.mappings = list(mappings)

    async def start(self) -> None:
        started = []
        for mapping in self.mappings:
            try:
                await mapping.start()
            except RuntimeError as exc:  # e.g. the table has no stream: the API still serves
                logger.error("stream poller not started: %s", exc)
                continue
            started.append(mapping)
            logger.info("stream poller %s: %s -> %s", mapping.settings.name, mapping.table_name,
                        mapping.settings.function_id)
        self.mappings = started

    async def stop(self, timeout_s: float = 10.0) -> None:
        await asyncio.gather(*(m.stop(timeout_s) for m in self.mappings))

    @classmethod
    def from_specs(
        cls,
        specs: Iterable[StreamEventSpec],
        *,
        dynamodb: Any,
        streams: Any,
        invoker: Invoker,
        checkpoint_dir: Path,
        **timing: float,
    ) -> StreamPollers:
        mappings = []
        for spec in specs:
            if not spec.enabled:
                continue
            if not spec.table_name:
                logger.warning("%s.%s: stream %s does not name a template table; not polled",
                               spec.function_id, spec.name, spec.stream_arn)
                continue
            settings = settings_from_spec(spec, **timing)
            mappings.append(EventSourceMapping(
                settings, spec.table_name, dynamodb=dynamodb, streams=streams, invoker=invoker,
                checkpoint_path=checkpoint_dir / f"{settings.name}.json",
                starting_position=spec.starting_position, filter_criteria=spec.filter_criteria,
            ))
        return cls(mappings)
