"""Pure rules of the stream poller: record conversion, partial-failure answers, filters.

(No I/O: these pin the AWS rules that the DynamoDB Local tests exercise end to end.)
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from appsync_local._batch_outcome import first_failed_index
from appsync_local._event_filter import FilterPatternError, RecordFilter
from appsync_local._stream_records import WIRE, _wire_records, lambda_record

ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-01-01T00:00:00.000"


def boto_record(**image: Any) -> dict[str, Any]:
    """A GetRecords record as boto3 returns it (datetime and bytes already decoded)."""
    return {
        "eventID": "e1", "eventName": "INSERT", "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": "ddblocal",
        "dynamodb": {
            "ApproximateCreationDateTime": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            "Keys": {"pk": {"S": "k"}}, "NewImage": {"pk": {"S": "k"}, **image},
            "SequenceNumber": "000000000000000000007", "SizeBytes": 10,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def test_lambda_record_restores_the_wire_form() -> None:
    record = lambda_record(boto_record(
        blob={"B": b"\x00\x01"}, blobs={"BS": [b"a"]},
        nested={"M": {"inner": {"L": [{"B": b"z"}, {"N": "1"}]}}}), ARN)
    assert record["eventSourceARN"] == ARN
    ddb = record["dynamodb"]
    assert ddb["ApproximateCreationDateTime"] == 1767225600
    assert ddb["NewImage"]["blob"] == {"B": "AAE="}
    assert ddb["NewImage"]["blobs"] == {"BS": ["YQ=="]}
    assert ddb["NewImage"]["nested"] == {"M": {"inner": {"L": [{"B": "eg=="}, {"N": "1"}]}}}
    json.dumps(record)  # the event must be JSON


def test_ttl_deletions_keep_their_user_identity() -> None:
    raw = boto_record()
    raw["eventName"] = "REMOVE"
    raw["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert lambda_record(raw, ARN)["userIdentity"]["principalId"] == "dynamodb.amazonaws.com"


def test_wire_form_records_pass_through_with_whole_epochs_as_ints() -> None:
    wire = boto_record(blob={"B": "AAE="})
    wire["dynamodb"]["ApproximateCreationDateTime"] = 1767225600.0
    record = lambda_record(wire, ARN, wire=True)
    assert record["dynamodb"]["ApproximateCreationDateTime"] == 1767225600
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}
    assert record["eventSourceARN"] == ARN


@pytest.mark.parametrize("status, body", [
    (400, b'{"__type": "ExpiredIteratorException", "message": "x"}'),
    (200, b"not json"),
    (200, b'{"NextShardIterator": "it"}'),
])
def test_only_well_formed_get_records_answers_skip_botocore_parsing(
        status: int, body: bytes) -> None:
    response = {"status_code": status, "body": body, "headers": {}}
    custom: dict[str, Any] = {}
    _wire_records(response_dict=response, customized_response_dict=custom)
    assert custom == {} and response["body"] == body


def test_a_get_records_answer_keeps_its_records_as_sent() -> None:
    body = b'{"Records": [{"eventID": "e"}], "NextShardIterator": "it"}'
    response = {"status_code": 200, "body": body, "headers": {}}
    custom: dict[str, Any] = {}
    _wire_records(response_dict=response, customized_response_dict=custom)
    assert custom == {"Records": [{"eventID": "e"}], "NextShardIterator": "it", WIRE: True}
    assert response["body"] == b"{}"


SEQS = ["1", "2", "3", "4"]


@pytest.mark.parametrize("answer, expected", [
    (None, None),
    ({}, None),
    ({"batchItemFailures": []}, None),
    ({"batchItemFailures": None}, None),
    ("not a dict", None),
    ({"batchItemFailures": [{"itemIdentifier": "3"}, {"itemIdentifier": "2"}]}, 1),
    ({"batchItemFailures": [{"itemIdentifier": "4"}]}, 3),
    ({"batchItemFailures": [{"itemIdentifier": ""}]}, 0),
    ({"batchItemFailures": [{"itemIdentifier": None}]}, 0),
    ({"batchItemFailures": [{"itemIdentifier": "99"}]}, 0),
    ({"batchItemFailures": [{"wrongKey": "2"}]}, 0),
    ({"batchItemFailures": "2"}, 0),
])
def test_report_batch_item_failures_rules(answer: Any, expected: int | None) -> None:
    assert first_failed_index(answer, SEQS) == expected


def _filter(*patterns: dict[str, Any]) -> RecordFilter:
    return RecordFilter({"Filters": [{"Pattern": json.dumps(p)} for p in patterns]})


@pytest.mark.parametrize("pattern, matches", [
    ({"eventName": ["INSERT"]}, True),
    ({"eventName": ["MODIFY", "REMOVE"]}, False),
    ({"dynamodb": {"NewImage": {"kind": {"S": ["msg"]}}}}, True),
    ({"dynamodb": {"NewImage": {"kind": {"S": [{"prefix": "m"}]}}}}, True),
    ({"dynamodb": {"NewImage": {"kind": {"S": [{"suffix": "x"}]}}}}, False),
    ({"dynamodb": {"NewImage": {"kind": {"S": [{"anything-but": ["room"]}]}}}}, True),
    ({"dynamodb": {"NewImage": {"kind": {"S": [{"equals-ignore-case": "MSG"}]}}}}, True),
    ({"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 5, "<=", 10]}]}}}}, True),
    ({"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 10]}]}}}}, False),
    ({"dynamodb": {"NewImage": {"gone": [{"exists": False}]}}}, True),
    ({"dynamodb": {"NewImage": {"kind": [{"exists": True}]}}}, True),
    ({"dynamodb": {"OldImage": {"kind": {"S": ["msg"]}}}}, False),
])
def test_filter_patterns(pattern: dict[str, Any], matches: bool) -> None:
    record = boto_record(kind={"S": "msg"}, n={"N": "7"})
    assert _filter(pattern).matches(record) is matches


def test_filters_are_ored_and_absent_criteria_match_everything() -> None:
    record = boto_record()
    assert _filter({"eventName": ["REMOVE"]}, {"eventName": ["INSERT"]}).matches(record)
    assert RecordFilter(None).matches(record)


@pytest.mark.parametrize("criteria", [
    {"Filters": [{"Pattern": json.dumps({"eventName": [{"wildcard": "IN*"}]})}]},
    {"Filters": [{"Pattern": json.dumps({"eventName": "INSERT"})}]},
    {"Filters": [{"Pattern": "{not json"}]},
])
def test_unknown_filter_syntax_fails_at_start_not_silently(criteria: dict[str, Any]) -> None:
    with pytest.raises(FilterPatternError):
        RecordFilter(criteria)
