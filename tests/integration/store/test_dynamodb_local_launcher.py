"""appsync_local.dynamodb_local: loopback only, persistence, clean stop, clear failures."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import boto3
import pytest

from appsync_local.dynamodb_local import DynamoDBLocal, DynamoDBLocalError, missing_requirements

from .conftest import JAR_DIR

pytestmark = pytest.mark.dynamodb_local


@pytest.fixture(autouse=True)
def _needs_dynamodb_local() -> None:
    reason = missing_requirements(JAR_DIR)
    if reason is not None:
        pytest.skip(f"DynamoDB Local unavailable: {reason}")


def client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="eu-west-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
    )


def non_loopback_address() -> str | None:
    # The address this host would use to reach the outside (no packet is sent for UDP connect).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else str(address)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_listens_on_loopback_only_and_stops_without_a_trace(
    dynamodb_local_server: DynamoDBLocal,
) -> None:
    server = dynamodb_local_server
    assert server.endpoint == f"http://127.0.0.1:{server.port}"
    assert "TableNames" in client(server.endpoint).list_tables()

    other = non_loopback_address()
    if other is None:
        pytest.skip("this host has no non-loopback IPv4 address to probe")
    with pytest.raises(OSError), socket.create_connection((other, server.port), timeout=2):
        pass


def test_data_dir_persists_across_restarts_and_stop_reaps_java(tmp_path: Path) -> None:
    data = tmp_path / "db"
    with DynamoDBLocal(JAR_DIR, data_dir=data) as first:
        client(first.endpoint).create_table(
            TableName="kept",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        )
        pid = first._proc.pid  # type: ignore[union-attr]
    assert not first.running
    assert not alive(pid)

    # Another process, another port, another region and key: -sharedDb sees the same tables
    with DynamoDBLocal(JAR_DIR, data_dir=data) as second:
        assert client(second.endpoint).list_tables()["TableNames"] == ["kept"]
    assert any(data.iterdir())


def test_taken_port_fails_fast_with_the_reason() -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        server = DynamoDBLocal(JAR_DIR, port=port, startup_timeout=30)
        with pytest.raises(DynamoDBLocalError, match=r"(?i)bind|address"):
            server.start()
    assert not server.running


def test_missing_jar_is_explained(tmp_path: Path) -> None:
    with pytest.raises(DynamoDBLocalError, match="make dynamodb-local"):
        DynamoDBLocal(tmp_path).start()
