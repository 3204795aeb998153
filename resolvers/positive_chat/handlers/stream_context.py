"""Wiring for the stream publisher, built once per cold start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..ports import Publisher, StatsRepository
from ..services.pending_translations import PendingTranslations
from ..services.publishing import StreamItem
from ..settings import Settings


@dataclass(frozen=True)
class PublishingDeps:
    decode: Callable[[dict[str, Any]], StreamItem]
    stats: StatsRepository
    publisher: Publisher
    # Completes translations a post left pending; None: nothing to complete.
    pending: PendingTranslations | None = None


_override: PublishingDeps | None = None


def use_publishing(deps: PublishingDeps | None) -> None:
    """Install dependencies (tests); None resets."""
    global _override
    _override = deps


def publishing() -> PublishingDeps:
    return _override if _override is not None else _from_env()


@lru_cache(maxsize=1)
def _from_env() -> PublishingDeps:
    import boto3

    from ..adapters.appsync import AppSyncPublisher
    from ..adapters.dynamodb import (
        DynamoMessageRepository,
        DynamoStatsRepository,
        DynamoTranslationCache,
        decode_stream_record,
    )
    from ..bootstrap import now_ms, translator_for
    from ..services.translation import TranslationService

    settings = Settings.from_env()
    session = boto3.session.Session()
    client = session.client("dynamodb", region_name=settings.region)
    table = settings.table_name
    translation = TranslationService(
        translator_for(settings),
        DynamoTranslationCache(
            client, table, ttl_seconds=settings.translation_cache_ttl_days * 86400
        ),
        max_targets=settings.max_translations,
    )
    messages = DynamoMessageRepository(
        client, table, tombstone_ttl_seconds=settings.tombstone_ttl_days * 86400
    )
    return PublishingDeps(
        decode=decode_stream_record,
        stats=DynamoStatsRepository(client, table),
        publisher=AppSyncPublisher(
            settings.graphql_url, settings.region, session.get_credentials()
        ),
        pending=PendingTranslations(translation, messages, now_ms),
    )
