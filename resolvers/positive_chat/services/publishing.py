"""What to push to subscribers for a batch of table changes.

The stream handler decodes records into ``StreamItem``s; this module decides the
publications: every message insert/edit/tombstone is pushed as it happened, a
room's tag cloud is pushed ONCE per batch (after the batch's last counter change
of that room, read fresh from the store), and public rooms are announced when created.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..domain.events import Change, MessageChanged, RoomCreated, TagCloudChanged
from ..domain.model import Message, Room
from ..ports import StatsRepository

TAG_CLOUD_SIZE = 30


@dataclass(frozen=True)
class StreamItem:
    """One stream record, decoded. Exactly one of message / room / tag_room_id is set
    for records that matter; records of other item types carry none."""

    record_id: str
    event_name: str  # INSERT | MODIFY | REMOVE
    message: Message | None = None
    room: Room | None = None
    tag_room_id: str | None = None
    # The message's version before a MODIFY (its OldImage), when the record has one.
    previous_version: int | None = None


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    # record_id -> indexes into ``changes`` whose failure must fail that record.
    depends_on: dict[str, list[int]] = field(default_factory=dict)


def plan(items: Sequence[StreamItem], stats: StatsRepository, clock_ms: Callable[[], int]) -> Plan:
    """Publications for a batch, in stream order, and which record each depends on."""
    last_tag_record: dict[str, str] = {}
    for item in items:
        if item.tag_room_id is not None:
            last_tag_record[item.tag_room_id] = item.record_id
    result = Plan()
    for item in items:
        change = _change_for(item, last_tag_record, stats, clock_ms)
        if change is not None:
            result.depends_on.setdefault(item.record_id, []).append(len(result.changes))
            result.changes.append(change)
    return result


def _change_for(
    item: StreamItem,
    last_tag_record: dict[str, str],
    stats: StatsRepository,
    clock_ms: Callable[[], int],
) -> Change | None:
    if item.message is not None and item.event_name in ("INSERT", "MODIFY"):
        if item.event_name == "MODIFY" and item.previous_version == item.message.version:
            # Internal bookkeeping (a background translation attempt that added nothing
            # clears its pending mark): nothing a reader sees changed.
            return None
        return MessageChanged(item.message)
    if item.room is not None and item.event_name == "INSERT" and item.room.is_public:
        return RoomCreated(item.room)
    if item.tag_room_id is not None and last_tag_record.get(item.tag_room_id) == item.record_id:
        tags = tuple(stats.top_tags(item.tag_room_id, TAG_CLOUD_SIZE))
        return TagCloudChanged(item.tag_room_id, tags, clock_ms())
    return None
