"""The local DynamoDB: Amazon's DynamoDB Local when Java and the jar exist, else moto in memory.

The fallback is deliberate and loud: moto keeps nothing on disk, so a developer who loses
a day of test data must have been told. When DynamoDB Local is present but fails to
start we stop instead of falling back, because its data directory holds data that an
in-memory store would silently hide.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ._moto import MotoServer
from .dynamodb_local import DynamoDBLocal, missing_requirements

logger = logging.getLogger(__name__)

IN_MEMORY_BANNER = """
{rule}
!!! WARNING: IN-MEMORY STORE (moto). NOTHING WILL PERSIST.
!!! Every table, item and stream record is lost when this process stops.
!!! Reason: {reason}
{rule}"""


class Store(Protocol):
    @property
    def endpoint(self) -> str: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class StoreInfo:
    endpoint: str
    persistent: bool
    description: str


class _MotoStore:
    def __init__(self) -> None:
        self._server = MotoServer()
        self._server.start()

    @property
    def endpoint(self) -> str:
        return self._server.endpoint

    def stop(self) -> None:
        self._server.stop()


def start_store(jar_dir: Path, data_dir: Path, *, in_memory: bool) -> tuple[Store, StoreInfo]:
    """Start the store; the caller stops it.

    Raises
    ------
    Exception
        Whatever the DynamoDB Local launcher raises when Java and the jar exist but it fails.
    """
    reason = "--in-memory was given" if in_memory else missing_requirements(jar_dir)
    if reason is None:
        # Started from the calling (main) thread: the launcher ties Java's life to it.
        ddb = DynamoDBLocal(jar_dir, data_dir=data_dir)
        ddb.start()
        return ddb, StoreInfo(ddb.endpoint, True, f"DynamoDB Local (data in {data_dir})")
    if not in_memory:
        logger.error("DynamoDB Local cannot start: %s", reason)
    logger.warning(IN_MEMORY_BANNER.format(reason=reason, rule="!" * 78))
    store = _MotoStore()
    return store, StoreInfo(store.endpoint, False, "moto in-memory DynamoDB (NOT PERSISTED)")
