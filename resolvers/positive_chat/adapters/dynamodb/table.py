"""The single table's definition: one constant for tests, local seeding and the SAM template.

``TABLE_DEFINITION`` holds the CreateTable arguments except ``TableName``; the SAM template
(infra/template.yaml) must declare the same keys, indexes, stream and TTL attribute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from . import keys as k
from ._errors import store_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _gsi(name: str, pk: str, sk: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": pk, "KeyType": "HASH"},
            {"AttributeName": sk, "KeyType": "RANGE"},
        ],
        # ALL: every index query returns whole items, so no read goes back to the table.
        "Projection": {"ProjectionType": "ALL"},
    }


TABLE_DEFINITION: Final[dict[str, Any]] = {
    "AttributeDefinitions": [
        {"AttributeName": k.PK, "AttributeType": "S"},
        {"AttributeName": k.SK, "AttributeType": "S"},
        {"AttributeName": k.GSI1_PK, "AttributeType": "S"},
        {"AttributeName": k.GSI1_SK, "AttributeType": "S"},
        {"AttributeName": k.GSI2_PK, "AttributeType": "S"},
        {"AttributeName": k.GSI2_SK, "AttributeType": "N"},
        {"AttributeName": k.GSI3_PK, "AttributeType": "S"},
        {"AttributeName": k.GSI3_SK, "AttributeType": "N"},
    ],
    "KeySchema": [
        {"AttributeName": k.PK, "KeyType": "HASH"},
        {"AttributeName": k.SK, "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        _gsi(k.GSI1, k.GSI1_PK, k.GSI1_SK),
        _gsi(k.GSI2, k.GSI2_PK, k.GSI2_SK),
        _gsi(k.GSI3, k.GSI3_PK, k.GSI3_SK),
    ],
    "BillingMode": "PAY_PER_REQUEST",
    # The stream drives the real-time push; edits and deletes need the old image too.
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}
TTL_ATTRIBUTE: Final = k.TTL_ATTRIBUTE


def create_table(client: DynamoDBClient, table_name: str, *, wait: bool = True) -> None:
    """Create the table (TABLE_DEFINITION) and enable TTL on ``expiresAt``.

    TTL is not part of CreateTable, hence the second call. For local seeding and tests.

    Raises
    ------
    StoreError
        the table exists already, or DynamoDB refused a call.
    """
    with store_errors("CreateTable"):
        client.create_table(TableName=table_name, **TABLE_DEFINITION)
        if wait:
            client.get_waiter("table_exists").wait(
                TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )


__all__ = ["TABLE_DEFINITION", "TTL_ATTRIBUTE", "create_table"]
