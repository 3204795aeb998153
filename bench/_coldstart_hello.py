"""The cold-start baseline: a bare boto3 + Powertools AppSyncResolver hello-world.

What a minimal Python AppSync Direct Lambda resolver imports and builds at init (a boto3
client at module level, as usual), so the chat handlers' import cost can be read against it.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.event_handler import AppSyncResolver

app = AppSyncResolver()  # type: ignore[no-untyped-call]
dynamodb = boto3.client("dynamodb")


@app.resolver(type_name="Query", field_name="hello")
def hello() -> str:
    return "hello"


def lambda_handler(event: dict[str, Any], context: Any) -> Any:
    return app.resolve(event, context)
