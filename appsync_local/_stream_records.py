"""Turn DynamoDB Streams `GetRecords` records (as boto3 parses them) into Lambda event records.

boto3 deserialises two things the Lambda event carries in wire form: timestamps become
`datetime` (Lambda sends epoch seconds) and binary attributes become `bytes` (Lambda
sends base64 strings). Everything else is passed through as the store reported it,
including `awsRegion` and the stream ARN.

`keep_wire_form` spares that round trip: GetRecords' JSON already is the event's form, so
the records are taken from the response body as they are (a response marked `WIRE`)
instead of being parsed into Python types and converted back. At ~30 stream records per
chat message, botocore's parsing was a fifth of the runtime process's CPU.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

# Key of a GetRecords response whose "Records" kept their wire (= Lambda event) form.
WIRE = "AppSyncLocalWireRecords"

_RECORD_KEYS = ("eventID", "eventName", "eventVersion", "eventSource", "awsRegion")
_DYNAMODB_KEYS = (
    "ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SequenceNumber",
    "SizeBytes", "StreamViewType",
)


def keep_wire_form(streams_client: Any) -> None:
    """Make `streams_client.get_records` return its records in wire form (marked `WIRE`).

    Uses botocore's ``before-parse`` event: the body's records are kept as sent and the
    parser gets an empty object. Anything unexpected (an error status, a body that is not
    a JSON object with a Records list) is left to botocore's own parsing.
    """
    service = streams_client.meta.service_model.service_id.hyphenize()
    streams_client.meta.events.register(f"before-parse.{service}.GetRecords", _wire_records)


def _wire_records(response_dict: dict[str, Any], customized_response_dict: dict[str, Any],
                  **_kwargs: Any) -> None:
    if int(response_dict.get("status_code") or 500) >= 300:
        return
    try:
        body = json.loads(response_dict.get("body") or b"")
    except (TypeError, ValueError):
        return
    if not isinstance(body, dict) or not isinstance(body.get("Records"), list):
        return
    customized_response_dict["Records"] = body["Records"]
    if body.get("NextShardIterator") is not None:
        customized_response_dict["NextShardIterator"] = body["NextShardIterator"]
    customized_response_dict[WIRE] = True
    response_dict["body"] = b"{}"


def lambda_record(record: Mapping[str, Any], stream_arn: str, *,
                  wire: bool = False) -> dict[str, Any]:
    """One `Records[]` entry of the Lambda DynamoDB stream event.

    ``wire``: `record` comes from a `WIRE` response (attribute values already in wire form).
    """
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
        elif key in ("Keys", "NewImage", "OldImage") and not wire:
            value = {name: _wire(attr) for name, attr in value.items()}
        ddb[key] = value
    out["dynamodb"] = ddb
    out["eventSourceARN"] = stream_arn
    if "userIdentity" in record:  # TTL deletions: {"type": "Service", "principalId": ...}
        out["userIdentity"] = dict(record["userIdentity"])
    return out


def _epoch(value: Any) -> int | float:
    """Epoch seconds, whole ones as an int (a datetime from boto3, a number on the wire)."""
    ts = value.timestamp() if isinstance(value, dt.datetime) else value
    if isinstance(ts, float) and ts.is_integer():
        return int(ts)
    return ts


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
