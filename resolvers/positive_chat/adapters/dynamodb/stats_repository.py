"""Tag cloud, leaderboard and rejection counts (port: ``StatsRepository``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...domain.model import Author, LeaderboardEntry, TagCount
from . import _analytics_writes as analytics
from . import codec
from . import keys as k
from ._errors import store_errors
from ._transaction import transact_write
from ._update_ops import update_op

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoStatsRepository:
    """Rankings are one Query each on gsi3, whose sort key is the counter itself."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def top_tags(self, room_id: str, limit: int) -> list[TagCount]:
        """Highest counts first (ties by tag). Counters at 0 stay stored but are skipped:
        deleting them would need a second, conditional write after every decrement, and
        they sort last, so they never push a live tag out of the page."""
        items = self._ranking(k.cloud_pk(room_id), limit, "TopTags")
        counts = [TagCount(tag=i["tag"]["S"], count=int(i[k.GSI3_SK]["N"])) for i in items]
        live = [c for c in counts if c.count > 0]
        return sorted(live, key=lambda c: (-c.count, c.tag))

    def leaderboard(self, room_id: str, limit: int) -> list[LeaderboardEntry]:
        """Authors with positive points, highest first (ties by user id); rank = position."""
        items = self._ranking(k.board_pk(room_id), limit, "Leaderboard")
        scores = [
            (int(i[k.GSI3_SK]["N"]), Author(id=i["userId"]["S"], username=i["username"]["S"]))
            for i in items
        ]
        live = sorted((s for s in scores if s[0] > 0), key=lambda s: (-s[0], s[1].id))
        return [
            LeaderboardEntry(rank=position, user=author, points=points)
            for position, (points, author) in enumerate(live, start=1)
        ]

    def record_rejection(self, room_id: str, author: Author, at_ms: int) -> None:
        """+1 on the user's rejection counter in the room, on the profile and on the room's
        counter of the day, atomically."""
        in_room = {
            "entity": codec.REJECT,
            "roomId": room_id,
            "userId": author.id,
            "username": author.username,
        }
        profile = {"entity": codec.PROFILE, "userId": author.id}
        one = {"rejectedCount": 1}
        room_pk, user_pk = k.room_pk(room_id), k.user_pk(author.id)
        items: list[Any] = [
            update_op(self._table, room_pk, k.reject_sk(author.id), in_room, one),
            update_op(self._table, user_pk, k.PROFILE, profile, one),
            *analytics.rejected(self._table, room_id, at_ms),
        ]
        # No conditions: a cancellation can only be an unexpected reason -> StoreError.
        transact_write(self._client, items, operation="RecordRejection")

    def _ranking(self, pk: str, limit: int, operation: str) -> list[codec.RawItem]:
        # One page is enough: limits are at most 100 small items, far below the 1 MB cap.
        with store_errors(operation):
            response = self._client.query(
                TableName=self._table,
                IndexName=k.GSI3,
                KeyConditionExpression="gsi3pk = :p",
                ExpressionAttributeValues={":p": {"S": pk}},
                ScanIndexForward=False,
                Limit=limit,
            )
        return list(response.get("Items", []))
