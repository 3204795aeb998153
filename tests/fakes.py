"""In-memory fakes of the store ports, for unit tests of the services.

They honour the same contract as the DynamoDB adapter (the store contract suite
in tests/integration/store runs against them too), including atomicity and
idempotency, with one lock standing in for DynamoDB's transactions.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TypeVar

from positive_chat.domain.analytics import SentimentBucket
from positive_chat.domain.errors import (
    ConflictError,
    DuplicateRequestError,
    InvalidPageTokenError,
    NotFoundError,
)
from positive_chat.domain.events import Change
from positive_chat.domain.ids import ulid_time_ms
from positive_chat.domain.model import (
    Author,
    Invitation,
    LeaderboardEntry,
    Membership,
    Message,
    Page,
    Profile,
    Room,
    TagCount,
)
from positive_chat.ports import TagChange

from tests._fake_analytics import AnalyticsCounters

T = TypeVar("T")


def _token(scope: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([scope, offset]).encode()).decode()


def _offset(scope: str, token: str | None) -> int:
    if token is None:
        return 0
    try:
        got_scope, offset = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidPageTokenError() from exc
    if got_scope != scope or not isinstance(offset, int) or offset < 0:
        raise InvalidPageTokenError()
    return offset


def _page(items: list[T], scope: str, limit: int, token: str | None) -> Page[T]:
    start = _offset(scope, token)
    chunk = items[start : start + limit]
    more = start + limit < len(items)
    return Page(chunk, _token(scope, start + limit) if more else None)


class InMemoryStore(AnalyticsCounters):
    """Implements RoomRepository, MessageRepository, StatsRepository, ProfileRepository,
    TranslationCache and AnalyticsRepository (tests/_fake_analytics.py)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self.rooms: dict[str, Room] = {}
        self.members: dict[tuple[str, str], Membership] = {}
        self.invitations: dict[tuple[str, str], Invitation] = {}
        self.messages: dict[tuple[str, str], Message] = {}
        self.client_ids: dict[tuple[str, str], str] = {}
        self.tag_counts: dict[str, dict[str, int]] = defaultdict(dict)
        self.scores: dict[str, dict[str, tuple[Author, int]]] = defaultdict(dict)
        self.rejections: dict[tuple[str, str], int] = defaultdict(int)
        self.profiles: dict[str, Profile] = {}
        self.translations: dict[tuple[str, str], str] = {}

    # rooms
    def create_room(self, room: Room, owner: Membership) -> None:
        with self._lock:
            self.rooms[room.id] = room
            self.members[(room.id, owner.user.id)] = owner

    def update_room(self, room: Room) -> None:
        with self._lock:
            current = self.rooms[room.id]
            self.rooms[room.id] = dataclasses.replace(
                current,
                name=room.name,
                description=room.description,
                negativity_threshold=room.negativity_threshold,
                require_sentiment=room.require_sentiment,
            )

    def get_room(self, room_id: str) -> Room | None:
        return self.rooms.get(room_id)

    def list_public_rooms(self, limit: int, next_token: str | None) -> Page[Room]:
        rooms = sorted(
            (r for r in self.rooms.values() if r.is_public), key=lambda r: r.id, reverse=True
        )
        return _page(rooms, "public", limit, next_token)

    def list_rooms_for_user(self, user_id: str, limit: int, next_token: str | None) -> Page[Room]:
        mine = sorted(
            (m for (_, uid), m in self.members.items() if uid == user_id),
            key=lambda m: (m.joined_at_ms, m.room_id),
            reverse=True,
        )
        return _page([self.rooms[m.room_id] for m in mine], f"mine:{user_id}", limit, next_token)

    def get_membership(self, room_id: str, user_id: str) -> Membership | None:
        return self.members.get((room_id, user_id))

    def add_membership(self, membership: Membership) -> Membership:
        with self._lock:
            room = self.rooms[membership.room_id]
            languages = dict(room.languages)
            old = self.members.get((membership.room_id, membership.user.id))
            count = room.member_count
            if old is not None:
                languages[old.language] = languages.get(old.language, 0) - 1
            else:
                count += 1
            languages[membership.language] = languages.get(membership.language, 0) + 1
            self.rooms[room.id] = dataclasses.replace(room, languages=languages, member_count=count)
            self.members[(membership.room_id, membership.user.id)] = membership
            return membership

    def remove_membership(self, membership: Membership) -> None:
        with self._lock:
            old = self.members.pop((membership.room_id, membership.user.id), None)
            if old is None:
                return
            room = self.rooms[membership.room_id]
            languages = dict(room.languages)
            languages[old.language] = languages.get(old.language, 0) - 1
            self.rooms[room.id] = dataclasses.replace(
                room, languages=languages, member_count=room.member_count - 1
            )

    def put_invitation(self, invitation: Invitation) -> None:
        self.invitations[(invitation.room_id, invitation.username)] = invitation

    def get_invitation(self, room_id: str, username: str) -> Invitation | None:
        return self.invitations.get((room_id, username))

    # messages
    def add_message(self, message: Message) -> Message:
        with self._lock:
            key = (message.room_id, message.client_id)
            if key in self.client_ids:
                earlier = self.messages[(message.room_id, self.client_ids[key])]
                if earlier.author.id != message.author.id:
                    raise DuplicateRequestError("clientId already used by another author")
                return earlier
            self.client_ids[key] = message.id
            self.messages[(message.room_id, message.id)] = message
            self._count_cloud(message.room_id, message.tags, +1)
            self._add_points(message.room_id, message.author, message.points)
            self._count_post(message)
            return message

    def get_message(self, room_id: str, message_id: str) -> Message | None:
        return self.messages.get((room_id, message_id))

    def get_message_by_client_id(self, room_id: str, client_id: str) -> Message | None:
        message_id = self.client_ids.get((room_id, client_id))
        return None if message_id is None else self.messages[(room_id, message_id)]

    def replace_message(
        self,
        message: Message,
        expected_version: int,
        tags: TagChange,
        points_delta: int,
        previous_sentiment: SentimentBucket,
    ) -> Message:
        with self._lock:
            current = self.messages.get((message.room_id, message.id))
            if current is None:
                raise NotFoundError(f"Message {message.id} does not exist")
            if current.version != expected_version:
                raise ConflictError("stale version", current=current)
            self.messages[(message.room_id, message.id)] = message
            added, removed = tags.added - tags.removed, tags.removed - tags.added
            self._count_cloud(message.room_id, added, +1)
            self._count_cloud(message.room_id, removed, -1)
            self._add_points(message.room_id, message.author, points_delta)
            self._count_replace(message, added, removed, previous_sentiment)
            return message

    def update_translations(self, message: Message, expected_version: int) -> bool:
        with self._lock:
            current = self.messages.get((message.room_id, message.id))
            if current is None or current.deleted or current.version != expected_version:
                return False
            self.messages[(message.room_id, message.id)] = dataclasses.replace(
                current,
                translations=message.translations,
                translation_status=message.translation_status,
                untranslated_languages=message.untranslated_languages,
                pending_translations=message.pending_translations,
                version=message.version,
                last_changed_at_ms=message.last_changed_at_ms,
            )
            return True

    def list_messages_for_room(
        self, room_id: str, limit: int, next_token: str | None
    ) -> Page[Message]:
        items = sorted(
            (m for (rid, _), m in self.messages.items() if rid == room_id and not m.deleted),
            key=lambda m: m.id,
            reverse=True,
        )
        return _page(items, f"room:{room_id}", limit, next_token)

    def list_changes_for_room(
        self, room_id: str, since_ms: int, limit: int, next_token: str | None
    ) -> Page[Message]:
        items = sorted(
            (
                m
                for (rid, _), m in self.messages.items()
                if rid == room_id and m.last_changed_at_ms > since_ms
            ),
            key=lambda m: (m.last_changed_at_ms, m.id),
        )
        return _page(items, f"sync:{room_id}:{since_ms}", limit, next_token)

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
        low, high = from_ms or 0, to_ms if to_ms is not None else 1 << 48
        items = sorted(
            (
                m
                for (rid, _), m in self.messages.items()
                if tag in m.tags
                and not m.deleted
                and (room_id is None or rid == room_id)
                and low <= ulid_time_ms(m.id) < high
            ),
            key=lambda m: m.id,
            reverse=True,
        )
        return _page(items, f"tag:{tag}:{room_id}:{from_ms}:{to_ms}", limit, next_token)

    # stats
    def top_tags(self, room_id: str, limit: int) -> list[TagCount]:
        counts = [(t, c) for t, c in self.tag_counts[room_id].items() if c > 0]
        counts.sort(key=lambda tc: (-tc[1], tc[0]))
        return [TagCount(t, c) for t, c in counts[:limit]]

    def leaderboard(self, room_id: str, limit: int) -> list[LeaderboardEntry]:
        ranked = sorted(self.scores[room_id].values(), key=lambda ap: (-ap[1], ap[0].id))
        ranked = [ap for ap in ranked if ap[1] > 0][:limit]
        return [
            LeaderboardEntry(i + 1, author, points) for i, (author, points) in enumerate(ranked)
        ]

    def record_rejection(self, room_id: str, author: Author, at_ms: int) -> None:
        with self._lock:
            self.rejections[(room_id, author.id)] += 1
            self._count_rejection(room_id, at_ms)
            profile = self.profiles.get(author.id) or Profile(author, "en")
            self.profiles[author.id] = dataclasses.replace(
                profile, rejected_count=profile.rejected_count + 1
            )

    # profiles
    def get_profile(self, user_id: str) -> Profile | None:
        return self.profiles.get(user_id)

    def put_profile(self, profile: Profile) -> Profile:
        with self._lock:
            current = self.profiles.get(profile.user.id)
            stored = (
                profile
                if current is None
                else dataclasses.replace(current, preferred_language=profile.preferred_language)
            )
            self.profiles[profile.user.id] = stored
            return stored

    # translation cache
    def get_many(self, text_key: str, targets: Sequence[str]) -> dict[str, str]:
        return {
            t: self.translations[(text_key, t)]
            for t in targets
            if (text_key, t) in self.translations
        }

    def put_many(self, text_key: str, translations: Mapping[str, str]) -> None:
        for target, text in translations.items():
            self.translations[(text_key, target)] = text

    # internals
    def _count_cloud(self, room_id: str, tags: frozenset[str] | tuple[str, ...], delta: int) -> None:
        for tag in tags:
            self.tag_counts[room_id][tag] = self.tag_counts[room_id].get(tag, 0) + delta

    def _add_points(self, room_id: str, author: Author, delta: int) -> None:
        if delta == 0:
            return
        _, points = self.scores[room_id].get(author.id, (author, 0))
        self.scores[room_id][author.id] = (author, points + delta)
        profile = self.profiles.get(author.id) or Profile(author, "en")
        self.profiles[author.id] = dataclasses.replace(profile, points=profile.points + delta)


