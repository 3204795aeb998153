"""Create the template's `AWS::DynamoDB::Table`s in the local store, and reconcile existing ones.

CloudFormation's table properties map almost 1:1 onto the CreateTable API; the exceptions
(TTL is a separate call, `StreamSpecification` has no `StreamEnabled`, tags, PITR, SSE)
are handled here. Existing tables are never dropped: data outlives template edits, and the
differences we cannot apply in place (key schema) are reported instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)

# Properties CreateTable accepts under the same name as CloudFormation.
_PASSTHROUGH = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "TableClass",
    "DeletionProtectionEnabled",
)


@dataclass(frozen=True)
class TableDefinition:
    """What the store needs to know about one template table."""

    logical_id: str
    table_name: str
    properties: Mapping[str, Any]


def create_table_request(table: TableDefinition) -> dict[str, Any]:
    """The CreateTable parameters for a template table (TTL is applied separately)."""
    props = table.properties
    request: dict[str, Any] = {"TableName": table.table_name}
    for key in _PASSTHROUGH:
        if key in props:
            request[key] = props[key]
    billing = request.setdefault("BillingMode", "PROVISIONED" if "ProvisionedThroughput" in props
                                 else "PAY_PER_REQUEST")
    if billing == "PROVISIONED":
        request.setdefault("ProvisionedThroughput", _DEFAULT_THROUGHPUT)
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [
            _index(gsi, billing) for gsi in props["GlobalSecondaryIndexes"]
        ]
    if props.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = [
            {k: v for k, v in lsi.items() if k in ("IndexName", "KeySchema", "Projection")}
            for lsi in props["LocalSecondaryIndexes"]
        ]
    stream = props.get("StreamSpecification")
    if stream and stream.get("StreamViewType"):
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    tags = props.get("Tags")
    if tags:
        request["Tags"] = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in tags]
    return request


_DEFAULT_THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def _index(gsi: Mapping[str, Any], billing: str) -> dict[str, Any]:
    index = {k: v for k, v in gsi.items() if k in ("IndexName", "KeySchema", "Projection")}
    if billing == "PROVISIONED":
        index["ProvisionedThroughput"] = gsi.get("ProvisionedThroughput", _DEFAULT_THROUGHPUT)
    return index


def ensure_tables(client: Any, tables: Iterable[TableDefinition]) -> list[str]:
    """Create missing tables and reconcile existing ones; returns human-readable notes.

    ``client`` is a boto3 ``dynamodb`` client for the local store.
    """
    notes: list[str] = []
    for table in tables:
        existing = _describe(client, table.table_name)
        if existing is None:
            client.create_table(**create_table_request(table))
            client.get_waiter("table_exists").wait(
                TableName=table.table_name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 150}
            )
            notes.append(f"created table {table.table_name} ({table.logical_id})")
        else:
            notes.extend(_reconcile(client, table, existing))
        notes.extend(_ensure_ttl(client, table))
    return notes


def _describe(client: Any, name: str) -> dict[str, Any] | None:
    try:
        table: dict[str, Any] = client.describe_table(TableName=name)["Table"]
        return table
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise


def _reconcile(client: Any, table: TableDefinition, existing: Mapping[str, Any]) -> list[str]:
    """Apply what UpdateTable can (new GSIs, a stream); report what it cannot."""
    wanted = create_table_request(table)
    notes: list[str] = []
    if _keys(wanted["KeySchema"]) != _keys(existing.get("KeySchema", [])):
        notes.append(
            f"WARNING: table {table.table_name} exists with another key schema than the "
            "template's; it is left as is (delete the state dir to recreate it)"
        )
        return notes
    have = {g["IndexName"] for g in existing.get("GlobalSecondaryIndexes", [])}
    for gsi in wanted.get("GlobalSecondaryIndexes", []):
        if gsi["IndexName"] in have:
            continue
        # DynamoDB allows one GSI creation per UpdateTable call.
        client.update_table(
            TableName=table.table_name,
            AttributeDefinitions=wanted["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": gsi}],
        )
        client.get_waiter("table_exists").wait(TableName=table.table_name)
        notes.append(f"added index {gsi['IndexName']} to {table.table_name}")
    stream = wanted.get("StreamSpecification")
    current = existing.get("StreamSpecification") or {}
    if stream and not current.get("StreamEnabled"):
        client.update_table(TableName=table.table_name, StreamSpecification=stream)
        notes.append(f"enabled the {stream['StreamViewType']} stream on {table.table_name}")
    elif stream and current.get("StreamViewType") != stream["StreamViewType"]:
        notes.append(
            f"WARNING: {table.table_name} has a {current.get('StreamViewType')} stream, the "
            f"template asks for {stream['StreamViewType']}; left as is"
        )
    return notes


def _keys(schema: Iterable[Mapping[str, str]]) -> list[tuple[str, str]]:
    return sorted((k["AttributeName"], k["KeyType"]) for k in schema)


def _ensure_ttl(client: Any, table: TableDefinition) -> list[str]:
    spec = table.properties.get("TimeToLiveSpecification")
    if not spec or not spec.get("Enabled") or not spec.get("AttributeName"):
        return []
    current = client.describe_time_to_live(TableName=table.table_name).get(
        "TimeToLiveDescription", {}
    )
    if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and current.get(
        "AttributeName"
    ) == spec["AttributeName"]:
        return []
    client.update_time_to_live(
        TableName=table.table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": spec["AttributeName"]},
    )
    return [f"enabled TTL on {table.table_name}.{spec['AttributeName']}"]
