"""The stream poller (event source mapping emulation) against DynamoDB Local + LambdaPool."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from appsync_local._stream_records import WIRE, lambda_record
from appsync_local.dynamodb_local import DynamoDBLocal
from appsync_local.lambda_pool import LambdaPool
from appsync_local.store import start_store
from appsync_local.streams import EventSourceMapping, MappingSettings

from .conftest import JAR_DIR, Probe, aws_clients, create_stream_table, put, wait_for

pytestmark = pytest.mark.dynamodb_local

FAST = {"poll_interval_s": 0.05, "retry_base_s": 0.05, "retry_max_s": 0.2}


def mapping(
    endpoint: str, table: str, pool: LambdaPool, checkpoint: Path, *,
    starting_position: str = "TRIM_HORIZON", filter_criteria: dict[str, Any] | None = None,
    **settings: Any,
) -> EventSourceMapping:
    dynamodb, streams = aws_clients(endpoint)
    return EventSourceMapping(
        MappingSettings(name="ProbeFunction.Stream", function_id="ProbeFunction",
                        **{**FAST, **settings}),
        table, dynamodb=dynamodb, streams=streams, invoker=pool, checkpoint_path=checkpoint,
        starting_position=starting_position, filter_criteria=filter_criteria,
        discovery_interval_s=0.1,
    )


async def test_batches_by_batch_size_in_order_with_the_lambda_event_shape(
    ddb_local: DynamoDBLocal, lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    # Given seven records already in the stream and BatchSize 3
    client, _ = aws_clients(ddb_local.endpoint)
    table = create_stream_table(client)
    put(client, table, *[f"k{i}" for i in range(7)])
    esm = mapping(ddb_local.endpoint, table, lambda_pool, tmp_path / "cp.json", batch_size=3)
    # When the mapping runs from TRIM_HORIZON
    await esm.start()
    try:
        await wait_for(lambda: len(probe.delivered()) >= 7, "seven records")
    finally:
        await esm.stop()
    # Then the function saw 3 + 3 + 1 records, in write order
    assert probe.batches() == [["k0", "k1", "k2"], ["k3", "k4", "k5"], ["k6"]]
    record = probe.invocations()[0]["event"]["Records"][0]
    assert set(record) == {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion",
                           "dynamodb", "eventSourceARN"}
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == esm.stream_arn
    assert set(record["dynamodb"]) == {"ApproximateCreationDateTime", "Keys", "NewImage",
                                       "SequenceNumber", "SizeBytes", "StreamViewType"}
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int | float)
    assert record["dynamodb"]["Keys"] == {"pk": {"S": "k0"}}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


async def test_modify_records_carry_old_and_new_images(
    ddb_local: DynamoDBLocal, lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    client, _ = aws_clients(ddb_local.endpoint)
    table = create_stream_table(client)
    put(client, table, "a", v="1")
    put(client, table, "a", v="2")
    esm = mapping(ddb_local.endpoint, table, lambda_pool, tmp_path / "cp.json")
    await esm.start()
    try:
        await wait_for(lambda: len(probe.delivered()) >= 2, "two records")
    finally:
        await esm.stop()
    modify = probe.invocations()[0]["event"]["Records"][1]
    assert modify["eventName"] == "MODIFY"
    assert modify["dynamodb"]["OldImage"]["v"] == {"S": "1"}
    assert modify["dynamodb"]["NewImage"]["v"] == {"S": "2"}


async def test_batching_window_waits_for_a_full_batch(
    ddb_local: DynamoDBLocal, lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    # Given a running mapping with BatchSize 4 and a long batching window
    client, _ = aws_clients(ddb_local.endpoint)
    table = create_stream_table(client)
    esm = mapping(ddb_local.endpoint, table, lambda_pool, tmp_path / "cp.json",
                  batch_size=4, batching_window_s=60)
    await esm.start()
    try:
        # When four records arrive one by one
        for key in ("w0", "w1", "w2", "w3"):
            put(client, table, key)
        await wait_for(lambda: len(probe.delivered()) >= 4, "four records")
    finally:
        await esm.stop()
    # Then they were gathered into one invocation (without a window: as they came)
    assert probe.batches() == [["w0", "w1", "w2", "w3"]]


async def test_report_batch_item_failures_retries_from_the_first_failed_record(
    ddb_local: DynamoDBLocal, lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    # Given six records; the handler reports k2 failed on its first delivery, k4 on two
    client, _ = aws_clients(ddb_local.endpoint)
    table = create_stream_table(client)
    put(client, table, *[f"k{i}" for i in range(6)])
    probe.configure(fail_times={"k2": 1, "k4": 2})
    checkpoint = tmp_path / "cp.json"
    esm = mapping(ddb_local.endpoint, table, lambda_pool, checkpoint, batch_size=10,
                  report_batch_item_failures=True)
    # When the mapping runs
    await esm.start()
    try:
        await wait_for(lambda: len(probe.batches()) >= 3, "three invocations")
        await wait_for(lambda: _checkpointed(checkpoint) == _last_seq(probe), "checkpoint")
    finally:
        await esm.stop()
    # Then the retry starts at the lowest failed record; the records before it are not resent
    assert probe.batches() == [
        ["k0", "k1", "k2", "k3", "k4", "k5"],
        ["k2", "k3", "k4", "k5"],
        ["k4", "k5"],
    ]


async def test_without_report_batch_item_failures_the_response_is_ignored(
    ddb_local: DynamoDBLocal, lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    client, _ = aws_clients(ddb_local.endpoint)
    table = create_stream_table(client)
    put(client, table, "k0", "k1")
    probe.configure(fail_times={"k1": 1})
    esm = mapping(ddb_local.endpoint, table, lambda_pool, tmp_path / "cp.json")
    await esm.start()
    try:
        await wait_for(lambda: len(probe.delivered()) >= 2, "two records")
        put(client, table, "k2")
        await wait_for(lambda: "k2" in probe.delivered(), "k2")
    finally:
        await esm.stop()
    assert probe.batches() == [["k0", "k1"], ["k2"]]


async def test_maximum_retry_attempts_then_the_batch_is_dropped(
    ddb_local: DynamoDBLocal, lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    # Given a poison record that makes every invocation raise, and MaximumRetryAttempts 2
    client, _ = aws_clients(ddb_local.endpoint)
    table = create_stream_table(client)
    put(client, table, "poison")
    probe.configure(raise_on=["poison"])
    esm = mapping(ddb_local.endpoint, table, lambda_pool, tmp_path / "cp.json",
                  maximum_retry_attempts=2)
    await esm.start()
    try:
        await wait_for(lambda: len(probe.batches()) >= 3, "three attempts")
        # When a good record follows
        put(client, table, "good")
        await wait_for(lambda: "good" in probe.delivered(), "the next record")
    finally:
        await esm.stop()
    # Then the poison batch was tried 1 + 2 times, then skipped, and the shard moved on
    assert probe.batches() == [["poison"]] * 3 + [["good"]]


async def test_filter_criteria_skip_records_without_invoking(
    ddb_local: DynamoDBLocal, lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    client, _ = aws_clients(ddb_local.endpoint)
    table = create_stream_table(client)
    put(client, table, "m1", kind="message")
    put(client, table, "r1", kind="room")
    put(client, table, "m2", kind="message")
    pattern = {"dynamodb": {"NewImage": {"kind": {"S": ["message"]}}}}
    checkpoint = tmp_path / "cp.json"
    esm = mapping(ddb_local.endpoint, table, lambda_pool, checkpoint,
                  filter_criteria={"Filters": [{"Pattern": json.dumps(pattern)}]})
    await esm.start()
    try:
        await wait_for(lambda: len(probe.delivered()) >= 2, "two messages")
    finally:
        await esm.stop()
    assert probe.delivered() == ["m1", "m2"]


async def test_restart_of_poller_and_store_neither_loses_nor_replays(
    lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    # Given a persistent DynamoDB Local, a LATEST mapping and three handled records
    data_dir, checkpoint = tmp_path / "data", tmp_path / "streams" / "cp.json"
    with DynamoDBLocal(JAR_DIR, data_dir=data_dir) as ddb:
        client, _ = aws_clients(ddb.endpoint)
        table = create_stream_table(client)
        put(client, table, "before-mapping")  # LATEST: never delivered
        esm = mapping(ddb.endpoint, table, lambda_pool, checkpoint, starting_position="LATEST")
        await esm.start()
        try:
            put(client, table, "a1", "a2", "a3")
            await wait_for(lambda: len(probe.delivered()) >= 3, "first three records")
            await wait_for(lambda: _checkpointed(checkpoint) == _last_seq(probe), "checkpoint")
        finally:
            await esm.stop()
        first_arn = esm.stream_arn
        # When records are written while the poller is down, and the store restarts too
        put(client, table, "b1", "b2")
    with DynamoDBLocal(JAR_DIR, data_dir=data_dir) as ddb:
        client, _ = aws_clients(ddb.endpoint)
        esm = mapping(ddb.endpoint, table, lambda_pool, checkpoint, starting_position="LATEST")
        await esm.start()
        try:
            put(client, table, "c1")
            await wait_for(lambda: "c1" in probe.delivered(), "the record written after restart")
        finally:
            await esm.stop()
    # Then every record after the mapping's creation arrived exactly once, in order
    assert esm.stream_arn == first_arn  # DynamoDB Local kept the stream across the restart
    assert probe.delivered() == ["a1", "a2", "a3", "b1", "b2", "c1"]


def _checkpointed(path: Path) -> str | None:
    if not path.exists():
        return None
    shards = json.loads(path.read_text())["shards"]
    seqs = [s["sequenceNumber"] for s in shards.values() if s["sequenceNumber"]]
    return max(seqs) if seqs else None


def _last_seq(probe: Probe) -> str | None:
    invocations = probe.invocations()
    if not invocations:
        return None
    return invocations[-1]["event"]["Records"][-1]["dynamodb"]["SequenceNumber"]


async def test_the_in_memory_fallback_streams_through_the_same_poller(
    lambda_pool: LambdaPool, probe: Probe, tmp_path: Path
) -> None:
    # Given the moto store the runtime falls back to without Java
    moto, info = start_store(tmp_path / "no-jar", tmp_path / "data", in_memory=True)
    try:
        client, _ = aws_clients(info.endpoint)
        table = create_stream_table(client)
        put(client, table, "m0", "m1", "m2")
        esm = mapping(info.endpoint, table, lambda_pool, tmp_path / "cp.json", batch_size=2,
                      report_batch_item_failures=True)
        probe.configure(fail_times={"m1": 1})
        await esm.start()
        try:
            await wait_for(lambda: len(probe.batches()) >= 2, "two invocations")
        finally:
            await esm.stop()
    finally:
        moto.stop()
    # Then batching and partial failures behave as with DynamoDB Local
    assert probe.batches() == [["m0", "m1"], ["m1", "m2"]]


def _event_records(endpoint: str, table: str, *, wire: bool) -> list[dict[str, Any]]:
    """Every record of the table's stream as the poller turns it into Lambda records."""
    dynamodb, streams = aws_clients(endpoint, wire=wire)
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    out = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        page = streams.get_records(ShardIterator=iterator)
        assert bool(page.get(WIRE)) is wire
        out += [lambda_record(r, arn, wire=wire) for r in page["Records"]]
    return out


