"""BatchGetItem / BatchWriteItem in chunks, retrying what DynamoDB leaves unprocessed."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...domain.errors import StoreError
from ._errors import store_errors
from .codec import Item, RawItem

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# DynamoDB's per-call limits.
_GET_CHUNK = 100
_WRITE_CHUNK = 25
# Unprocessed keys mean throttling or the 16 MB response cap; back off and retry a few times.
_ATTEMPTS = 5


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311 - jitter, not crypto


def batch_get(
    client: DynamoDBClient,
    table: str,
    keys: Sequence[Item],
    *,
    operation: str = "BatchGetItem",
) -> list[RawItem]:
    """The items that exist among ``keys`` (eventually consistent), in no particular order.

    Raises
    ------
    StoreError
        AWS failed, or keys were still unprocessed after the retries.
    """
    found: list[RawItem] = []
    for i in range(0, len(keys), _GET_CHUNK):
        pending: Any = {table: {"Keys": list(keys[i : i + _GET_CHUNK])}}
        for attempt in range(_ATTEMPTS):
            with store_errors(operation):
                response = client.batch_get_item(RequestItems=pending)
            found.extend(response.get("Responses", {}).get(table, []))
            pending = response.get("UnprocessedKeys") or None
            if not pending:
                break
            _backoff(attempt)
        if pending:
            raise StoreError(f"DynamoDB {operation} left keys unprocessed (throttled)")
    return found


def batch_put(
    client: DynamoDBClient, table: str, items: Sequence[Item], *, operation: str = "BatchWriteItem"
) -> None:
    """Put every item (not atomically: each chunk of 25 on its own).

    Raises
    ------
    StoreError
        AWS failed, or items were still unprocessed after the retries.
    """
    for i in range(0, len(items), _WRITE_CHUNK):
        chunk = items[i : i + _WRITE_CHUNK]
        pending: Any = {table: [{"PutRequest": {"Item": item}} for item in chunk]}
        for attempt in range(_ATTEMPTS):
            with store_errors(operation):
                response = client.batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or None
            if not pending:
                break
            _backoff(attempt)
        if pending:
            raise StoreError(f"DynamoDB {operation} left items unprocessed (throttled)")
