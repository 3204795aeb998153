"""Turn DynamoDB Streams `GetRecords` records (as boto3 parses them) into Lambda event records.

boto3 deserialises two things the Lambda event carries in wire form: timestamps become
`datetime` (Lambda sends epoch seconds) and binary attributes become `bytes` (Lambda
sends base64 strings). Everything else is passed through as the store reported it,
including `awsRegion` and the stream ARN.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from typing import Any

_RECORD_KEYS = ("eventID", "eventName", "eventVersion", "eventSource", "awsRegion")
_DYNAMODB_KEYS = (
    "ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SequenceNumber",
    "SizeBytes", "StreamViewType",
)


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """One `Records[]` entry of the Lambda DynamoDB stream event."""
    out: dict[str, Any] = {k: record[k] for k in _RECORD_KEYS if k in record}
    out.setdefault("eventSource", "aws:dynamodb")
    source = record.get("dynamodb", {})
    ddb: dict[str, Any] = {}
    for key in _DYNAMODB_KEYS:
        if key not in source:
            continue
        value = source[key]
        if key == "ApproximateCreationDateTime":
            value = _epoch(value)
        elif key in ("Keys", "NewImage", "OldImage"):
            value = {name: _wire(attr) for name, attr in value.items()}
        ddb[key] = value
    out["dynamodb"] = ddb
    out["eventSourceARN"] = stream_arn
    if "userIdentity" in record:  # TTL deletions: {"type": "Service", "principalId": ...}
        out["userIdentity"] = dict(record["userIdentity"])
    return out


def _epoch(value: Any) -> int | float:
    if isinstance(value, dt.datetime):
        ts = value.timestamp()
        return int(ts) if ts == int(ts) else ts
    return value  # type: ignore[no-any-return]


def _wire(attr: Mapping[str, Any]) -> dict[str, Any]:
    """An AttributeValue with binaries base64-encoded again, recursively."""
    (kind, value), = attr.items()
    if kind == "B":
        return {"B": _b64(value)}
    if kind == "BS":
        return {"BS": [_b64(v) for v in value]}
    if kind == "M":
        return {"M": {k: _wire(v) for k, v in value.items()}}
    if kind == "L":
        return {"L": [_wire(v) for v in value]}
    return {kind: value}


def _b64(value: bytes | str) -> str:
    return value if isinstance(value, str) else base64.b64encode(value).decode("ascii")


def sequence_number(record: Mapping[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])
