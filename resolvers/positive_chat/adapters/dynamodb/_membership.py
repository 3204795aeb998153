"""Transaction items for joining, leaving and switching language.

Each list ends with the room META update guarded by ``attribute_exists(pk)`` (callers rely
on that position to tell "room missing" apart). The membership item carries a condition on
its current state, so two concurrent changes cannot both apply their count deltas: the
loser's transaction is cancelled and it re-reads.

Language counts are map entries (``languages.#lang``): ADD cannot touch nested attributes,
hence ``SET x = if_not_exists(x, 0) ± 1``. An entry that drops to 0 is kept (Room's
``reader_languages`` ignores it): removing it would need a second, conditional write.
"""

from __future__ import annotations

from typing import Any

from ...domain.model import Membership
from . import codec
from . import keys as k
from .codec import Item

_ONE = {"N": "1"}
_ZERO = {"N": "0"}


def _meta_update(table: str, room_id: str, members: int, langs: dict[str, int]) -> dict[str, Any]:
    parts, names, values = [], {}, {":zero": _ZERO}
    if members:
        parts.append("memberCount = memberCount + :members")
        values[":members"] = {"N": str(members)}
    for i, (lang, delta) in enumerate(sorted(langs.items())):
        parts.append(f"languages.#l{i} = if_not_exists(languages.#l{i}, :zero) + :d{i}")
        names[f"#l{i}"] = lang
        values[f":d{i}"] = {"N": str(delta)}
    return {
        "Update": {
            "TableName": table,
            "Key": k.key(k.room_pk(room_id), k.ROOM_META),
            "UpdateExpression": "SET " + ", ".join(parts),
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def _put(table: str, item: Item, condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table, "Item": item}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def join_items(table: str, m: Membership) -> list[dict[str, Any]]:
    return [
        _put(table, codec.membership_to_item(m), "attribute_not_exists(pk)"),
        _put(table, codec.user_room_to_item(m)),
        _meta_update(table, m.room_id, +1, {m.language: +1}),
    ]


def switch_language_items(table: str, current: Membership, new: str) -> list[dict[str, Any]]:
    return [
        {
            "Update": {
                "TableName": table,
                "Key": k.key(k.room_pk(current.room_id), k.member_sk(current.user.id)),
                "UpdateExpression": "SET #lang = :new",
                "ConditionExpression": "#lang = :old",
                "ExpressionAttributeNames": {"#lang": "language"},
                "ExpressionAttributeValues": {":new": {"S": new}, ":old": {"S": current.language}},
            }
        },
        _meta_update(table, current.room_id, 0, {current.language: -1, new: +1}),
    ]


def leave_items(table: str, current: Membership) -> list[dict[str, Any]]:
    return [
        {
            "Delete": {
                "TableName": table,
                "Key": k.key(k.room_pk(current.room_id), k.member_sk(current.user.id)),
                "ConditionExpression": "#lang = :old",
                "ExpressionAttributeNames": {"#lang": "language"},
                "ExpressionAttributeValues": {":old": {"S": current.language}},
            }
        },
        {
            "Delete": {
                "TableName": table,
                "Key": k.key(
                    k.user_pk(current.user.id),
                    k.user_room_sk(current.joined_at_ms, current.room_id),
                ),
            }
        },
        _meta_update(table, current.room_id, -1, {current.language: -1}),
    ]
