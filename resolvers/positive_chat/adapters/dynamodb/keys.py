"""Every partition, sort and index key string of the single table, and nothing else.

docs/data-model.md draws the design. Ids embedded in keys cannot contain ``#`` (room and
user ids are checked by the domain; message ids are ULIDs), so ``ROOM#{room}#TAG#{tag}``
is unambiguous even when a tag contains ``#``.
"""

from __future__ import annotations

from typing import Any

# ----------------------------------------------------------------- attribute names
PK, SK = "pk", "sk"
GSI1, GSI1_PK, GSI1_SK = "gsi1", "gsi1pk", "gsi1sk"  # tags across rooms; public rooms
GSI2, GSI2_PK, GSI2_SK = "gsi2", "gsi2pk", "gsi2sk"  # delta sync (gsi2sk: N, ms)
GSI3, GSI3_PK, GSI3_SK = "gsi3", "gsi3pk", "gsi3sk"  # rankings (gsi3sk: N, the count)
TTL_ATTRIBUTE = "expiresAt"  # epoch seconds; DynamoDB deletes the item some time after

# ----------------------------------------------------------------- sort-key constants
ROOM_META = "META"
PROFILE = "PROFILE"
MSG_PREFIX = "MSG#"
JOINED_PREFIX = "JOINED#"
PUBLIC_ROOMS = "ROOMS#PUBLIC"

# Milliseconds are zero-padded so that string order is time order (13 digits: until 2286).
_MS_DIGITS = 13


def room_pk(room_id: str) -> str:
    return f"ROOM#{room_id}"


def member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def user_room_sk(joined_at_ms: int, room_id: str) -> str:
    """The user-side membership copy sorts by join time: rooms(scope: MINE) is newest first."""
    return f"{JOINED_PREFIX}{joined_at_ms:0{_MS_DIGITS}d}#{room_id}"


def invite_sk(username: str) -> str:
    return f"INVITE#{username}"


def message_sk(message_id: str) -> str:
    return f"{MSG_PREFIX}{message_id}"


def client_sk(client_id: str) -> str:
    return f"CLIENT#{client_id}"


def tag_link_pk(room_id: str, tag: str) -> str:
    return f"ROOM#{room_id}#TAG#{tag}"


def tag_gsi1pk(tag: str) -> str:
    return f"TAG#{tag}"


def tag_counter_sk(tag: str) -> str:
    return f"TAG#{tag}"


def score_sk(user_id: str) -> str:
    return f"SCORE#{user_id}"


def reject_sk(user_id: str) -> str:
    return f"REJECT#{user_id}"


def sync_pk(room_id: str) -> str:
    return f"SYNC#{room_id}"


def cloud_pk(room_id: str) -> str:
    return f"CLOUD#{room_id}"


def board_pk(room_id: str) -> str:
    return f"BOARD#{room_id}"


def xlate_pk(text_key: str) -> str:
    return f"XLATE#{text_key}"


def key(pk: str, sk: str) -> dict[str, Any]:
    """A primary key in DynamoDB's attribute-value form."""
    return {PK: {"S": pk}, SK: {"S": sk}}
