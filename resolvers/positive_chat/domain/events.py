"""Outcomes of a post or edit (past tense). A rejection is data, not an exception."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Message, Rejection, Room, TagCount


@dataclass(frozen=True)
class MessageAccepted:
    message: Message
    # False when an earlier request with the same clientId had already stored it.
    created: bool = True


@dataclass(frozen=True)
class MessageRejected:
    rejection: Rejection


PostOutcome = MessageAccepted | MessageRejected


# --- Changes pushed to subscribers (decided by the stream handler from the table's stream).


@dataclass(frozen=True)
class MessageChanged:
    """A message was created, edited or deleted (tombstone)."""

    message: Message


@dataclass(frozen=True)
class TagCloudChanged:
    room_id: str
    tags: tuple[TagCount, ...]
    updated_at_ms: int


@dataclass(frozen=True)
class RoomCreated:
    room: Room


Change = MessageChanged | TagCloudChanged | RoomCreated
