"""Commands: what a caller asks the system to do (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Caller, Visibility


@dataclass(frozen=True)
class CreateRoom:
    caller: Caller
    name: str
    visibility: Visibility
    description: str | None = None
    negativity_threshold: float | None = None
    require_sentiment: bool | None = None
    language: str | None = None


@dataclass(frozen=True)
class UpdateRoom:
    caller: Caller
    room_id: str
    name: str | None = None
    description: str | None = None
    negativity_threshold: float | None = None
    require_sentiment: bool | None = None


@dataclass(frozen=True)
class JoinRoom:
    caller: Caller
    room_id: str
    language: str | None = None


@dataclass(frozen=True)
class LeaveRoom:
    caller: Caller
    room_id: str


@dataclass(frozen=True)
class InviteToRoom:
    caller: Caller
    room_id: str
    username: str


@dataclass(frozen=True)
class PostMessage:
    caller: Caller
    room_id: str
    text: str
    client_id: str
    language: str | None = None


@dataclass(frozen=True)
class EditMessage:
    caller: Caller
    room_id: str
    message_id: str
    text: str
    expected_version: int
    language: str | None = None


@dataclass(frozen=True)
class DeleteMessage:
    caller: Caller
    room_id: str
    message_id: str
    expected_version: int
