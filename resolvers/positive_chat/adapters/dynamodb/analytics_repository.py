"""Reads of the analytics counters (port: ``AnalyticsRepository``).

Each method is one Query over a contiguous key range (a window of days), paged by DynamoDB's
1 MB limit; docs/data-model.md ("Analytics") gives the items read and their cost. The
counters are written by the message transactions (``_analytics_writes``). Reads are
eventually consistent (half the price): a counter that lags a just-committed message by a
fraction of a second is acceptable for analytics.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...domain.analytics import HOURS_PER_DAY, Capped, RoomDay, SentimentCounts, TagDay
from . import keys as k
from ._analytics_writes import ACCEPTED, COUNT, DELETED, REJECTED
from ._errors import store_errors
from .codec import RawItem

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_HOURS = tuple(k.hour_attribute(h) for h in range(HOURS_PER_DAY))


def _n(item: RawItem, name: str) -> int:
    return int(item[name]["N"]) if name in item else 0


def tag_day_from_item(item: RawItem) -> TagDay:
    return TagDay(
        day=k.epoch_day_of(item["day"]["S"]),
        tag=item["tag"]["S"],
        count=_n(item, COUNT),
        hours=tuple(_n(item, h) for h in _HOURS),
    )


def room_day_from_item(item: RawItem) -> RoomDay:
    return RoomDay(
        day=k.epoch_day_of(item["day"]["S"]),
        accepted=_n(item, ACCEPTED),
        rejected=_n(item, REJECTED),
        deleted=_n(item, DELETED),
        sentiment=SentimentCounts(
            positive=_n(item, "positive"),
            negative=_n(item, "negative"),
            neutral=_n(item, "neutral"),
            mixed=_n(item, "mixed"),
            unscored=_n(item, "unscored"),
        ),
    )


class DynamoAnalyticsRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def tag_days(
        self, tag: str, room_id: str | None, first_day: int, last_day: int
    ) -> list[TagDay]:
        """gsi1 ``TREND#...``: one tag's counters by day; at most one item per day."""
        items, _ = self._query(
            "TagTrend", None, (k.trend_gsi1pk(room_id, tag), k.day_key(first_day),
                               k.day_key(last_day)), index=k.GSI1,
        )
        return [tag_day_from_item(i) for i in items]

    def tag_days_in_window(
        self, room_id: str | None, first_day: int, last_day: int, max_items: int
    ) -> Capped[TagDay]:
        """Base table ``…TAGDAYS``: every (day, tag) counter of the window, day by day."""
        items, complete = self._query(
            "TopTags", max_items, (k.tag_days_pk(room_id), *k.day_bounds(first_day, last_day))
        )
        return Capped([tag_day_from_item(i) for i in items], complete)

    def room_days(self, room_id: str, first_day: int, last_day: int) -> list[RoomDay]:
        """Base table ``ROOM#…#DAYS``: at most one item per day."""
        items, _ = self._query(
            "RoomDays", None, (k.room_days_pk(room_id), k.day_key(first_day),
                               k.day_key(last_day)),
        )
        return [room_day_from_item(i) for i in items]

    def active_authors(
        self, room_id: str, first_day: int, last_day: int, max_items: int
    ) -> Capped[str]:
        """Base table ``ROOM#…#AUTHORS``: one small item per author and active day."""
        items, complete = self._query(
            "ActiveAuthors", max_items, (k.authors_pk(room_id), *k.day_bounds(first_day, last_day)),
            # Only the id travels back (the read is still charged on whole items).
            ProjectionExpression="userId",
        )
        return Capped([i["userId"]["S"] for i in items], complete)

    def _query(
        self, operation: str, max_items: int | None, key_range: tuple[str, str, str], *,
        index: str | None = None, **extra: Any,  # index: None (base table) or k.GSI1
    ) -> tuple[list[RawItem], bool]:
        """Every item with partition key ``key_range[0]`` and sort key between ``key_range[1]``
        and ``key_range[2]`` (in the base table or ``index``), oldest first; with ``max_items``,
        stop after that many and say whether the range held more (each call asks for one item
        past the budget)."""
        pk, low, high = key_range
        hash_key, range_key = ("gsi1pk", "gsi1sk") if index == k.GSI1 else ("pk", "sk")
        query: dict[str, Any] = {
            "KeyConditionExpression": f"{hash_key} = :p AND {range_key} BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": {":p": {"S": pk}, ":lo": {"S": low}, ":hi": {"S": high}},
            **extra,
        }
        if index is not None:
            query["IndexName"] = index
        found: list[RawItem] = []
        for page in self._pages(operation, max_items, query):
            found.extend(page)
            if max_items is not None and len(found) > max_items:
                return found[:max_items], False
        return found, True

    def _pages(
        self, operation: str, max_items: int | None, query: dict[str, Any]
    ) -> Iterator[list[RawItem]]:
        start: dict[str, Any] | None = None
        read = 0
        while True:
            params = dict(query, TableName=self._table)
            if max_items is not None:
                params["Limit"] = max_items - read + 1
            if start is not None:
                params["ExclusiveStartKey"] = start
            with store_errors(operation):
                response = self._client.query(**params)
            page: list[RawItem] = list(response.get("Items", []))
            read += len(page)
            yield page
            start = response.get("LastEvaluatedKey")
            if start is None:
                return
