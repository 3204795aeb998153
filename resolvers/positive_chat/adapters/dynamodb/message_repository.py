"""Messages, their tag links and the counters they move (port: ``MessageRepository``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...domain.analytics import SentimentBucket
from ...domain.errors import ConflictError, DuplicateRequestError, NotFoundError, StoreError
from ...domain.model import Message, Page
from ...ports import TagChange
from . import codec
from . import keys as k
from ._batch import batch_get
from ._errors import store_errors
from ._message_writes import post_items, replace_items
from ._pagination import PageScope, query_page
from ._transaction import transact_write

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_GUARD = 1  # position of the clientId guard in a post transaction


class _StaleError(StoreError):
    """The conditional translation update found another version (internal)."""

    def __init__(self) -> None:
        super().__init__("the message changed meanwhile")


def _live(item: codec.RawItem) -> bool:
    return not item.get("_deleted", {}).get("BOOL", False)


class DynamoMessageRepository:
    """Messages in the single table.

    ``tombstone_ttl_seconds``: how long a deleted message stays (for delta sync) before
    DynamoDB's TTL removes it (settings.tombstone_ttl_days * 86400).
    """

    def __init__(
        self, client: DynamoDBClient, table_name: str, *, tombstone_ttl_seconds: int
    ) -> None:
        self._client = client
        self._table = table_name
        self._tombstone_ttl = tombstone_ttl_seconds

    def add_message(self, message: Message) -> Message:
        """Message, clientId guard, tag links, tag counters and points in one transaction.

        Raises DuplicateRequestError when the clientId was used by another author.
        """
        cancelled = transact_write(
            self._client, post_items(self._table, message), operation="AddMessage"
        )
        if cancelled is None:
            return message
        if cancelled.failed(_GUARD):
            return self._original(message)
        raise StoreError(f"message id {message.id} is already taken")

    def _original(self, retry: Message) -> Message:
        """The message an earlier request with the same (room, clientId) stored."""
        guard = self._get(k.room_pk(retry.room_id), k.client_sk(retry.client_id))
        if guard is None:  # pragma: no cover - guards are never deleted
            raise StoreError("clientId guard vanished")
        if guard["authorId"]["S"] != retry.author.id:
            raise DuplicateRequestError("clientId was already used in this room by another user")
        original = self.get_message(retry.room_id, guard["messageId"]["S"])
        if original is None:
            # The tombstone of the original has expired; the id stays spent.
            raise DuplicateRequestError("clientId was already used for a message that is gone")
        return original

    def get_message_by_client_id(self, room_id: str, client_id: str) -> Message | None:
        """The message an earlier post with this clientId stored (guard, then message:
        two consistent reads), or None."""
        guard = self._get(k.room_pk(room_id), k.client_sk(client_id))
        return None if guard is None else self.get_message(room_id, guard["messageId"]["S"])

    def get_message(self, room_id: str, message_id: str) -> Message | None:
        item = self._get(k.room_pk(room_id), k.message_sk(message_id))
        return None if item is None else codec.message_from_item(item)

    def replace_message(
        self,
        message: Message,
        expected_version: int,
        tags: TagChange,
        points_delta: int,
        previous_sentiment: SentimentBucket,
    ) -> Message:
        """Edit or tombstone (``message.deleted``) if the stored version is ``expected_version``.

        ``message.version`` is stored as given (the service sets expected_version + 1).
        Tombstones get ``expiresAt`` = last change + the tombstone TTL.

        Raises ConflictError (``current`` = the stored message) when the version is stale,
        NotFoundError when the message does not exist.
        """
        expires_at = (
            message.last_changed_at_ms // 1000 + self._tombstone_ttl if message.deleted else None
        )
        # A tag both added and removed is no change (and one transaction may not touch an
        # item twice).
        added, removed = tags.added - tags.removed, tags.removed - tags.added
        items = replace_items(
            self._table,
            message,
            expected_version,
            added,
            removed,
            points_delta,
            expires_at,
            previous_sentiment,
        )
        cancelled = transact_write(self._client, items, operation="ReplaceMessage")
        if cancelled is None:
            return message
        if not cancelled.failed(0):
            raise StoreError("replacing the message was cancelled")
        stored: codec.RawItem | None = cancelled.items[0]
        if stored is None:  # backends that do not return ALL_OLD, or no item at all
            stored = self._get(k.room_pk(message.room_id), k.message_sk(message.id))
        if stored is None:
            raise NotFoundError(f"message {message.id} does not exist")
        current = codec.message_from_item(stored)
        raise ConflictError(
            f"message {message.id} is at version {current.version}, not {expected_version}",
            current=current,
        )

    def update_translations(self, message: Message, expected_version: int) -> bool:
        """One conditional UpdateItem of the translation attributes, the version and the
        last change (and the sync index key with it); False when the stored message is not
        at ``expected_version``, is a tombstone, or does not exist."""
        values, removed = codec.translation_fields(message)
        names = {f"#a{i}": name for i, name in enumerate(values)}
        by_name = {name: alias for alias, name in names.items()}
        sets = ", ".join(f"{by_name[name]} = :a{i}" for i, name in enumerate(values))
        update = f"SET {sets}"
        for j, name in enumerate(removed):
            names[f"#r{j}"] = name
        if removed:
            update += " REMOVE " + ", ".join(f"#r{j}" for j in range(len(removed)))
        names |= {"#v": "_version", "#d": "_deleted"}
        expression_values = {f":a{i}": value for i, value in enumerate(values.values())}
        expression_values |= {":expected": {"N": str(expected_version)}, ":no": {"BOOL": False}}
        condition_failed = _StaleError()
        try:
            with store_errors("UpdateTranslations", condition_failed=condition_failed):
                self._client.update_item(
                    TableName=self._table,
                    Key=k.key(k.room_pk(message.room_id), k.message_sk(message.id)),
                    UpdateExpression=update,
                    ConditionExpression="#v = :expected AND #d = :no",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=expression_values,
                )
        except _StaleError:
            return False
        return True

    def list_messages_for_room(
        self, room_id: str, limit: int, next_token: str | None
    ) -> Page[Message]:
        """Newest first (ULID order), tombstones skipped; a page may be short (see
        ``query_page``) but never skips a message."""
        pk = k.room_pk(room_id)
        scope = PageScope({k.PK: "S", k.SK: "S"}, fixed={k.PK: pk}, prefixes={k.SK: k.MSG_PREFIX})
        items, token = query_page(
            self._client,
            scope,
            limit=limit,
            next_token=next_token,
            keep=_live,
            operation="ListMessages",
            TableName=self._table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :m)",
            ExpressionAttributeValues={":p": {"S": pk}, ":m": {"S": k.MSG_PREFIX}},
            ScanIndexForward=False,
        )
        return Page([codec.message_from_item(i) for i in items], token)

    def list_changes_for_room(
        self, room_id: str, since_ms: int, limit: int, next_token: str | None
    ) -> Page[Message]:
        """gsi2: changes after ``since_ms``, oldest first, tombstones included."""
        scope = PageScope(
            {k.PK: "S", k.SK: "S", k.GSI2_PK: "S", k.GSI2_SK: "N"},
            fixed={k.GSI2_PK: k.sync_pk(room_id), k.PK: k.room_pk(room_id)},
            prefixes={k.SK: k.MSG_PREFIX},
        )
        items, token = query_page(
            self._client,
            scope,
            limit=limit,
            next_token=next_token,
            operation="ListChanges",
            TableName=self._table,
            IndexName=k.GSI2,
            KeyConditionExpression="gsi2pk = :p AND gsi2sk > :since",
            ExpressionAttributeValues={
                ":p": {"S": k.sync_pk(room_id)},
                ":since": {"N": str(since_ms)},
            },
        )
        return Page([codec.message_from_item(i) for i in items], token)

    def list_messages_for_tag(
        self,
        tag: str,
        room_id: str | None,
        limit: int,
        next_token: str | None,
        *,
        from_ms: int | None = None,
        to_ms: int | None = None,
    ) -> Page[Message]:
        """Newest first. One Query on the links (the room's link partition, or gsi1 across
        rooms), then one BatchGetItem of the messages. A message deleted between the two
        reads is skipped, so such a page can be short. The time window is a BETWEEN on the
        links' sort key, the message id: ULIDs start with their millisecond."""
        low, high = k.message_sk_bounds(from_ms, to_ms)
        if room_id is not None:
            pk = k.tag_link_pk(room_id, tag)
            bounds = (k.message_sk(low), k.message_sk(high))
            scope = PageScope(
                {k.PK: "S", k.SK: "S"},
                fixed={k.PK: pk},
                prefixes={k.SK: k.MSG_PREFIX},
                ranges={k.SK: bounds},
            )
            query: dict[str, Any] = {
                "KeyConditionExpression": "pk = :p AND sk BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": {
                    ":p": {"S": pk},
                    ":lo": {"S": bounds[0]},
                    ":hi": {"S": bounds[1]},
                },
            }
        else:
            gsi_pk = k.tag_gsi1pk(tag)
            scope = PageScope(
                {k.PK: "S", k.SK: "S", k.GSI1_PK: "S", k.GSI1_SK: "S"},
                fixed={k.GSI1_PK: gsi_pk},
                prefixes={k.PK: k.room_pk(""), k.SK: k.MSG_PREFIX},
                ranges={k.GSI1_SK: (low, high)},
            )
            query = {
                "IndexName": k.GSI1,
                "KeyConditionExpression": "gsi1pk = :p AND gsi1sk BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": {
                    ":p": {"S": gsi_pk},
                    ":lo": {"S": low},
                    ":hi": {"S": high},
                },
            }
        links, token = query_page(
            self._client,
            scope,
            limit=limit,
            next_token=next_token,
            operation="ListMessagesForTag",
            TableName=self._table,
            ScanIndexForward=False,
            **query,
        )
        refs = [(link["roomId"]["S"], link["messageId"]["S"]) for link in links]
        found = batch_get(
            self._client,
            self._table,
            [k.key(k.room_pk(rid), k.message_sk(mid)) for rid, mid in refs],
            operation="ListMessagesForTag",
        )
        by_ref = {(m.room_id, m.id): m for m in map(codec.message_from_item, found)}
        messages = [by_ref[ref] for ref in refs if ref in by_ref and not by_ref[ref].deleted]
        return Page(messages, token)

    def _get(self, pk: str, sk: str) -> codec.RawItem | None:
        # Strongly consistent: read right after a write (idempotent retries, conflicts).
        with store_errors("GetItem"):
            response = self._client.get_item(
                TableName=self._table, Key=k.key(pk, sk), ConsistentRead=True
            )
        return response.get("Item")
