"""DynamoDB stream records -> what the publisher needs (``services.publishing.StreamItem``).

Items say what they are in their ``entity`` attribute. Images without it are
tolerated and ignored: moto, for one, emits an extra keys-only record when an
UpdateItem creates an item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...services.publishing import StreamItem
from . import codec


def decode_stream_record(record: Mapping[str, Any]) -> StreamItem:
    """Decode one Lambda DynamoDB stream record (NEW_AND_OLD_IMAGES).

    Raises
    ------
    KeyError, ValueError
        the record is malformed (the stream handler reports it as a failed item).
    """
    record_id = str(record["eventID"])
    event_name = str(record["eventName"])
    change = record["dynamodb"]
    image = change.get("NewImage") or change.get("OldImage") or {}
    entity = (image.get("entity") or {}).get("S")
    if entity == codec.MESSAGE and "NewImage" in change:
        old_version = (change.get("OldImage") or {}).get("_version", {}).get("N")
        return StreamItem(
            record_id,
            event_name,
            message=codec.message_from_item(change["NewImage"]),
            previous_version=None if old_version is None else int(old_version),
        )
    if entity == codec.ROOM and "NewImage" in change:
        return StreamItem(record_id, event_name, room=codec.room_from_item(change["NewImage"]))
    if entity == codec.TAG_COUNT:
        room_id = (image.get("roomId") or {}).get("S")
        if room_id:
            return StreamItem(record_id, event_name, tag_room_id=str(room_id))
    return StreamItem(record_id, event_name)
