"""Seeded volumes on DynamoDB Local for the analytics checks.

* ``small``: 3,000 messages, 5 rooms, 30 days (default run);
* ``large``: 50,000 messages, 20 rooms, 90 days (tests marked ``slow``: ``make soak``).

Each volume is seeded once per module through the repositories (tools/seed_messages.py),
queried through the services with a metered client, and its measurements are written to
``analytics-<messages>.json`` when the module is done (figures, not timed assertions). The
directory is ``$PCHAT_BENCH_RESULTS`` when set (``make bench`` and ``make soak`` set it to
``bench/results``, which the benchmark report folds in), else the untracked
``.cache/bench-results``: an ordinary test run never rewrites tracked files.
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from positive_chat.adapters.dynamodb import create_table
from positive_chat.bootstrap import Nlp, Services, build_services

from appsync_local.dynamodb_local import DynamoDBLocal, missing_requirements
from tests.fakes import CapitalisedTopics, RecordingTranslator, ScriptedDetector, ScriptedSentiment
from tools.seed_messages import SeedConfig, SeedPlan, SeedReport, dynamodb_store, seed

from ._meter import Meter, summarise
from ._truth import Truth

ROOT = Path(__file__).resolve().parents[3]
JAR_DIR = ROOT / ".cache" / "dynamodb-local"
SMALL = SeedConfig(rooms=5, days=30, messages=3_000, seed=7)
LARGE = SeedConfig(rooms=20, days=90, messages=50_000, seed=42)
# DynamoDB Local serialises transactions, so more writers only add conflicts; on AWS the
# seeder's default (16) applies.
SEED_WORKERS = 4


@dataclass
class Volume:
    label: str
    plan: SeedPlan
    report: SeedReport
    truth: Truth
    services: Services
    meter: Meter
    client: Any
    table: str


@pytest.fixture(scope="session")
def dynamodb_local_server() -> Iterator[DynamoDBLocal]:
    reason = missing_requirements(JAR_DIR)
    if reason is not None:
        pytest.skip(f"DynamoDB Local unavailable: {reason}")
    with DynamoDBLocal(JAR_DIR) as server:
        yield server


def _client(server: DynamoDBLocal) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(
            retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=SEED_WORKERS + 4
        ),
    )


def _volume(server: DynamoDBLocal, config: SeedConfig) -> Iterator[Volume]:
    label = str(config.messages)
    table = f"analytics-{label}-{uuid.uuid4().hex[:8]}"
    seeding = _client(server)
    create_table(seeding, table)
    report = seed(dynamodb_store(seeding, table), config, workers=SEED_WORKERS)
    # Queries use their own client: only they are metered.
    querying = _client(server)
    meter = Meter(querying)
    nlp = Nlp(ScriptedDetector(), ScriptedSentiment(), CapitalisedTopics(), RecordingTranslator())
    services = build_services(dynamodb_store(querying, table), nlp)
    volume = Volume(
        label, report.plan, report, Truth(report.plan), services, meter, querying, table
    )
    yield volume
    _write_results(volume)
    seeding.delete_table(TableName=table)


def _write_results(volume: Volume) -> None:
    if not volume.meter.records:
        return
    results = Path(os.environ.get("PCHAT_BENCH_RESULTS") or ROOT / ".cache" / "bench-results")
    results.mkdir(parents=True, exist_ok=True)
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": "DynamoDB Local (in-memory), one table, eventually consistent reads",
        "host": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "seeding": volume.report.summary(),
        "summary": summarise(volume.meter.records),
        "queries": volume.meter.records,
    }
    path = results / f"analytics-{volume.label}.json"
    path.write_text(json.dumps(document, indent=1, default=str) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def small(dynamodb_local_server: DynamoDBLocal) -> Iterator[Volume]:
    yield from _volume(dynamodb_local_server, SMALL)


@pytest.fixture(scope="module")
def large(dynamodb_local_server: DynamoDBLocal) -> Iterator[Volume]:
    yield from _volume(dynamodb_local_server, LARGE)