class RecordingPublisher:
    """Publisher fake: remembers what was published; can be told to fail some changes."""

    def __init__(self) -> None:
        self.published: list[Change] = []
        self.fail_when: list[type] = []

    def publish(self, changes: Sequence[Change]) -> list[Exception | None]:
        results: list[Exception | None] = []
        for change in changes:
            if any(isinstance(change, kind) for kind in self.fail_when):
                results.append(RuntimeError("publish failed"))
            else:
                self.published.append(change)
                results.append(None)
        return results


# --------------------------------------------------------------------------- NLP port fakes
# Test doubles for the NLP ports: they make flows deterministic. They are never
# wired into the product (bootstrap only knows the AWS and local adapters).

from positive_chat.domain.errors import (  # noqa: E402
    ProviderError,
    ProviderThrottledError,
    TranslationUnavailableError,
)
from positive_chat.domain.model import Sentiment, SentimentLabel  # noqa: E402
from positive_chat.domain.tags import Phrase  # noqa: E402
from positive_chat.ports import LanguageGuess  # noqa: E402

NEUTRAL = Sentiment(SentimentLabel.NEUTRAL, 0.05, 0.05, 0.9, 0.0)
HAPPY = Sentiment(SentimentLabel.POSITIVE, 0.95, 0.01, 0.04, 0.0)
ANGRY = Sentiment(SentimentLabel.NEGATIVE, 0.01, 0.9, 0.09, 0.0)


