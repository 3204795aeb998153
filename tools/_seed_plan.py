"""A deterministic plan of realistic chat traffic: rooms, members, posts, edits, deletes and
rejections, all decided up front from one seed (``build_plan``), so that the data is the
same whatever order concurrent workers write it in, and tests can compute the truth from
the plan itself.

Realism, in short: rooms differ in activity (Zipf), a few authors write most messages
(Zipf), days grow busier towards the end and quieter at weekends, hours follow a daily
rhythm, each room has its themes, a few tags trend for some days, sentiment is mostly
positive with some neutral, mixed, mildly negative (below the gate) and unscored messages.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field, replace

from positive_chat.domain.analytics import MS_PER_DAY, MS_PER_HOUR
from positive_chat.domain.ids import ulid_at
from positive_chat.domain.model import (
    Author,
    Membership,
    Message,
    ModerationStatus,
    Role,
    Room,
    Sentiment,
    SentimentLabel,
    TranslationStatus,
    Visibility,
)
from positive_chat.domain.moderation import points_for

# 2026-01-01T00:00:00Z: a fixed end keeps a seed's data identical from one day to the next.
DEFAULT_END_MS = 1_767_225_600_000

# Normalised tags (as domain.tags.normalise_tag leaves them), most popular first.
_WORDS = """
coffee rome paris football python music jazz hiking garden roses tea pizza pasta sushi
cinema books chess yoga running cycling photography travel beach mountains snow rain
sunshine weekend holidays birthday cats dogs baking recipes vegan climate startups ai
cloud serverless graphql rust javascript design art museums concerts festival marathon
tennis basketball olympics podcasts gaming knitting bees birds astronomy moon science
history poetry languages kids school exams meetings deadline lunch dinner breakfast wine
cheese chocolate summer winter spring autumn family friends wedding volunteering charity
health sleep meditation fitness swimming sailing camping trains bikes solar recycling
community neighbours market bakery library theatre opera dance guitar piano
"""
TOPICS: tuple[str, ...] = (
    *_WORDS.split(),
    "machine learning",
    "board games",
    "world cup",
    "remote work",
    "ice cream",
    "road trip",
    "electric cars",
    "new year",
    "coffee break",
)
_HOURLY = (1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 9, 9, 8, 8, 8, 9, 10, 10, 9, 7, 4, 2)
_TAG_COUNTS = ((0, 1, 2, 3, 4), (15, 35, 30, 15, 5))
_LANGUAGES = (("en", "fr", "es", "de"), (70, 12, 10, 8))


@dataclass(frozen=True)
class SeedConfig:
    rooms: int = 20
    days: int = 90
    messages: int = 50_000
    seed: int = 42
    end_ms: int = DEFAULT_END_MS
    edit_rate: float = 0.05
    delete_rate: float = 0.03
    reject_rate: float = 0.04

    @property
    def start_ms(self) -> int:
        return self.end_ms - self.days * MS_PER_DAY


@dataclass(frozen=True)
class Chain:
    """One message's life: posted, maybe edited once, maybe deleted (in that order)."""

    post: Message
    edit: Message | None = None
    tombstone: Message | None = None

    @property
    def final(self) -> Message:
        return self.tombstone or self.edit or self.post


@dataclass(frozen=True)
class Rejection:
    room_id: str
    author: Author
    at_ms: int


@dataclass
class SeedPlan:
    config: SeedConfig
    rooms: list[Room] = field(default_factory=list)
    members: list[Membership] = field(default_factory=list)  # owners excluded
    chains: list[Chain] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def final_messages(self) -> list[Message]:
        return [c.final for c in self.chains]


def _zipf(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank**s) for rank in range(1, n + 1)))


