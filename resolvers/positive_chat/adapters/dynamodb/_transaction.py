"""TransactWriteItems with the cancellation reasons made usable, and conflict retries."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import StoreError
from ._errors import TRANSACTION_CANCELED, error_code

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

logger = logging.getLogger(__name__)

# DynamoDB's limit on one transaction. Our biggest (an edit that swaps all 10 tags) is ~45.
MAX_TRANSACTION_ITEMS = 100
CONDITION_FAILED = "ConditionalCheckFailed"
_CONFLICT = "TransactionConflict"
_ATTEMPTS = 6


@dataclass(frozen=True)
class Cancellation:
    """Why each item of a cancelled transaction failed, in request order.

    ``codes[i]`` is "None" for items that were fine; ``items[i]`` is the stored item when
    the request asked for ReturnValuesOnConditionCheckFailure=ALL_OLD (else None).
    """

    codes: tuple[str, ...]
    items: tuple[dict[str, Any] | None, ...]

    def failed(self, index: int) -> bool:
        return index < len(self.codes) and self.codes[index] == CONDITION_FAILED

    @property
    def any_condition_failed(self) -> bool:
        return CONDITION_FAILED in self.codes


def transact_write(
    client: DynamoDBClient, items: Sequence[Mapping[str, Any]], *, operation: str
) -> Cancellation | None:
    """Run the transaction; None when it committed, the reasons when a condition failed.

    A transaction that collided with another one on the same items (TransactionConflict)
    is retried with jittered backoff: the outcome of a retry is then decided by our own
    conditions, which is what makes concurrent idempotent posts converge.

    Raises
    ------
    StoreError
        too many items, any other cancellation reason (throttling, validation), any other
        AWS error, or still conflicting after the retries.
    """
    if len(items) > MAX_TRANSACTION_ITEMS:
        raise StoreError(f"{operation}: {len(items)} items exceed the transaction limit")
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            client.transact_write_items(
                TransactItems=cast("list[TransactWriteItemTypeDef]", list(items))
            )
            return None
        except ClientError as exc:
            if error_code(exc) != TRANSACTION_CANCELED:
                raise StoreError(f"DynamoDB {operation} failed ({error_code(exc)})") from exc
            cancellation = _cancellation(exc)
            if cancellation.any_condition_failed:
                return cancellation
            unexpected = set(cancellation.codes) - {"None", _CONFLICT}
            if unexpected or attempt == _ATTEMPTS:
                reason = ",".join(sorted(unexpected)) or _CONFLICT
                raise StoreError(f"DynamoDB {operation} was cancelled ({reason})") from exc
            logger.debug("%s: transaction conflict, retry %d", operation, attempt)
            time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - jitter, not crypto
        except BotoCoreError as exc:
            raise StoreError(f"DynamoDB {operation} failed ({type(exc).__name__})") from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _cancellation(exc: ClientError) -> Cancellation:
    reasons: list[Any] = list(exc.response.get("CancellationReasons", []))
    return Cancellation(
        codes=tuple(str(r.get("Code") or "None") for r in reasons),
        items=tuple(r.get("Item") for r in reasons),
    )
