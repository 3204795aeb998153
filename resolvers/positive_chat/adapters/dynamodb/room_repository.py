"""Rooms, memberships and invitations (port: ``RoomRepository``)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ...domain.errors import NotFoundError, StoreError
from ...domain.model import Invitation, Membership, Page, Room
from . import codec
from . import keys as k
from ._batch import batch_get
from ._errors import store_errors
from ._membership import join_items, leave_items, switch_language_items
from ._pagination import PageScope, query_page
from ._transaction import transact_write

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Another request changing the same membership between our read and our transaction makes
# the transaction's condition fail; we re-read and retry (bounded).
_MEMBERSHIP_ATTEMPTS = 5


class DynamoRoomRepository:
    """Rooms in the single table. ``client`` is a boto3 DynamoDB client (injected)."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # ------------------------------------------------------------------ rooms

    def create_room(self, room: Room, owner: Membership) -> None:
        """Room, owner membership (both copies) and the counts, in one transaction.

        The stored counts come from the owner membership (1 member, 1 reader of its
        language), whatever ``room`` carries: the store owns these counters.
        """
        stored = replace(room, languages={owner.language: 1}, member_count=1)
        items: list[Any] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": codec.room_to_item(stored),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": self._table, "Item": codec.membership_to_item(owner)}},
            {"Put": {"TableName": self._table, "Item": codec.user_room_to_item(owner)}},
        ]
        if transact_write(self._client, items, operation="CreateRoom") is not None:
            raise StoreError(f"room id {room.id} is already taken")

    def update_room(self, room: Room) -> None:
        """Write name, description and moderation settings; counters are left alone.

        Raises NotFoundError when the room does not exist.
        """
        names = {"#n": "name", "#d": "description"}
        values: dict[str, Any] = {
            ":n": codec.to_value(room.name),
            ":t": codec.to_value(room.negativity_threshold),
            ":r": codec.to_value(room.require_sentiment),
        }
        expression = "SET #n = :n, negativityThreshold = :t, requireSentiment = :r"
        if room.description is None:
            expression += " REMOVE #d"
        else:
            expression += ", #d = :d"
            values[":d"] = codec.to_value(room.description)
        missing = NotFoundError(f"room {room.id} does not exist")
        with store_errors("UpdateRoom", condition_failed=missing):
            self._client.update_item(
                TableName=self._table,
                Key=k.key(k.room_pk(room.id), k.ROOM_META),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )

    def get_room(self, room_id: str) -> Room | None:
        item = self._get(k.room_pk(room_id), k.ROOM_META, "GetRoom")
        return None if item is None else codec.room_from_item(item)

    def list_public_rooms(self, limit: int, next_token: str | None) -> Page[Room]:
        """Newest first: room ids are ULIDs, so descending gsi1sk is creation order."""
        scope = PageScope(
            types={k.PK: "S", k.SK: "S", k.GSI1_PK: "S", k.GSI1_SK: "S"},
            fixed={k.GSI1_PK: k.PUBLIC_ROOMS, k.SK: k.ROOM_META},
            prefixes={k.PK: k.room_pk("")},
        )
        items, token = query_page(
            self._client,
            scope,
            limit=limit,
            next_token=next_token,
            operation="ListPublicRooms",
            TableName=self._table,
            IndexName=k.GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues={":p": {"S": k.PUBLIC_ROOMS}},
            ScanIndexForward=False,
        )
        return Page([codec.room_from_item(i) for i in items], token)

    def list_rooms_for_user(self, user_id: str, limit: int, next_token: str | None) -> Page[Room]:
        """Most recently joined first: one Query on the user's partition, then one
        BatchGetItem of the rooms (a room's name and counts live only on its META item)."""
        scope = PageScope(
            types={k.PK: "S", k.SK: "S"},
            fixed={k.PK: k.user_pk(user_id)},
            prefixes={k.SK: k.JOINED_PREFIX},
        )
        links, token = query_page(
            self._client,
            scope,
            limit=limit,
            next_token=next_token,
            operation="ListRoomsForUser",
            TableName=self._table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={
                ":p": {"S": k.user_pk(user_id)},
                ":s": {"S": k.JOINED_PREFIX},
            },
            ScanIndexForward=False,
        )
        room_ids = [link["roomId"]["S"] for link in links]
        found = batch_get(
            self._client,
            self._table,
            [k.key(k.room_pk(rid), k.ROOM_META) for rid in room_ids],
            operation="ListRoomsForUser",
        )
        rooms = {room.id: room for room in map(codec.room_from_item, found)}
        return Page([rooms[rid] for rid in room_ids if rid in rooms], token)

    # ------------------------------------------------------------------ memberships

    def get_membership(self, room_id: str, user_id: str) -> Membership | None:
        item = self._get(k.room_pk(room_id), k.member_sk(user_id), "GetMembership")
        return None if item is None else codec.membership_from_item(item)

    def add_membership(self, membership: Membership) -> Membership:
        """Join, or switch the reading language; counts follow in the same transaction.

        Returns what is stored (an existing member keeps its role and join time).
        Raises NotFoundError when the room does not exist.
        """
        for _ in range(_MEMBERSHIP_ATTEMPTS):
            current = self.get_membership(membership.room_id, membership.user.id)
            if current is not None and current.language == membership.language:
                return current
            if current is None:
                stored, items = membership, join_items(self._table, membership)
            else:
                stored = replace(current, language=membership.language)
                items = switch_language_items(self._table, current, membership.language)
            cancelled = transact_write(self._client, items, operation="AddMembership")
            if cancelled is None:
                return stored
            if cancelled.failed(len(items) - 1):  # the room META update is always last
                raise NotFoundError(f"room {membership.room_id} does not exist")
        raise StoreError("membership kept changing concurrently; try again")

    def remove_membership(self, membership: Membership) -> None:
        """Leave; counts follow in the same transaction. Leaving twice is a no-op."""
        for _ in range(_MEMBERSHIP_ATTEMPTS):
            current = self.get_membership(membership.room_id, membership.user.id)
            if current is None:
                return
            items = leave_items(self._table, current)
            cancelled = transact_write(self._client, items, operation="RemoveMembership")
            if cancelled is None:
                return
            if cancelled.failed(len(items) - 1):
                raise NotFoundError(f"room {membership.room_id} does not exist")
        raise StoreError("membership kept changing concurrently; try again")

    # ------------------------------------------------------------------ invitations

    def put_invitation(self, invitation: Invitation) -> None:
        with store_errors("PutInvitation"):
            self._client.put_item(TableName=self._table, Item=codec.invitation_to_item(invitation))

    def get_invitation(self, room_id: str, username: str) -> Invitation | None:
        item = self._get(k.room_pk(room_id), k.invite_sk(username), "GetInvitation")
        return None if item is None else codec.invitation_from_item(item)

    # ------------------------------------------------------------------ internals

    def _get(self, pk: str, sk: str, operation: str) -> codec.RawItem | None:
        # Strongly consistent: these reads gate writes (membership checks, create-then-use).
        with store_errors(operation):
            response = self._client.get_item(
                TableName=self._table, Key=k.key(pk, sk), ConsistentRead=True
            )
        return response.get("Item")
