"""Transaction items for storing and replacing a message with everything that follows it.

Positions matter: item 0 is always the message, item 1 of a post is the clientId guard
(callers read the cancellation reasons by index). Sizes stay below the 100-item limit
(``_transaction.MAX_TRANSACTION_ITEMS``), with the analytics counters (``_analytics_writes``):

* post: message + guard + per tag (link, cloud counter, 2 tag-day counters) + room day +
  author day + 2 for points = 6 + 4·tags, at most 46 (10 tags);
* edit that swaps all 10 tags: message + per changed tag (link, cloud counter, 2 tag-day
  counters) for 20 tags + room day + 2 for points = 84;
* delete: message + 4 per tag + room day + 2 for points = at most 44.

Tags are deduplicated first: one transaction may not touch the same item twice.
"""

from __future__ import annotations

from ...domain.analytics import SentimentBucket
from ...domain.model import Author, Message
from . import _analytics_writes as analytics
from . import codec
from . import keys as k
from ._update_ops import Op, update_op


def tag_counter(table: str, room_id: str, tag: str, delta: int) -> Op:
    # gsi3sk *is* the count, so the tag cloud is one Query on gsi3, highest first.
    sets = {
        "entity": codec.TAG_COUNT,
        "roomId": room_id,
        "tag": tag,
        k.GSI3_PK: k.cloud_pk(room_id),
    }
    return update_op(table, k.room_pk(room_id), k.tag_counter_sk(tag), sets, {k.GSI3_SK: delta})


def tag_link(table: str, msg: Message, tag: str) -> Op:
    """A keys-only pointer to the message: reads fetch the message itself (BatchGetItem),
    so an edit never has to rewrite links whose tag did not change."""
    item = codec.to_item(
        {
            k.PK: k.tag_link_pk(msg.room_id, tag),
            k.SK: k.message_sk(msg.id),
            "entity": codec.TAG_LINK,
            "roomId": msg.room_id,
            "messageId": msg.id,
            "tag": tag,
            "createdAt": msg.created_at_ms,
            k.GSI1_PK: k.tag_gsi1pk(tag),
            k.GSI1_SK: msg.id,
        }
    )
    return {"Put": {"TableName": table, "Item": item}}


def tag_unlink(table: str, msg: Message, tag: str) -> Op:
    key = k.key(k.tag_link_pk(msg.room_id, tag), k.message_sk(msg.id))
    return {"Delete": {"TableName": table, "Key": key}}


def points(table: str, room_id: str, author: Author, delta: int) -> list[Op]:
    """The room leaderboard entry and the profile total; nothing when delta is 0."""
    if delta == 0:
        return []
    board = {
        "entity": codec.SCORE,
        "roomId": room_id,
        "userId": author.id,
        "username": author.username,
        k.GSI3_PK: k.board_pk(room_id),
    }
    profile = {"entity": codec.PROFILE, "userId": author.id}
    return [
        update_op(table, k.room_pk(room_id), k.score_sk(author.id), board, {k.GSI3_SK: delta}),
        update_op(table, k.user_pk(author.id), k.PROFILE, profile, {"points": delta}),
    ]


def post_items(table: str, msg: Message) -> list[Op]:
    guard = codec.to_item(
        {
            k.PK: k.room_pk(msg.room_id),
            k.SK: k.client_sk(msg.client_id),
            "entity": codec.CLIENT_GUARD,
            "roomId": msg.room_id,
            "clientId": msg.client_id,
            "messageId": msg.id,
            "authorId": msg.author.id,
            "createdAt": msg.created_at_ms,
        }
    )
    tags = sorted(set(msg.tags))
    return [
        {
            "Put": {
                "TableName": table,
                "Item": codec.message_to_item(msg),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        # The guard makes the post idempotent: a retry with the same clientId fails here
        # and the whole transaction (counters included) is cancelled.
        {
            "Put": {
                "TableName": table,
                "Item": guard,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        *(tag_link(table, msg, tag) for tag in tags),
        *(tag_counter(table, msg.room_id, tag, +1) for tag in tags),
        *points(table, msg.room_id, msg.author, msg.points),
        *analytics.posted(table, msg),
    ]


def replace_items(
    table: str,
    msg: Message,
    expected_version: int,
    added: frozenset[str],
    removed: frozenset[str],
    points_delta: int,
    expires_at: int | None,
    previous_sentiment: SentimentBucket,
) -> list[Op]:
    put = {
        "TableName": table,
        "Item": codec.message_to_item(msg, expires_at=expires_at),
        "ConditionExpression": "attribute_exists(pk) AND #v = :expected",
        "ExpressionAttributeNames": {"#v": "_version"},
        "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
        # The conflict error carries the current item: get it with the failure, no extra read.
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    return [
        {"Put": put},
        *(tag_unlink(table, msg, tag) for tag in sorted(removed)),
        *(tag_link(table, msg, tag) for tag in sorted(added)),
        *(tag_counter(table, msg.room_id, tag, -1) for tag in sorted(removed)),
        *(tag_counter(table, msg.room_id, tag, +1) for tag in sorted(added)),
        *points(table, msg.room_id, msg.author, points_delta),
        *analytics.replaced(table, msg, added, removed, previous_sentiment),
    ]