def _write_every_attribute_kind(client: Any, table: str) -> None:
    item = {"pk": {"S": "k"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\xff"},
            "bs": {"BS": [b"a", b"b"]}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]},
            "m": {"M": {"l": {"L": [{"B": b"z"}, {"NULL": True}, {"BOOL": False}]}}}}
    client.put_item(TableName=table, Item=item)
    client.update_item(TableName=table, Key={"pk": {"S": "k"}},
                       UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "2"}})
    client.delete_item(TableName=table, Key={"pk": {"S": "k"}})


def test_wire_records_equal_the_parsed_and_converted_ones(ddb_local: DynamoDBLocal) -> None:
    # The runtime takes GetRecords' records as sent (no botocore parsing): the Lambda
    # event must be what converting boto3's parsed records gives.
    client, _ = aws_clients(ddb_local.endpoint)
    table = create_stream_table(client)
    _write_every_attribute_kind(client, table)
    wire = _event_records(ddb_local.endpoint, table, wire=True)
    parsed = _event_records(ddb_local.endpoint, table, wire=False)
    assert [r["eventName"] for r in wire] == ["INSERT", "MODIFY", "REMOVE"]
    assert wire == parsed
    assert wire[0]["dynamodb"]["NewImage"]["b"] == {"B": "AP8="}
    json.dumps(wire)


def test_wire_records_from_the_in_memory_fallback_too(tmp_path: Path) -> None:
    moto, info = start_store(tmp_path / "no-jar", tmp_path / "data", in_memory=True)
    try:
        client, _ = aws_clients(info.endpoint)
        table = create_stream_table(client)
        _write_every_attribute_kind(client, table)
        wire = _event_records(info.endpoint, table, wire=True)
        parsed = _event_records(info.endpoint, table, wire=False)
    finally:
        moto.stop()
    assert len(wire) == 3 and wire == parsed
