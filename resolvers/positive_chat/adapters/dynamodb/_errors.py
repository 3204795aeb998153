"""botocore failures -> StoreError, so no botocore type crosses the port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import ChatError, StoreError

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


@contextmanager
def store_errors(operation: str, *, condition_failed: ChatError | None = None) -> Iterator[None]:
    """Re-raise any botocore error inside the block as ``StoreError`` (chained), or as
    ``condition_failed`` when a single-item write's ConditionExpression was false.

    The message names the operation and AWS's error code only: it may reach a client.
    """
    try:
        yield
    except ClientError as exc:
        if condition_failed is not None and error_code(exc) == CONDITIONAL_CHECK_FAILED:
            raise condition_failed from exc
        raise StoreError(f"DynamoDB {operation} failed ({error_code(exc)})") from exc
    except BotoCoreError as exc:
        raise StoreError(f"DynamoDB {operation} failed ({type(exc).__name__})") from exc
