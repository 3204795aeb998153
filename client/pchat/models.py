"""Results of the API as frozen dataclasses (GraphQL camelCase -> snake_case).

Parsing is tolerant of fields a selection set left out (they get neutral defaults), so
the same classes read subscription payloads, ``ConflictUnhandled`` data and query
results alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class PostStatus(StrEnum):
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class Author:
    id: str
    username: str

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any] | None) -> Author:
        raw = raw or {}
        return cls(id=str(raw.get("id", "")), username=str(raw.get("username", "")))


@dataclass(frozen=True)
class Sentiment:
    label: str
    positive: float
    negative: float
    neutral: float
    mixed: float

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any] | None) -> Sentiment | None:
        if not raw:
            return None
        return cls(label=str(raw.get("label", "")), positive=float(raw.get("positive", 0.0)),
                   negative=float(raw.get("negative", 0.0)),
                   neutral=float(raw.get("neutral", 0.0)), mixed=float(raw.get("mixed", 0.0)))


@dataclass(frozen=True)
class Translation:
    language: str
    text: str


@dataclass(frozen=True)
class Message:
    id: str
    room_id: str
    author: Author
    text: str
    language: str
    tags: tuple[str, ...]
    translations: tuple[Translation, ...]
    translation_status: str
    created_at: str
    client_id: str
    version: int
    last_changed_at: int
    deleted: bool
    sentiment: Sentiment | None = None
    moderation: str = ""
    untranslated_languages: tuple[str, ...] = ()
    points: int = 0
    edited_at: str | None = None

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> Message:
        return cls(
            id=str(raw["id"]), room_id=str(raw.get("roomId", "")),
            author=Author.from_graphql(raw.get("author")), text=str(raw.get("text") or ""),
            language=str(raw.get("language") or ""), tags=tuple(raw.get("tags") or ()),
            translations=tuple(Translation(str(t["language"]), str(t["text"]))
                               for t in raw.get("translations") or ()),
            translation_status=str(raw.get("translationStatus") or ""),
            created_at=str(raw.get("createdAt") or ""), client_id=str(raw.get("clientId") or ""),
            version=int(raw.get("_version") or 0),
            last_changed_at=int(raw.get("_lastChangedAt") or 0),
            deleted=bool(raw.get("_deleted")),
            sentiment=Sentiment.from_graphql(raw.get("sentiment")),
            moderation=str(raw.get("moderation") or ""),
            untranslated_languages=tuple(raw.get("untranslatedLanguages") or ()),
            points=int(raw.get("points") or 0), edited_at=raw.get("editedAt"),
        )

    @property
    def key(self) -> tuple[str, int]:
        """What identifies one change of a message: the dedupe key of sync and realtime."""
        return (self.id, self.version)

    def text_for(self, language: str | None) -> tuple[str, bool]:
        """The text a reader of ``language`` should see, and whether it is a translation.

        Falls back to the original when the message is in that language or no
        translation exists (offline there is no translation provider).
        """
        if language and not _same_language(language, self.language):
            for translation in self.translations:
                if _same_language(translation.language, language):
                    return translation.text, True
        return self.text, False


def _same_language(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


@dataclass(frozen=True)
class Rejection:
    reason: str
    message: str
    hint: str
    hint_language: str
    language: str
    threshold: float
    sentiment: Sentiment | None = None

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> Rejection:
        return cls(reason=str(raw.get("reason", "")), message=str(raw.get("message", "")),
                   hint=str(raw.get("hint", "")), hint_language=str(raw.get("hintLanguage", "")),
                   language=str(raw.get("language", "")),
                   threshold=float(raw.get("threshold") or 0.0),
                   sentiment=Sentiment.from_graphql(raw.get("sentiment")))


@dataclass(frozen=True)
class PostResult:
    """``postMessage``/``editMessage``: a rejection is an outcome, not an error."""

    status: PostStatus
    message: Message | None = None
    rejection: Rejection | None = None

    @property
    def accepted(self) -> bool:
        return self.status is PostStatus.ACCEPTED

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> PostResult:
        message, rejection = raw.get("message"), raw.get("rejection")
        return cls(status=PostStatus(raw["status"]),
                   message=Message.from_graphql(message) if message else None,
                   rejection=Rejection.from_graphql(rejection) if rejection else None)


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    visibility: str
    owner: Author
    languages: tuple[str, ...]
    member_count: int
    created_at: str
    description: str | None = None
    negativity_threshold: float = 0.6
    require_sentiment: bool = False

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> Room:
        return cls(id=str(raw["id"]), name=str(raw.get("name", "")),
                   visibility=str(raw.get("visibility", "")),
                   owner=Author.from_graphql(raw.get("owner")),
                   languages=tuple(raw.get("languages") or ()),
                   member_count=int(raw.get("memberCount") or 0),
                   created_at=str(raw.get("createdAt") or ""), description=raw.get("description"),
                   negativity_threshold=float(raw.get("negativityThreshold") or 0.6),
                   require_sentiment=bool(raw.get("requireSentiment")))


@dataclass(frozen=True)
class Membership:
    room_id: str
    user: Author
    role: str
    language: str
    joined_at: str

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> Membership:
        return cls(room_id=str(raw["roomId"]), user=Author.from_graphql(raw.get("user")),
                   role=str(raw.get("role", "")), language=str(raw.get("language", "")),
                   joined_at=str(raw.get("joinedAt", "")))


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int


@dataclass(frozen=True)
class TagCloud:
    room_id: str
    tags: tuple[TagCount, ...]
    updated_at: str | None = None

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> TagCloud:
        return cls(room_id=str(raw.get("roomId", "")),
                   tags=tuple(TagCount(str(t["tag"]), int(t["count"]))
                              for t in raw.get("tags") or ()),
                   updated_at=raw.get("updatedAt"))


class Granularity(StrEnum):
    """Bucket size of a tag trend: UTC hours or days."""

    HOUR = "HOUR"
    DAY = "DAY"


@dataclass(frozen=True)
class TrendBucket:
    """One hour or day of a trend: ``start`` (AWSDateTime, UTC) and its message count."""

    start: str
    count: int


@dataclass(frozen=True)
class TagTrend:
    """``tagTrends``: live messages with ``tag`` per bucket, oldest first, zeros included.

    ``window_from``/``window_to`` are the window the server counted (the schema's
    ``from``/``to``): the requested one widened to whole buckets.
    """

    tag: str
    room_id: str | None
    granularity: Granularity
    window_from: str
    window_to: str
    buckets: tuple[TrendBucket, ...]
    total: int

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> TagTrend:
        return cls(tag=str(raw.get("tag", "")), room_id=raw.get("roomId"),
                   granularity=Granularity(raw["granularity"]),
                   window_from=str(raw.get("from", "")), window_to=str(raw.get("to", "")),
                   buckets=tuple(TrendBucket(str(b["start"]), int(b["count"]))
                                 for b in raw.get("buckets") or ()),
                   total=int(raw.get("total") or 0))


@dataclass(frozen=True)
class SentimentCounts:
    """Live messages by sentiment label; ``unscored``: accepted without a score."""

    positive: int = 0
    negative: int = 0
    neutral: int = 0
    mixed: int = 0
    unscored: int = 0

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any] | None) -> SentimentCounts:
        raw = raw or {}
        return cls(**{name: int(raw.get(name) or 0)
                      for name in ("positive", "negative", "neutral", "mixed", "unscored")})


@dataclass(frozen=True)
class RoomStats:
    """``roomStats``: a room's activity over whole UTC days (``window_from``..``window_to``)."""

    room_id: str
    window_from: str
    window_to: str
    accepted: int
    rejected: int
    deleted: int
    sentiment: SentimentCounts
    active_authors: int

    @property
    def live(self) -> int:
        """Messages of the window that still exist (accepted minus deleted)."""
        return self.accepted - self.deleted

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> RoomStats:
        return cls(room_id=str(raw.get("roomId", "")), window_from=str(raw.get("from", "")),
                   window_to=str(raw.get("to", "")), accepted=int(raw.get("accepted") or 0),
                   rejected=int(raw.get("rejected") or 0), deleted=int(raw.get("deleted") or 0),
                   sentiment=SentimentCounts.from_graphql(raw.get("sentiment")),
                   active_authors=int(raw.get("activeAuthors") or 0))