def _sentiment(rng: random.Random) -> Sentiment | None:
    roll = rng.random()
    if roll < 0.06:
        return None  # no provider for the language: accepted UNSCORED
    if roll < 0.61:
        pos = rng.uniform(0.6, 0.99)
        return Sentiment(SentimentLabel.POSITIVE, pos, (1 - pos) * 0.1, (1 - pos) * 0.9, 0.0)
    if roll < 0.89:
        neu = rng.uniform(0.6, 0.95)
        return Sentiment(SentimentLabel.NEUTRAL, (1 - neu) / 2, (1 - neu) / 2, neu, 0.0)
    if roll < 0.96:
        return Sentiment(SentimentLabel.MIXED, 0.3, 0.3, 0.1, 0.3)
    neg = rng.uniform(0.35, 0.55)  # below the default threshold (0.6): stored
    return Sentiment(SentimentLabel.NEGATIVE, 0.05, neg, 0.95 - neg, 0.0)


class _Planner:
    def __init__(self, config: SeedConfig) -> None:
        self.c = config
        # Not for security: a seeded generator is the point (same seed, same data).
        self.rng = random.Random(config.seed)  # noqa: S311
        self.plan = SeedPlan(config)
        self.room_members: list[list[Author]] = []
        self.room_themes: list[list[str]] = []
        self.day_weights = self._day_weights()
        self.tag_weights = self._tag_weights_per_day()

    def _day_weights(self) -> list[float]:
        start_day = self.c.start_ms // MS_PER_DAY
        weights = []
        for d in range(self.c.days):
            weekend = (start_day + d + 3) % 7 >= 5  # 1970-01-01 was a Thursday
            weights.append((1 + 0.6 * d / self.c.days) * (0.75 if weekend else 1.0))
        return list(itertools.accumulate(weights))

    def _tag_weights_per_day(self) -> list[list[float]]:
        base = [1 / (rank**1.1) for rank in range(1, len(TOPICS) + 1)]
        trending = self.rng.sample(range(len(TOPICS)), 5)
        centres = [self.rng.uniform(0, self.c.days) for _ in trending]
        per_day = []
        for d in range(self.c.days):
            weights = list(base)
            for topic, centre in zip(trending, centres, strict=True):
                weights[topic] *= 1 + 8 * math.exp(-(((d - centre) / 3) ** 2))
            per_day.append(list(itertools.accumulate(weights)))
        return per_day

    def rooms(self) -> None:
        users = [
            Author(f"seed-user-{i:04d}", f"user{i:04d}") for i in range(max(50, self.c.rooms * 8))
        ]
        created = self.c.start_ms - MS_PER_DAY
        for i in range(self.c.rooms):
            members = self.rng.sample(users, self.rng.randint(3, min(40, len(users))))
            owner = members[0]
            lang = self.rng.choices(*_LANGUAGES)[0]
            room = Room(
                id=f"seed-room-{i:03d}",
                name=f"{TOPICS[i % len(TOPICS)].title()} lovers",
                description="seeded by tools/seed_messages.py",
                visibility=Visibility.PRIVATE if i % 4 == 3 else Visibility.PUBLIC,
                owner=owner,
                negativity_threshold=0.6,
                require_sentiment=False,
                created_at_ms=created,
                languages={lang: 1},
                member_count=1,
            )
            self.plan.rooms.append(room)
            for n, member in enumerate(members[1:], start=1):
                language = self.rng.choices(*_LANGUAGES)[0]
                self.plan.members.append(
                    Membership(room.id, member, Role.MEMBER, language, created + n)
                )
            self.room_members.append(members)
            self.room_themes.append(self.rng.sample(TOPICS, 12))

    def _tags(self, room: int, day: int) -> tuple[str, ...]:
        count = self.rng.choices(*_TAG_COUNTS)[0]
        tags: list[str] = []
        for _ in range(count * 3):  # a few tries to find distinct tags
            if len(tags) == count:
                break
            if self.rng.random() < 0.6:
                tag = self.rng.choice(self.room_themes[room])
            else:
                tag = self.rng.choices(TOPICS, cum_weights=self.tag_weights[day])[0]
            if tag not in tags:
                tags.append(tag)
        return tuple(tags)

    def _message(self, index: int, room: int, author: Author, created: int) -> Message:
        day = (created - self.c.start_ms) // MS_PER_DAY
        tags = self._tags(room, day)
        sentiment = _sentiment(self.rng)
        return Message(
            id=ulid_at(created, self.rng.getrandbits(80)),
            room_id=self.plan.rooms[room].id,
            author=author,
            text=f"Talking about {', '.join(tags) or 'the day'} (message {index})",
            language="en",
            sentiment=sentiment,
            moderation=ModerationStatus.UNSCORED if sentiment is None else ModerationStatus.SCORED,
            tags=tags,
            translations=(),
            translation_status=TranslationStatus.NOT_NEEDED,
            untranslated_languages=(),
            points=points_for(sentiment),
            created_at_ms=created,
            client_id=f"seed-{self.c.seed}-{index:07d}",
            version=1,
            last_changed_at_ms=created,
        )

    def _when(self) -> int:
        day = self.rng.choices(range(self.c.days), cum_weights=self.day_weights)[0]
        hour = self.rng.choices(range(24), weights=_HOURLY)[0]
        return (
            self.c.start_ms
            + day * MS_PER_DAY
            + hour * MS_PER_HOUR
            + self.rng.randrange(MS_PER_HOUR)
        )

    def _edited(self, post: Message, room: int) -> Message | None:
        at = min(post.created_at_ms + self.rng.randrange(60_000, 3 * MS_PER_DAY), self.c.end_ms - 1)
        if at <= post.created_at_ms:
            return None
        tags = list(post.tags[1:]) if post.tags else []
        extra = self.rng.choice(self.room_themes[room])
        if extra not in tags and len(tags) < 4:
            tags.append(extra)
        sentiment = _sentiment(self.rng) if self.rng.random() < 0.3 else post.sentiment
        return replace(
            post,
            text=post.text + " (edited)",
            tags=tuple(tags),
            sentiment=sentiment,
            moderation=ModerationStatus.UNSCORED if sentiment is None else ModerationStatus.SCORED,
            points=points_for(sentiment),
            version=2,
            last_changed_at_ms=at,
            edited_at_ms=at,
        )

    def _tombstone(self, current: Message) -> Message | None:
        at = min(
            current.last_changed_at_ms + self.rng.randrange(60_000, 5 * MS_PER_DAY),
            self.c.end_ms - 1,
        )
        if at <= current.last_changed_at_ms:
            return None
        return replace(
            current,
            text="",
            tags=(),
            translations=(),
            untranslated_languages=(),
            points=0,
            sentiment=None,
            deleted=True,
            version=current.version + 1,
            last_changed_at_ms=at,
        )

    def messages(self) -> None:
        room_weights = _zipf(self.c.rooms, 0.8)
        author_weights = [_zipf(len(m), 1.0) for m in self.room_members]
        for index in range(self.c.messages):
            room = self.rng.choices(range(self.c.rooms), cum_weights=room_weights)[0]
            author = self.rng.choices(self.room_members[room], cum_weights=author_weights[room])[0]
            post = self._message(index, room, author, self._when())
            edit = self._edited(post, room) if self.rng.random() < self.c.edit_rate else None
            gone = self._tombstone(edit or post) if self.rng.random() < self.c.delete_rate else None
            self.plan.chains.append(Chain(post, edit, gone))
        for _ in range(round(self.c.messages * self.c.reject_rate)):
            room = self.rng.choices(range(self.c.rooms), cum_weights=room_weights)[0]
            author = self.rng.choice(self.room_members[room])
            self.plan.rejections.append(Rejection(self.plan.rooms[room].id, author, self._when()))


def build_plan(config: SeedConfig) -> SeedPlan:
    """Everything to write, decided from ``config.seed`` alone."""
    planner = _Planner(config)
    planner.rooms()
    planner.messages()
    return planner.plan
