"""Fixtures for the ops side of the runtime: real DynamoDB Local, real LambdaPool workers.

DynamoDB Local tests skip (with the reason and the fix) when Java or the jar is missing;
`make dynamodb-local` fetches the jar into .cache/dynamodb-local.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from appsync_local._stream_records import keep_wire_form
from appsync_local.api_model import FunctionSpec
from appsync_local.dynamodb_local import DynamoDBLocal, missing_requirements
from appsync_local.lambda_pool import LambdaPool

REPO = Path(__file__).resolve().parents[3]
JAR_DIR = REPO / ".cache" / "dynamodb-local"
HANDLERS = Path(__file__).resolve().parent / "handlers"
REGION = "us-east-1"
_names = itertools.count()


def require_dynamodb_local() -> None:
    reason = missing_requirements(JAR_DIR)
    if reason:
        pytest.skip(f"DynamoDB Local unavailable: {reason}")


def aws_clients(endpoint: str, *, wire: bool = True) -> tuple[Any, Any]:
    """DynamoDB and Streams clients; ``wire``: GetRecords as the runtime reads it."""
    kw = {"endpoint_url": endpoint, "region_name": REGION,
          "aws_access_key_id": "local", "aws_secret_access_key": "local"}
    streams = boto3.client("dynamodbstreams", **kw)
    if wire:
        keep_wire_form(streams)
    return boto3.client("dynamodb", **kw), streams


@pytest.fixture(scope="module")
def ddb_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DynamoDBLocal]:
    require_dynamodb_local()
    with DynamoDBLocal(JAR_DIR, data_dir=tmp_path_factory.mktemp("ddb")) as ddb:
        yield ddb


def create_stream_table(client: Any, view: str = "NEW_AND_OLD_IMAGES") -> str:
    name = f"probe-{next(_names)}"
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )
    return name


def put(client: Any, table: str, *keys: str, **attrs: str) -> None:
    for key in keys:
        item = {"pk": {"S": key}, **{k: {"S": v} for k, v in attrs.items()}}
        client.put_item(TableName=table, Item=item)


@dataclass
class Probe:
    """The probe handler's observable side: its invocation log and its control file."""

    log: Path
    control: Path

    def configure(self, **control: Any) -> None:
        self.control.write_text(json.dumps(control))

    def invocations(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]

    def batches(self) -> list[list[str]]:
        return [inv["keys"] for inv in self.invocations()]

    def delivered(self) -> list[str]:
        return [k for batch in self.batches() for k in batch]


@pytest.fixture
def probe(tmp_path: Path) -> Probe:
    return Probe(tmp_path / "probe.jsonl", tmp_path / "probe-control.json")


@pytest.fixture
async def lambda_pool(probe: Probe) -> AsyncIterator[LambdaPool]:
    spec = FunctionSpec(
        logical_id="ProbeFunction", function_name="probe",
        arn=f"arn:aws:lambda:{REGION}:000000000000:function:probe",
        code_uri=HANDLERS, handler="stream_probe.handler", runtime="python3.11",
        timeout_s=30,
        environment={"PROBE_LOG": str(probe.log), "PROBE_CONTROL": str(probe.control),
                     "AWS_REGION": REGION},
    )
    pool = LambdaPool({"ProbeFunction": spec}, workers_per_function=1, python=sys.executable)
    yield pool
    await pool.close()


async def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    """Poll until ``condition()``; fail with ``what`` if it never happens (not a timing test)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)