class ScriptedDetector:
    def __init__(self, language: str | None = "en", confidence: float = 0.99) -> None:
        self.language, self.confidence, self.calls = language, confidence, 0

    def detect(self, text: str) -> LanguageGuess | None:
        self.calls += 1
        return None if self.language is None else LanguageGuess(self.language, self.confidence)


class ScriptedSentiment:
    """Words 'love'/'great' -> POSITIVE, 'hate'/'idiot' -> NEGATIVE, else NEUTRAL."""

    def __init__(self, languages: tuple[str, ...] = ("en",)) -> None:
        self.languages, self.calls = languages, 0

    def supports(self, language: str) -> bool:
        return language in self.languages

    def analyze(self, text: str, language: str) -> Sentiment:
        self.calls += 1
        lowered = text.lower()
        if "hate" in lowered or "idiot" in lowered:
            return ANGRY
        if "love" in lowered or "great" in lowered:
            return HAPPY
        return NEUTRAL


class CapitalisedTopics:
    """Capitalised words are topics (score 0.9)."""

    def extract(self, text: str, language: str) -> list[Phrase]:
        return [Phrase(w.strip(".,!?"), 0.9) for w in text.split() if w[:1].isupper()]


class RecordingTranslator:
    """Marks its output as a test translation; records every call; can fail chosen targets
    for good (``failing``) or retryably, as throttling (``throttled``)."""

    def __init__(
        self,
        available: bool = True,
        failing: tuple[str, ...] = (),
        throttled: tuple[str, ...] = (),
    ) -> None:
        self._available = available
        self.failing = failing
        self.throttled = throttled
        self.calls: list[tuple[str, str, tuple[str, ...]]] = []

    @property
    def available(self) -> bool:
        return self._available

    def translate(self, text: str, source: str, targets: Sequence[str]) -> dict[str, str]:
        if not self._available:
            raise TranslationUnavailableError("no translator")
        self.calls.append((text, source, tuple(targets)))
        refused = set(self.failing) | set(self.throttled)
        out = {t: f"[{source}->{t}] {text}" for t in targets if t not in refused}
        if not out and set(targets) & set(self.throttled):
            info = {"provider": "translate", "operation": "TranslateText",
                    "code": "ThrottlingException", "retryable": True}
            raise ProviderThrottledError("translate TranslateText failed", info=info)
        if not out:
            raise ProviderError("every target failed")
        return out
