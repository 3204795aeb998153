"""Analytics on realistic volumes: seeded into DynamoDB Local through the repositories, every
query checked for exact equality with a brute-force computation over the seeded data.

The 50,000-message volume is ``slow`` (``make soak``); the 3,000-message one runs by default.
Latency and items read go to bench/results/analytics-*.json (see conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ._checks import CHECKS

pytestmark = pytest.mark.dynamodb_local


def test_small_volume_is_seeded_whole(small: Any) -> None:
    # Given the seeded table, When its messages are counted, Then every planned post is there
    count, start = 0, None
    while True:
        page = small.client.scan(
            TableName=small.table,
            FilterExpression="entity = :m",
            ExpressionAttributeValues={":m": {"S": "MESSAGE"}},
            Select="COUNT",
            **({"ExclusiveStartKey": start} if start else {}),
        )
        count += page["Count"]
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert count == len(small.plan.chains) == 3_000
    assert small.report.edits and small.report.deletes and small.report.rejections


@pytest.mark.parametrize("check", list(CHECKS.values()), ids=list(CHECKS))
def test_small_volume(small: Any, check: Callable[[Any], None]) -> None:
    check(small)


@pytest.mark.slow
@pytest.mark.parametrize("check", list(CHECKS.values()), ids=list(CHECKS))
def test_large_volume(large: Any, check: Callable[[Any], None]) -> None:
    check(large)
