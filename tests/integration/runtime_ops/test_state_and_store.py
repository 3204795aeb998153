"""State directory (lock, stable secrets, atomic files), the store choice, template tables."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest

from appsync_local.state import StateDir, StateDirBusyError, write_json_atomic
from appsync_local.store import start_store
from appsync_local.tables import TableDefinition, create_table_request, ensure_tables

from .conftest import JAR_DIR, aws_clients


def test_secrets_are_generated_once_and_private(tmp_path: Path) -> None:
    first = StateDir(tmp_path).load_or_create_secrets()
    again = StateDir(tmp_path).load_or_create_secrets()
    assert first == again
    assert first.api_key.startswith("da2-") and len(first.api_key) == 30
    assert first.access_key_id.startswith("AKIA") and len(first.access_key_id) == 20
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0


def test_one_runtime_per_state_dir(tmp_path: Path) -> None:
    holder = StateDir(tmp_path)
    holder.acquire()
    try:
        with pytest.raises(StateDirBusyError):
            StateDir(tmp_path).acquire()
    finally:
        holder.release()
    StateDir(tmp_path).acquire()  # free again once released


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    write_json_atomic(target, {"a": 1})
    write_json_atomic(target, {"a": 2})
    assert target.read_text().strip().replace(" ", "").replace("\n", "") == '{"a":2}'
    assert os.listdir(tmp_path) == ["x.json"]


def test_missing_jar_falls_back_to_memory_loudly(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    store, info = start_store(tmp_path / "no-jar-here", tmp_path / "data", in_memory=False)
    try:
        assert not info.persistent
        text = caplog.text
        assert "NOTHING WILL PERSIST" in text and "make dynamodb-local" in text
        dynamodb, _ = aws_clients(info.endpoint)
        assert "TableNames" in dynamodb.list_tables()
    finally:
        store.stop()


def test_missing_java_names_the_install_command(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on this PATH
    caplog.set_level(logging.WARNING)
    store, info = start_store(JAR_DIR, tmp_path / "data", in_memory=False)
    store.stop()
    assert not info.persistent
    assert "apt-get install -y default-jre-headless" in caplog.text


TABLE = TableDefinition("Things", "things-table", {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                             {"AttributeName": "sk", "AttributeType": "S"},
                             {"AttributeName": "g1", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [{"IndexName": "byG1", "KeySchema": [
        {"AttributeName": "g1", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
    "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
    "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
})


def test_create_table_request_maps_cloudformation_properties() -> None:
    request = create_table_request(TABLE)
    assert request["TableName"] == "things-table"
    assert request["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert request["GlobalSecondaryIndexes"][0]["IndexName"] == "byG1"
    assert "PointInTimeRecoverySpecification" not in request
    assert "TimeToLiveSpecification" not in request  # a separate API call


@pytest.mark.dynamodb_local
def test_tables_are_created_once_then_reconciled(ddb_local: Any) -> None:
    dynamodb, _ = aws_clients(ddb_local.endpoint)
    notes = ensure_tables(dynamodb, [TABLE])
    assert notes[0].startswith("created table things-table")
    table = dynamodb.describe_table(TableName="things-table")["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["byG1"]
    ttl = dynamodb.describe_time_to_live(TableName="things-table")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"
    # A later template adds an index: it is added in place; data is never dropped
    dynamodb.put_item(TableName="things-table", Item={"pk": {"S": "p"}, "sk": {"S": "s"}})
    props = dict(TABLE.properties)
    props["AttributeDefinitions"] = [*props["AttributeDefinitions"],
                                     {"AttributeName": "g2", "AttributeType": "S"}]
    props["GlobalSecondaryIndexes"] = [*props["GlobalSecondaryIndexes"], {
        "IndexName": "byG2", "KeySchema": [{"AttributeName": "g2", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    notes = ensure_tables(dynamodb, [TableDefinition("Things", "things-table", props)])
    assert notes == ["added index byG2 to things-table"]
    assert dynamodb.scan(TableName="things-table")["Count"] == 1
    assert ensure_tables(dynamodb, [TableDefinition("Things", "things-table", props)]) == []
