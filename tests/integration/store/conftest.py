"""Backends for the store contract suite.

Every test in test_store_contract.py runs once per backend:

* ``moto``: the DynamoDB adapter against moto's in-process DynamoDB (always);
* ``dynamodb_local``: the DynamoDB adapter against Amazon DynamoDB Local (marker
  ``dynamodb_local``; skipped with the reason when Java or the jar is missing);
* ``fakes``: tests/fakes.py's ``InMemoryStore``, which the service unit tests rely on.

To add a backend, add a ``_<name>_backend`` context manager and list it in ``BACKENDS``.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from positive_chat.adapters.dynamodb import (
    DynamoAnalyticsRepository,
    DynamoMessageRepository,
    DynamoProfileRepository,
    DynamoRoomRepository,
    DynamoStatsRepository,
    DynamoTranslationCache,
    create_table,
)
from positive_chat.bootstrap import Store

from appsync_local.dynamodb_local import DynamoDBLocal, missing_requirements

ROOT = Path(__file__).resolve().parents[3]
JAR_DIR = ROOT / ".cache" / "dynamodb-local"
TOMBSTONE_TTL_SECONDS = 7 * 86400
CACHE_TTL_SECONDS = 3600


class FakeClock:
    """Epoch seconds for the translation cache's expiry."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Backend:
    name: str
    store: Store
    clock: FakeClock
    # DynamoDB backends only: the raw client and table for item-level checks.
    client: Any = None
    table: str | None = None

    @property
    def is_dynamodb(self) -> bool:
        return self.client is not None


def _dynamo_backend(name: str, client: Any) -> Iterator[Backend]:
    table = f"contract-{uuid.uuid4().hex[:12]}"
    create_table(client, table)
    clock = FakeClock()
    store = Store(
        rooms=DynamoRoomRepository(client, table),
        messages=DynamoMessageRepository(
            client, table, tombstone_ttl_seconds=TOMBSTONE_TTL_SECONDS
        ),
        stats=DynamoStatsRepository(client, table),
        profiles=DynamoProfileRepository(client, table),
        translations=DynamoTranslationCache(
            client, table, ttl_seconds=CACHE_TTL_SECONDS, clock=clock
        ),
        analytics=DynamoAnalyticsRepository(client, table),
    )
    try:
        yield Backend(name, store, clock, client, table)
    finally:
        with contextlib.suppress(Exception):
            client.delete_table(TableName=table)


def _serialise_requests(client: Any) -> None:
    """moto's DynamoDB backend is not thread-safe (transact_write_items snapshots whole
    tables and restores them on failure, racing with other threads' writes), so the moto
    client sends one request at a time. Each request stays atomic, as on DynamoDB; real
    concurrency is exercised against DynamoDB Local."""
    lock = threading.RLock()

    def acquire(**_: Any) -> None:
        lock.acquire()

    def release(**_: Any) -> None:
        lock.release()

    client.meta.events.register("before-call.dynamodb", acquire)
    client.meta.events.register("after-call.dynamodb", release)
    client.meta.events.register("after-call-error.dynamodb", release)


@contextlib.contextmanager
def _moto_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    from moto import mock_aws

    monkeypatch = request.getfixturevalue("monkeypatch")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        # moto routes stream calls only without the account-id endpoint prefix.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _serialise_requests(client)
        yield from _dynamo_backend("moto", client)


@contextlib.contextmanager
def _dynamodb_local_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    server: DynamoDBLocal = request.getfixturevalue("dynamodb_local_server")
    client = boto3.client(
        "dynamodb",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=32),
    )
    yield from _dynamo_backend("dynamodb_local", client)


@contextlib.contextmanager
def _fakes_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    fakes = pytest.importorskip("tests.fakes", reason="tests/fakes.py is not there")
    memory = fakes.InMemoryStore()
    yield Backend("fakes", Store(memory, memory, memory, memory, memory, memory), FakeClock())


BACKENDS: dict[
    str, Callable[[pytest.FixtureRequest], contextlib.AbstractContextManager[Backend]]
] = {
    "moto": _moto_backend,
    "dynamodb_local": _dynamodb_local_backend,
    "fakes": _fakes_backend,
}


@pytest.fixture(scope="session")
def dynamodb_local_server() -> Iterator[DynamoDBLocal]:
    """One DynamoDB Local for the session (it takes ~3 s to start); tables are per test."""
    reason = missing_requirements(JAR_DIR)
    if reason is not None:
        pytest.skip(f"DynamoDB Local unavailable: {reason}")
    with DynamoDBLocal(JAR_DIR) as server:
        yield server


_MOTO = "moto"
_LOCAL = pytest.param("dynamodb_local", marks=pytest.mark.dynamodb_local)


@pytest.fixture(params=[_MOTO, _LOCAL, "fakes"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    with BACKENDS[request.param](request) as b:
        yield b


@pytest.fixture
def store(backend: Backend) -> Store:
    return backend.store


@pytest.fixture(params=[_MOTO, _LOCAL])
def dynamo(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """A DynamoDB backend, for checks of the items themselves (the fakes have none)."""
    with BACKENDS[request.param](request) as b:
        yield b
