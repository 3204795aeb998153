"""Entities and value objects of the chat domain (frozen dataclasses)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


class Visibility(enum.StrEnum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


class Role(enum.StrEnum):
    OWNER = "OWNER"
    MEMBER = "MEMBER"


class SentimentLabel(enum.StrEnum):
    POSITIVE = "POSITIVE"
    NEGATIVE = "NEGATIVE"
    NEUTRAL = "NEUTRAL"
    MIXED = "MIXED"


class ModerationStatus(enum.StrEnum):
    SCORED = "SCORED"
    SCORED_VIA_TRANSLATION = "SCORED_VIA_TRANSLATION"
    UNSCORED = "UNSCORED"


class TranslationStatus(enum.StrEnum):
    COMPLETE = "COMPLETE"
    NOT_NEEDED = "NOT_NEEDED"
    PARTIAL = "PARTIAL"
    UNAVAILABLE = "UNAVAILABLE"


class RejectionReason(enum.StrEnum):
    NEGATIVE_SENTIMENT = "NEGATIVE_SENTIMENT"
    SENTIMENT_UNAVAILABLE = "SENTIMENT_UNAVAILABLE"


class CallerKind(enum.StrEnum):
    USER = "USER"  # Cognito user pool (or OIDC) token
    API_KEY = "API_KEY"  # anonymous, read-only, public rooms only
    IAM = "IAM"  # tools and the stream publisher


ANALYSTS_GROUP = "analysts"
MODERATORS_GROUP = "moderators"


@dataclass(frozen=True)
class Caller:
    """Who is calling, as established by AppSync from the request's credentials."""

    kind: CallerKind
    user_id: str | None = None
    username: str | None = None
    groups: frozenset[str] = frozenset()

    @property
    def is_user(self) -> bool:
        return self.kind is CallerKind.USER and self.user_id is not None

    @property
    def is_analyst(self) -> bool:
        return self.kind is CallerKind.IAM or ANALYSTS_GROUP in self.groups

    @property
    def is_moderator(self) -> bool:
        return MODERATORS_GROUP in self.groups


@dataclass(frozen=True)
class Author:
    id: str
    username: str


@dataclass(frozen=True)
class Sentiment:
    label: SentimentLabel
    positive: float
    negative: float
    neutral: float
    mixed: float


@dataclass(frozen=True)
class Translation:
    language: str
    text: str


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    description: str | None
    visibility: Visibility
    owner: Author
    negativity_threshold: float
    require_sentiment: bool
    created_at_ms: int
    # Reading language -> number of members reading it (translation targets).
    languages: dict[str, int] = field(default_factory=dict)
    member_count: int = 0

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    @property
    def reader_languages(self) -> list[str]:
        """Languages at least one member reads, most readers first, then by code."""
        live = [(n, lang) for lang, n in self.languages.items() if n > 0]
        return [lang for _, lang in sorted(live, key=lambda p: (-p[0], p[1]))]


@dataclass(frozen=True)
class Membership:
    room_id: str
    user: Author
    role: Role
    language: str
    joined_at_ms: int


@dataclass(frozen=True)
class Invitation:
    room_id: str
    username: str
    invited_by: Author
    created_at_ms: int


@dataclass(frozen=True)
class Message:
    id: str
    room_id: str
    author: Author
    text: str
    language: str
    sentiment: Sentiment | None
    moderation: ModerationStatus
    tags: tuple[str, ...]
    translations: tuple[Translation, ...]
    translation_status: TranslationStatus
    untranslated_languages: tuple[str, ...]
    points: int
    created_at_ms: int
    client_id: str
    version: int
    last_changed_at_ms: int
    deleted: bool = False
    edited_at_ms: int | None = None
    # Reader languages (also in ``untranslated_languages``) the request's time budget or a
    # retryable provider failure left untranslated: the stream handler tries them once more
    # and stores the outcome as the next version (services/pending_translations.py).
    # Internal state: not part of the GraphQL type.
    pending_translations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejection:
    reason: RejectionReason
    message: str
    hint: str
    hint_language: str
    language: str
    sentiment: Sentiment | None
    threshold: float


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int


@dataclass(frozen=True)
class LeaderboardEntry:
    rank: int
    user: Author
    points: int


@dataclass(frozen=True)
class Profile:
    user: Author
    preferred_language: str
    points: int = 0
    rejected_count: int = 0


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing; ``next_token`` is opaque to the domain."""

    items: list[T]
    next_token: str | None = None
