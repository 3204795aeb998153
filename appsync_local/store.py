"""The local DynamoDB: Amazon's DynamoDB Local when Java and the jar exist, else moto in memory.

The fallback is deliberate and loud: moto keeps nothing on disk, so a developer who loses
a day of test data must have been told. When DynamoDB Local is present but fails to
start we stop instead of falling back, because its data directory holds data that an
in-memory store would silently hide.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ._moto import MotoServer

logger = logging.getLogger(__name__)

JAVA_INSTALL_HINT = "sudo apt-get install -y default-jre-headless   (macOS: brew install openjdk@17)"
JAR_FETCH_HINT = "make dynamodb-local"

IN_MEMORY_BANNER = """
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  IN-MEMORY STORE (moto): NOTHING WILL PERSIST. Every table, item and stream  !!
!!  record is lost when this process stops.                                      !!
!!  Reason: {reason:<73}!!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"""


class Store(Protocol):
    @property
    def endpoint(self) -> str: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class StoreInfo:
    endpoint: str
    persistent: bool
    description: str


def dynamodb_local_problem(jar_dir: Path) -> str | None:
    """Why DynamoDB Local cannot start here (with the fix), or None when it can."""
    if shutil.which("java") is None:
        return (
            "Java was not found, and DynamoDB Local needs a Java runtime (17+). "
            f"Install it with: {JAVA_INSTALL_HINT}"
        )
    if not (jar_dir / "DynamoDBLocal.jar").is_file():
        return (
            f"DynamoDB Local is not installed in {jar_dir} (no DynamoDBLocal.jar). "
            f"Fetch it with: {JAR_FETCH_HINT}"
        )
    return None


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
    reason = "--in-memory was given" if in_memory else dynamodb_local_problem(jar_dir)
    if reason is None:
        # Imported here: the launcher module is only needed (and only exists) with Java.
        from .dynamodb_local import DynamoDBLocal

        data_dir.mkdir(parents=True, exist_ok=True)
        ddb = DynamoDBLocal(jar_dir, data_dir, None)
        ddb.start()
        return ddb, StoreInfo(ddb.endpoint, True, f"DynamoDB Local (data in {data_dir})")
    if not in_memory:
        logger.error("%s", reason)
    logger.warning(IN_MEMORY_BANNER.format(reason=_short(reason)))
    store = _MotoStore()
    return store, StoreInfo(store.endpoint, False, "moto in-memory DynamoDB (NOT PERSISTED)")


def _short(reason: str) -> str:
    return reason if len(reason) <= 73 else reason[:70] + "..."