@dataclass(frozen=True)
class LeaderboardEntry:
    rank: int
    user: Author
    points: int


@dataclass(frozen=True)
class Leaderboard:
    room_id: str
    entries: tuple[LeaderboardEntry, ...]

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> Leaderboard:
        return cls(room_id=str(raw.get("roomId", "")), entries=tuple(
            LeaderboardEntry(int(e["rank"]), Author.from_graphql(e.get("user")), int(e["points"]))
            for e in raw.get("entries") or ()))


@dataclass(frozen=True)
class Profile:
    id: str
    username: str
    preferred_language: str
    points: int
    rejected_count: int

    @classmethod
    def from_graphql(cls, raw: Mapping[str, Any]) -> Profile:
        return cls(id=str(raw["id"]), username=str(raw.get("username", "")),
                   preferred_language=str(raw.get("preferredLanguage", "")),
                   points=int(raw.get("points") or 0),
                   rejected_count=int(raw.get("rejectedCount") or 0))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a connection; pass ``next_token`` back for the next one (None: last)."""

    items: tuple[T, ...]
    next_token: str | None


@dataclass(frozen=True)
class SyncPage:
    """One page of ``syncMessages``: changes oldest first; ``started_at`` is the next lastSync."""

    items: tuple[Message, ...]
    next_token: str | None
    started_at: int


def messages_of(raw: Sequence[Mapping[str, Any]]) -> tuple[Message, ...]:
    return tuple(Message.from_graphql(item) for item in raw)
