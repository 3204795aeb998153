"""Rare DynamoDB failures, stubbed with botocore's Stubber (which validates our requests
against the real service model): every one surfaces as a domain error, never botocore's."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.stub import ANY, Stubber
from positive_chat.adapters.dynamodb import (
    DynamoMessageRepository,
    DynamoProfileRepository,
    DynamoRoomRepository,
    DynamoStatsRepository,
    DynamoTranslationCache,
)
from positive_chat.adapters.dynamodb.codec import message_to_item
from positive_chat.domain.analytics import SentimentBucket
from positive_chat.domain.errors import ConflictError, StoreError
from positive_chat.domain.model import (
    Author,
    Message,
    ModerationStatus,
    Profile,
    TranslationStatus,
)
from positive_chat.ports import TagChange

TABLE = "chat"
ALICE = Author("sub-alice", "alice")


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


@pytest.fixture
def stub(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retries sleep with jitter; the tests only care about the outcome.
    monkeypatch.setattr(time, "sleep", lambda _s: None)


def message(version: int = 1) -> Message:
    return Message(
        id="01HF7YAT0043BMAQ0Z36B8Y4WW",
        room_id="r1",
        author=ALICE,
        text="Hello",
        language="en",
        sentiment=None,
        moderation=ModerationStatus.UNSCORED,
        tags=("roses",),
        translations=(),
        translation_status=TranslationStatus.UNAVAILABLE,
        untranslated_languages=(),
        points=1,
        created_at_ms=1,
        client_id="client-0001",
        version=version,
        last_changed_at_ms=1,
    )


def cancelled(*codes: str, item: dict[str, Any] | None = None) -> dict[str, Any]:
    reasons: list[dict[str, Any]] = [{"Code": c} for c in codes]
    if item is not None:
        reasons[0]["Item"] = item
    return {
        "service_error_code": "TransactionCanceledException",
        "service_message": "Transaction cancelled",
        "http_status_code": 400,
        "modeled_fields": {"CancellationReasons": reasons},
    }


def assert_store_error(exc: pytest.ExceptionInfo[StoreError], code: str) -> None:
    assert code in str(exc.value)
    assert isinstance(exc.value.__cause__, ClientError | BotoCoreError)


def test_throttled_read_is_a_store_error(client: Any, stub: Stubber) -> None:
    stub.add_client_error("get_item", "ThrottlingException", http_status_code=400)
    with pytest.raises(StoreError) as caught:
        DynamoRoomRepository(client, TABLE).get_room("r1")
    assert_store_error(caught, "ThrottlingException")


def test_throughput_exceeded_on_a_listing_is_a_store_error(client: Any, stub: Stubber) -> None:
    stub.add_client_error("query", "ProvisionedThroughputExceededException")
    with pytest.raises(StoreError) as caught:
        DynamoMessageRepository(client, TABLE, tombstone_ttl_seconds=60).list_messages_for_room(
            "r1", 10, None
        )
    assert_store_error(caught, "ProvisionedThroughputExceededException")


def test_internal_server_error_on_profile_write_is_a_store_error(
    client: Any, stub: Stubber
) -> None:
    stub.add_client_error("update_item", "InternalServerError", http_status_code=500)
    with pytest.raises(StoreError) as caught:
        DynamoProfileRepository(client, TABLE).put_profile(Profile(ALICE, "en"))
    assert_store_error(caught, "InternalServerError")


def test_transaction_cancelled_by_throttling_is_a_store_error(client: Any, stub: Stubber) -> None:
    stub.add_client_error(
        "transact_write_items",
        **cancelled("None", "None", "ThrottlingError", "None", "None", "None"),
    )
    with pytest.raises(StoreError) as caught:
        DynamoMessageRepository(client, TABLE, tombstone_ttl_seconds=60).add_message(message())
    assert_store_error(caught, "ThrottlingError")


def test_transaction_conflict_is_retried_until_it_commits(client: Any, stub: Stubber) -> None:
    stub.add_client_error("transact_write_items", **cancelled("TransactionConflict", "None"))
    stub.add_client_error("transact_write_items", **cancelled("None", "TransactionConflict"))
    stub.add_response("transact_write_items", {}, {"TransactItems": ANY})

    DynamoStatsRepository(client, TABLE).record_rejection("r1", ALICE, 1_700_000_000_000)


def test_transaction_conflict_that_persists_is_a_store_error(client: Any, stub: Stubber) -> None:
    for _ in range(6):
        stub.add_client_error("transact_write_items", **cancelled("TransactionConflict", "None"))
    with pytest.raises(StoreError) as caught:
        DynamoStatsRepository(client, TABLE).record_rejection("r1", ALICE, 1_700_000_000_000)
    assert_store_error(caught, "TransactionConflict")


def test_conflict_without_returned_item_reads_the_current_one(client: Any, stub: Stubber) -> None:
    # Given a backend that cancels without returning the old item
    current = message(version=3)
    stub.add_client_error(
        "transact_write_items", **cancelled("ConditionalCheckFailed", "None", "None")
    )
    stub.add_response(
        "get_item",
        {"Item": message_to_item(current)},
        {"TableName": TABLE, "Key": ANY, "ConsistentRead": True},
    )

    with pytest.raises(ConflictError) as caught:
        DynamoMessageRepository(client, TABLE, tombstone_ttl_seconds=60).replace_message(
            message(version=2),
            1,
            TagChange(frozenset({"sun"}), frozenset()),
            0,
            SentimentBucket.UNSCORED,
        )
    assert caught.value.current == current


def test_unprocessed_batch_keys_after_retries_are_a_store_error(client: Any, stub: Stubber) -> None:
    unprocessed = {
        "UnprocessedKeys": {TABLE: {"Keys": [{"pk": {"S": "XLATE#k"}, "sk": {"S": "fr"}}]}}
    }
    for _ in range(5):
        stub.add_response("batch_get_item", {"Responses": {TABLE: []}, **unprocessed})
    with pytest.raises(StoreError, match="unprocessed"):
        DynamoTranslationCache(client, TABLE, ttl_seconds=60).get_many("k", ["fr"])


def test_unprocessed_batch_keys_are_retried(client: Any, stub: Stubber) -> None:
    item = {
        "pk": {"S": "XLATE#k"},
        "sk": {"S": "fr"},
        "text": {"S": "Bonjour"},
        "expiresAt": {"N": "9999999999"},
    }
    stub.add_response(
        "batch_get_item",
        {
            "Responses": {TABLE: []},
            "UnprocessedKeys": {TABLE: {"Keys": [{"pk": {"S": "XLATE#k"}, "sk": {"S": "fr"}}]}},
        },
    )
    stub.add_response("batch_get_item", {"Responses": {TABLE: [item]}})

    cache = DynamoTranslationCache(client, TABLE, ttl_seconds=60, clock=lambda: 1_700_000_000)
    assert cache.get_many("k", ["fr"]) == {"fr": "Bonjour"}


def test_unreachable_endpoint_is_a_store_error() -> None:
    # A real connection failure (BotoCoreError, not ClientError): nothing listens on port 9.
    client = boto3.client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 0}, connect_timeout=1),
    )
    with pytest.raises(StoreError) as caught:
        DynamoProfileRepository(client, TABLE).get_profile("sub-alice")
    assert_store_error(caught, "EndpointConnectionError")


def test_no_botocore_type_in_the_public_surface() -> None:
    import positive_chat.adapters.dynamodb as adapter

    exported = {name: getattr(adapter, name) for name in adapter.__all__}
    assert not any(getattr(v, "__module__", "").startswith("botocore") for v in exported.values())
