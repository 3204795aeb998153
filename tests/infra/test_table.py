"""The template's table equals the adapter's TABLE_DEFINITION; the stream mapping is safe."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import pytest

from tests.infra import _template

TABLE_MODULE = "positive_chat.adapters.dynamodb.table"


def _table() -> dict[str, Any]:
    (table,) = _template.resources("AWS::DynamoDB::Table").values()
    return table["Properties"]  # type: ignore[no-any-return]


def _normalise(definition: dict[str, Any]) -> dict[str, Any]:
    """The parts both sides must agree on, in a comparable form."""

    def keys(schema: list[dict[str, str]]) -> tuple[tuple[str, str], ...]:
        return tuple((k["AttributeName"], k["KeyType"]) for k in schema)

    def indexes(name: str) -> dict[str, Any]:
        return {
            i["IndexName"]: (
                keys(i["KeySchema"]),
                i["Projection"]["ProjectionType"],
                tuple(sorted(i["Projection"].get("NonKeyAttributes", []))),
            )
            for i in definition.get(name, [])
        }

    result = {
        "KeySchema": keys(definition["KeySchema"]),
        "AttributeDefinitions": sorted(
            (a["AttributeName"], a["AttributeType"]) for a in definition["AttributeDefinitions"]
        ),
        "GlobalSecondaryIndexes": indexes("GlobalSecondaryIndexes"),
        "LocalSecondaryIndexes": indexes("LocalSecondaryIndexes"),
    }
    if "BillingMode" in definition:
        result["BillingMode"] = definition["BillingMode"]
    stream = definition.get("StreamSpecification")
    if stream is not None:
        result["StreamViewType"] = stream.get("StreamViewType")
    return result


def test_table_matches_the_adapters_definition() -> None:
    if importlib.util.find_spec(TABLE_MODULE) is None:
        pytest.skip(f"{TABLE_MODULE} does not exist yet")
    module = importlib.import_module(TABLE_MODULE)
    definition = module.TABLE_DEFINITION
    assert "KeySchema" in definition and "AttributeDefinitions" in definition, (
        "TABLE_DEFINITION must hold CreateTable arguments (KeySchema, AttributeDefinitions, ...)"
    )
    template_side = _normalise(_table())
    adapter_side = _normalise(definition)
    # Keys the adapter does not state (e.g. no BillingMode) are not compared.
    for key in ("BillingMode", "StreamViewType"):
        if key not in adapter_side:
            template_side.pop(key, None)
    assert template_side == adapter_side
    ttl = getattr(module, "TTL_ATTRIBUTE", None) or definition.get(
        "TimeToLiveSpecification", {}
    ).get("AttributeName")
    if ttl is not None:
        assert _table()["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}


def test_table_is_built_for_production() -> None:
    table = _table()
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionProtectionEnabled"] == {"Fn::If": ["ProtectData", True, False]}
    assert table["TimeToLiveSpecification"]["Enabled"] is True


def test_stream_mapping_reports_partial_failures_and_has_a_dead_letter_path() -> None:
    (event,) = [
        e
        for f in _template.functions().values()
        for e in f["Properties"].get("Events", {}).values()
        if e["Type"] == "DynamoDB"
    ]
    p = event["Properties"]
    assert p["Stream"] == {
        "Fn::GetAtt": [next(iter(_template.resources("AWS::DynamoDB::Table"))), "StreamArn"]
    }
    assert p["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert p["BisectBatchOnFunctionError"] is True
    assert 0 < p["MaximumRetryAttempts"] <= 10
    assert 60 <= p["MaximumRecordAgeInSeconds"] <= 3600
    assert p["ParallelizationFactor"] == 1, "order per room needs one batch per shard at a time"
    destination = p["DestinationConfig"]["OnFailure"]
    assert destination["Type"] == "SQS"
    queue = destination["Destination"]["Fn::GetAtt"][0]
    assert _template.template()["Resources"][queue]["Type"] == "AWS::SQS::Queue"


def _stream_filter() -> Any:
    from appsync_local._event_filter import RecordFilter

    (event,) = [
        e
        for f in _template.functions().values()
        for e in f["Properties"].get("Events", {}).values()
        if e["Type"] == "DynamoDB"
    ]
    return RecordFilter(event["Properties"]["FilterCriteria"])


def _entities() -> list[str]:
    codec = importlib.import_module("positive_chat.adapters.dynamodb.codec")
    return sorted(v for k, v in vars(codec).items() if k.isupper() and v == k)


def _record(entity: str, event_name: str) -> dict[str, Any]:
    image = {"entity": {"S": entity}, "roomId": {"S": "r1"}, "pk": {"S": "K"}, "sk": {"S": "K"}}
    change: dict[str, Any] = {"Keys": {"pk": {"S": "K"}, "sk": {"S": "K"}}}
    if event_name != "INSERT":
        change["OldImage"] = image
    if event_name != "REMOVE":
        change["NewImage"] = image
    return {"eventID": f"{entity}-{event_name}", "eventName": event_name,
            "eventSource": "aws:dynamodb", "dynamodb": change}


@pytest.mark.parametrize("event_name", ["INSERT", "MODIFY", "REMOVE"])
def test_stream_filter_drops_only_records_the_publisher_ignores(event_name: str) -> None:
    # The template's FilterCriteria (evaluated by the local runtime's implementation of
    # Lambda event filtering) against every item type the adapter writes: a record it
    # drops must be one decode_stream_record turns into nothing to publish.
    from positive_chat.adapters.dynamodb.stream_records import decode_stream_record

    entities = _entities()
    assert {"MESSAGE", "ROOM", "TAG_COUNT", "TAG_LINK", "TAG_DAY"} <= set(entities)
    stream_filter = _stream_filter()
    passed = set()
    for entity in entities:
        record = _record(entity, event_name)
        if stream_filter.matches_event(record):
            passed.add(entity)
            continue
        item = decode_stream_record(record)
        assert (item.message, item.room, item.tag_room_id) == (None, None, None), entity
    expected = {"REMOVE": {"TAG_COUNT"}}.get(event_name, {"MESSAGE", "ROOM", "TAG_COUNT"})
    assert passed == expected
