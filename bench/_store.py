"""DynamoDB Local with the chat's table, and the real services wired on top of it.

Used by the cold-start benchmark (to seed data the first invocation reads) and by the cost
model (to count the store calls and capacity units of real posts).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from ._machine import REPO

JAR_DIR = REPO / ".cache" / "dynamodb-local"
TABLE = "bench-chat"
REGION = "us-east-1"
ACCESS_KEY = SECRET_KEY = "bench"  # DynamoDB Local and the stubs accept any keys
CREDENTIALS = {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY}


def missing() -> str | None:
    from appsync_local.dynamodb_local import missing_requirements

    reason = missing_requirements(JAR_DIR)
    return (f"DynamoDB Local is not available: {reason} (make dynamodb-local; Java 17)"
            if reason else None)


@dataclass
class LocalTable:
    endpoint: str
    client: Any  # botocore DynamoDB client
    streams: Any  # botocore DynamoDB Streams client


@contextlib.contextmanager
def local_table() -> Iterator[LocalTable]:
    """An in-memory DynamoDB Local with the chat table (TABLE_DEFINITION), then stopped."""
    from positive_chat.adapters.dynamodb.table import create_table

    from appsync_local.dynamodb_local import DynamoDBLocal

    with DynamoDBLocal(JAR_DIR, data_dir=None) as ddb:
        client = dynamodb_client(ddb.endpoint)
        create_table(client, TABLE)
        streams = boto3.client("dynamodbstreams", endpoint_url=ddb.endpoint, region_name=REGION,
                               aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        yield LocalTable(ddb.endpoint, client, streams)


def dynamodb_client(endpoint: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION,
                        config=Config(retries={"mode": "standard", "max_attempts": 3}),
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)


def dynamo_store(endpoint: str) -> Any:
    """bootstrap.dynamodb_store, exactly as the Lambda builds it, pointed at `endpoint`.

    Built through the project's own wiring (not by naming repositories here) so the store
    measured is the one the handler uses, whatever repositories it gains. botocore reads
    AWS_ENDPOINT_URL_DYNAMODB and the credentials from the environment, as in the Lambda.
    """
    from positive_chat.bootstrap import dynamodb_store
    from positive_chat.settings import Settings

    with local_aws_env(endpoint):
        return dynamodb_store(Settings(table_name=TABLE, region=REGION))


@contextlib.contextmanager
def local_aws_env(endpoint: str) -> Iterator[None]:
    """Environment for clients created inside the block: DynamoDB Local + dummy keys."""
    wanted = {"AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_ENDPOINT_URL_DYNAMODBSTREAMS": endpoint,
              "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
              "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
              "AWS_DEFAULT_REGION": REGION}
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def user(name: str) -> Any:
    from positive_chat.domain.model import Caller, CallerKind

    return Caller(CallerKind.USER, user_id=f"sub-{name}", username=name)


def room_with_languages(services: Any, languages: list[str], *, owner: str = "alice") -> str:
    """A public room whose members read `languages` (the owner reads the first)."""
    from positive_chat.domain.commands import CreateRoom, JoinRoom
    from positive_chat.domain.model import Visibility

    room = services.rooms.create(CreateRoom(user(owner), "bench room", Visibility.PUBLIC,
                                            language=languages[0]))
    for index, language in enumerate(languages[1:]):
        services.rooms.join(JoinRoom(user(f"reader{index}-{language}"), room.id,
                                     language=language))
    return str(room.id)


def stream_records(table: LocalTable) -> list[dict[str, Any]]:
    """Every record of the table's stream so far, as the Lambda event carries them."""
    from appsync_local._stream_records import lambda_record

    arn = table.client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    shards = table.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    for shard in shards:
        iterator = table.streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = table.streams.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(lambda_record(r, arn) for r in page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return records
