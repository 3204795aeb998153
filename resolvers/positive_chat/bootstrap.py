"""Wiring: settings -> adapters -> services. The only place that picks implementations."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .domain.ids import UlidFactory
from .domain.limits import DEFAULT_LIMITS, Limits
from .ports import (
    AnalyticsRepository,
    LanguageDetector,
    MessageRepository,
    ProfileRepository,
    RoomRepository,
    SentimentAnalyzer,
    StatsRepository,
    TopicExtractor,
    TranslationCache,
    Translator,
)
from .services.access import RoomAccess
from .services.analysis import Analysis
from .services.analytics import AnalyticsService
from .services.messages import MessageService
from .services.rooms import RoomService
from .services.stats import StatsService
from .services.translation import TranslationService

if TYPE_CHECKING:
    from botocore.config import Config

    from .settings import Settings


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Nlp:
    detector: LanguageDetector
    sentiment: SentimentAnalyzer
    topics: TopicExtractor
    translator: Translator


@dataclass(frozen=True)
class Store:
    rooms: RoomRepository
    messages: MessageRepository
    stats: StatsRepository
    profiles: ProfileRepository
    translations: TranslationCache | None
    analytics: AnalyticsRepository


@dataclass(frozen=True)
class Services:
    rooms: RoomService
    messages: MessageService
    stats: StatsService
    analytics: AnalyticsService
    store: Store


def build_services(
    store: Store,
    nlp: Nlp,
    *,
    max_translations: int = 5,
    limits: Limits = DEFAULT_LIMITS,
    clock_ms: object = now_ms,
) -> Services:
    """Assemble the services from ports (tests pass fakes or real adapters here)."""
    clock = clock_ms if callable(clock_ms) else now_ms
    ids = UlidFactory(clock)
    access = RoomAccess(store.rooms)
    translation = TranslationService(
        nlp.translator, store.translations, max_targets=max_translations
    )
    analysis = Analysis(nlp.detector, nlp.sentiment, nlp.topics, translation, limits)
    return Services(
        rooms=RoomService(
            access=access,
            rooms=store.rooms,
            profiles=store.profiles,
            ids=ids,
            clock_ms=clock,
            limits=limits,
        ),
        messages=MessageService(
            access=access,
            messages=store.messages,
            stats=store.stats,
            analysis=analysis,
            translation=translation,
            ids=ids,
            clock_ms=clock,
            limits=limits,
        ),
        stats=StatsService(
            access=access, stats=store.stats, profiles=store.profiles, limits=limits
        ),
        analytics=AnalyticsService(access=access, analytics=store.analytics, limits=limits),
        store=store,
    )


def bootstrap(settings: Settings) -> Services:
    """Real adapters for the configured environment (AWS, or local with DynamoDB Local)."""
    return build_services(
        dynamodb_store(settings), nlp_for(settings), max_translations=settings.max_translations
    )


def dynamodb_store(settings: Settings) -> Store:
    import boto3

    from .adapters.dynamodb import (
        DynamoAnalyticsRepository,
        DynamoMessageRepository,
        DynamoProfileRepository,
        DynamoRoomRepository,
        DynamoStatsRepository,
        DynamoTranslationCache,
    )

    client = boto3.client("dynamodb", region_name=settings.region)
    table = settings.table_name
    return Store(
        rooms=DynamoRoomRepository(client, table),
        messages=DynamoMessageRepository(
            client, table, tombstone_ttl_seconds=settings.tombstone_ttl_days * 86400
        ),
        stats=DynamoStatsRepository(client, table),
        profiles=DynamoProfileRepository(client, table),
        translations=DynamoTranslationCache(
            client, table, ttl_seconds=settings.translation_cache_ttl_days * 86400
        ),
        analytics=DynamoAnalyticsRepository(client, table),
    )


# Comprehend and Translate clients (docs/nlp.md, "Time budget"). Every call is bounded:
# connect 1 s, read 3 s (real answers take 0.05-0.5 s), retried in botocore's standard mode,
# which backs off on throttling (random(0, 1 s x 2^attempt)) and on 5xx (50 ms scale).
# total_max_attempts counts every call, the first one included:
# * Comprehend 3: language, sentiment and topics are required; a post that still fails
#   answers ProviderThrottled/ProviderError (retryable) and the client sends it again;
# * Translate 2: a failed target is pending and the stream handler tries it once more.
# Whatever the SDK does, the request's deadline (services/budget.py) has the last word.
PROVIDER_CONNECT_TIMEOUT_S = 1
PROVIDER_READ_TIMEOUT_S = 3
PROVIDER_ATTEMPTS = {"comprehend": 3, "translate": 2}


def provider_config(service: str) -> Config:
    """The botocore client configuration for ``comprehend`` or ``translate``."""
    from botocore.config import Config

    return Config(
        connect_timeout=PROVIDER_CONNECT_TIMEOUT_S,
        read_timeout=PROVIDER_READ_TIMEOUT_S,
        retries={"mode": "standard", "total_max_attempts": PROVIDER_ATTEMPTS[service]},
    )


def nlp_for(settings: Settings) -> Nlp:
    from .adapters import nlp

    if settings.nlp_provider == "local":
        detector = nlp.LinguaLanguageDetector(settings.local_nlp_languages)
        return Nlp(
            detector,
            nlp.VaderSentimentAnalyzer(),
            nlp.YakeTopicExtractor(),
            nlp.UnavailableTranslator(),
        )
    import boto3

    comprehend = boto3.client(
        "comprehend", region_name=settings.region, config=provider_config("comprehend")
    )
    return Nlp(
        nlp.ComprehendLanguageDetector(comprehend),
        nlp.ComprehendSentimentAnalyzer(comprehend),
        nlp.ComprehendTopicExtractor(comprehend),
        translator_for(settings),
    )


def translator_for(settings: Settings) -> Translator:
    """The translator alone (the stream handler completes pending translations with it)."""
    from .adapters import nlp

    if settings.nlp_provider == "local":
        return nlp.UnavailableTranslator()
    import boto3

    translate = boto3.client(
        "translate", region_name=settings.region, config=provider_config("translate")
    )
    return nlp.AmazonTranslator(translate)
