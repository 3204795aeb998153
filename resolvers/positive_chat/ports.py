"""Ports: what the services need from the outside world (typing.Protocol).

Adapters in ``positive_chat.adapters`` implement them; tests use in-memory
fakes (tests/fakes.py). Every method raises only ``positive_chat.domain.errors``
types: an adapter translates provider errors (botocore ``ClientError``) into
``StoreError`` / ``ProviderError`` before they cross this boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .domain.analytics import Capped, RoomDay, SentimentBucket, TagDay
from .domain.events import Change
from .domain.model import (
    Author,
    Invitation,
    LeaderboardEntry,
    Membership,
    Message,
    Page,
    Profile,
    Room,
    Sentiment,
    TagCount,
)
from .domain.tags import Phrase

# --------------------------------------------------------------------------- NLP


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # BCP-47 primary tag, e.g. "en", "zh-TW"
    confidence: float  # 0..1


class LanguageDetector(Protocol):
    def detect(self, text: str) -> LanguageGuess | None:
        """The dominant language, or None when it cannot be told (too short, unknown)."""
        ...


class SentimentAnalyzer(Protocol):
    def supports(self, language: str) -> bool:
        """Whether ``analyze`` can score text in this language."""
        ...

    def analyze(self, text: str, language: str) -> Sentiment:
        """Score the text. Raises ProviderError."""
        ...


class TopicExtractor(Protocol):
    def extract(self, text: str, language: str) -> list[Phrase]:
        """Key phrases (and entities where the provider has them), raw, with scores 0..1.

        Returns [] for a language the provider does not support. Raises ProviderError.
        """
        ...


class Translator(Protocol):
    @property
    def available(self) -> bool:
        """False when no translation provider exists (offline); never fake one."""
        ...

    def translate(self, text: str, source: str, targets: Sequence[str]) -> dict[str, str]:
        """Translations keyed by target language; a target that failed is absent.

        Raises TranslationUnavailableError when ``available`` is False, ProviderError
        when the provider fails for every target.
        """
        ...


class TranslationCache(Protocol):
    """Translations keyed by (hash of source language + text, target language)."""

    def get_many(self, text_key: str, targets: Sequence[str]) -> dict[str, str]: ...

    def put_many(self, text_key: str, translations: Mapping[str, str]) -> None: ...


# --------------------------------------------------------------------------- store


@dataclass(frozen=True)
class TagChange:
    """Counter and link changes a message write implies (for edits and deletes)."""

    added: frozenset[str]
    removed: frozenset[str]


class RoomRepository(Protocol):
    def create_room(self, room: Room, owner: Membership) -> None:
        """Room, the owner's membership and the room's language count, atomically."""
        ...

    def update_room(self, room: Room) -> None:
        """Write name, description and moderation settings (not counters)."""
        ...

    def get_room(self, room_id: str) -> Room | None: ...

    def list_public_rooms(self, limit: int, next_token: str | None) -> Page[Room]:
        """Newest first."""
        ...

    def list_rooms_for_user(self, user_id: str, limit: int, next_token: str | None) -> Page[Room]:
        """Rooms the user belongs to, most recently joined first."""
        ...

    def get_membership(self, room_id: str, user_id: str) -> Membership | None: ...

    def add_membership(self, membership: Membership) -> Membership:
        """Add (or change the language of) a membership, keeping the room's
        member count and language counts exact, atomically. Returns what is stored."""
        ...

    def remove_membership(self, membership: Membership) -> None: ...

    def put_invitation(self, invitation: Invitation) -> None: ...

    def get_invitation(self, room_id: str, username: str) -> Invitation | None: ...


class MessageRepository(Protocol):
    def add_message(self, message: Message) -> Message:
        """Store an accepted message with its tag links, the room's tag counters and the
        author's points in one transaction, idempotent on (room_id, client_id).

        Returns the stored message: the given one, or the one an earlier request with
        the same client_id stored (then nothing is written). Raises DuplicateRequestError
        when that earlier message has another author.
        """
        ...

    def get_message(self, room_id: str, message_id: str) -> Message | None: ...

    def get_message_by_client_id(self, room_id: str, client_id: str) -> Message | None:
        """The message an earlier post with this clientId stored, if any (a cheap
        read that lets a retry skip the NLP pipeline)."""
        ...

    def replace_message(
        self,
        message: Message,
        expected_version: int,
        tags: TagChange,
        points_delta: int,
        previous_sentiment: SentimentBucket,
    ) -> Message:
        """Write an edit or a tombstone if the stored version is ``expected_version``;
        tag links, counters, points and the analytics counters of the message's creation day
        follow in the same transaction. ``previous_sentiment`` is what the stored version
        counts as (the service read it; the version condition guarantees it is still so).

        Raises ConflictError carrying the current item when the version is stale,
        NotFoundError when the message does not exist.
        """
        ...

    def update_translations(self, message: Message, expected_version: int) -> bool:
        """Store ``message``'s translation fields (translations, translationStatus,
        untranslatedLanguages, pending translations) with its ``version`` and
        ``last_changed_at_ms``, if the stored message is at ``expected_version`` and not
        deleted; nothing else of the item changes (no counter moves).

        Returns False, writing nothing, when the message changed meanwhile or is gone.
        """
        ...

    def list_messages_for_room(
        self, room_id: str, limit: int, next_token: str | None
    ) -> Page[Message]:
        """Newest first, tombstones excluded."""
        ...

    def list_changes_for_room(
        self, room_id: str, since_ms: int, limit: int, next_token: str | None
    ) -> Page[Message]:
        """Messages whose last change is after since_ms (tombstones included), oldest change first."""
        ...

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
        """Newest first; one room, or every room when room_id is None. With from_ms/to_ms:
        only messages whose id (ULID) time is in ``[from_ms, to_ms)``."""
        ...


class StatsRepository(Protocol):
    def top_tags(self, room_id: str, limit: int) -> list[TagCount]:
        """The room's tags with the highest counts (count > 0), highest first."""
        ...

    def leaderboard(self, room_id: str, limit: int) -> list[LeaderboardEntry]: ...

    def record_rejection(self, room_id: str, author: Author, at_ms: int) -> None:
        """Count a rejected post for the user in the room, in the profile and in the room's
        counters of the day of ``at_ms``, atomically."""
        ...


