"""Per-shard checkpoints of one event source mapping, kept in one JSON file.

The file is rewritten atomically after every batch, so after a crash or a restart the
poller resumes right after the last record a successful (or partially successful) batch
covered: nothing is lost and nothing is delivered twice, except a batch that was
in flight when the process was killed (at-least-once, as on AWS).

    {"streamArn": "...", "initialized": true,
     "shards": {"shardId-…": {"sequenceNumber": "000…042", "finished": false}}}
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .state import read_json, write_json_atomic


@dataclass
class ShardCheckpoint:
    sequence_number: str | None = None  # last record handled; None = nothing yet
    finished: bool = False  # closed shard fully handled


class CheckpointFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream_arn: str | None = None
        self.initialized = False
        self.shards: dict[str, ShardCheckpoint] = {}
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        data: Any = read_json(self.path, {}) or {}
        self.stream_arn = data.get("streamArn")
        self.initialized = bool(data.get("initialized"))
        self.shards = {
            shard_id: ShardCheckpoint(v.get("sequenceNumber"), bool(v.get("finished")))
            for shard_id, v in (data.get("shards") or {}).items()
        }

    def reset(self, stream_arn: str) -> None:
        """Forget everything: the table (hence its stream) was recreated."""
        self.stream_arn = stream_arn
        self.initialized = False
        self.shards = {}

    def get(self, shard_id: str) -> ShardCheckpoint | None:
        return self.shards.get(shard_id)

    def advance(self, shard_id: str, sequence_number: str) -> None:
        self.shards.setdefault(shard_id, ShardCheckpoint()).sequence_number = sequence_number
        self.save()

    def finish(self, shard_id: str) -> None:
        self.shards.setdefault(shard_id, ShardCheckpoint()).finished = True
        self.save()

    def save(self) -> None:
        # Shard tasks of one mapping share this file; serialise the snapshots.
        with self._lock:
            write_json_atomic(self.path, {
                "streamArn": self.stream_arn,
                "initialized": self.initialized,
                "shards": {
                    shard_id: {"sequenceNumber": c.sequence_number, "finished": c.finished}
                    for shard_id, c in sorted(self.shards.items())
                },
            })
