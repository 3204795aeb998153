"""Every partition, sort and index key string of the single table, and nothing else.

docs/data-model.md draws the design. Ids embedded in keys cannot contain ``#`` (room and
user ids are checked by the domain; message ids are ULIDs), so ``ROOM#{room}#TAG#{tag}``
is unambiguous even when a tag contains ``#``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ...domain.ids import ulid_ceiling, ulid_floor

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


# ----------------------------------------------------------------- analytics counters
# Day keys are ISO dates ("2025-03-07"): string order is time order, and an export or a
# console reader sees the date. Composite sort keys put the day first so that one Query with
# BETWEEN reads a whole window; "$" is the character after "#", so ``{last}$`` is just past
# every ``{last}#...`` key.
ALL_ROOMS = "TAGDAYS"  # the cross-room tag counters' partition
_EPOCH = date(1970, 1, 1)


def day_key(epoch_day: int) -> str:
    return (_EPOCH + timedelta(days=epoch_day)).isoformat()


def epoch_day_of(key: str) -> int:
    return (date.fromisoformat(key) - _EPOCH).days


def hour_attribute(hour: int) -> str:
    """The hourly count inside a tag-day counter: h00 .. h23."""
    return f"h{hour:02d}"


def tag_days_pk(room_id: str | None) -> str:
    """Tag-day counters of one room, or of all rooms (None)."""
    return ALL_ROOMS if room_id is None else f"ROOM#{room_id}#TAGDAYS"


def tag_day_sk(epoch_day: int, tag: str) -> str:
    return f"{day_key(epoch_day)}#{tag}"


def trend_gsi1pk(room_id: str | None, tag: str) -> str:
    """gsi1 partition of one tag's counters (one room, or all rooms), sorted by day."""
    return f"TREND#{tag}" if room_id is None else f"ROOM#{room_id}#TREND#{tag}"


def room_days_pk(room_id: str) -> str:
    return f"ROOM#{room_id}#DAYS"


def authors_pk(room_id: str) -> str:
    return f"ROOM#{room_id}#AUTHORS"


def author_day_sk(epoch_day: int, user_id: str) -> str:
    return f"{day_key(epoch_day)}#{user_id}"


def day_bounds(first_day: int, last_day: int) -> tuple[str, str]:
    """BETWEEN bounds covering every ``{day}#...`` sort key of the days, both inclusive."""
    return f"{day_key(first_day)}#", f"{day_key(last_day)}$"


def message_sk_bounds(from_ms: int | None, to_ms: int | None) -> tuple[str, str]:
    """BETWEEN bounds on message ids (ULIDs) created in ``[from_ms, to_ms)``."""
    low = ulid_floor(from_ms if from_ms is not None else 0)
    # "Z" sorts after every ULID character, so an open end needs no timestamp.
    high = ulid_ceiling(to_ms - 1) if to_ms is not None else "Z" * 26
    return low, high


def xlate_pk(text_key: str) -> str:
    return f"XLATE#{text_key}"


def key(pk: str, sk: str) -> dict[str, Any]:
    """A primary key in DynamoDB's attribute-value form."""
    return {PK: {"S": pk}, SK: {"S": sk}}