class AnalyticsRepository(Protocol):
    """Reads of the analytics counters (written with the messages: MessageRepository).

    Days are UTC epoch days (``domain.analytics.epoch_day``), both bounds inclusive.
    ``room_id`` None means the counters across all rooms.
    """

    def tag_days(
        self, tag: str, room_id: str | None, first_day: int, last_day: int
    ) -> list[TagDay]:
        """The tag's daily counters (hours included), oldest first; days without any
        message carrying the tag may be absent."""
        ...

    def tag_days_in_window(
        self, room_id: str | None, first_day: int, last_day: int, max_items: int
    ) -> Capped[TagDay]:
        """Every tag's daily counters in the window, in no particular order, reading at
        most ``max_items`` counters (``complete`` False when more exist)."""
        ...

    def room_days(self, room_id: str, first_day: int, last_day: int) -> list[RoomDay]:
        """The room's daily counters, oldest first; quiet days may be absent."""
        ...

    def active_authors(
        self, room_id: str, first_day: int, last_day: int, max_items: int
    ) -> Capped[str]:
        """Ids of the authors with an accepted post on each day of the window (one entry
        per author and day), reading at most ``max_items`` entries."""
        ...


class Publisher(Protocol):
    """Pushes changes to subscribers (on AWS: the IAM-only publish mutations)."""

    def publish(self, changes: Sequence[Change]) -> list[Exception | None]:
        """Publish each change; returns, per change and in order, None or the error
        that prevented it (so the stream handler can report partial failures)."""
        ...


class ProfileRepository(Protocol):
    def get_profile(self, user_id: str) -> Profile | None: ...

    def put_profile(self, profile: Profile) -> Profile:
        """Create or update the preferred language; counters are kept."""
        ...
