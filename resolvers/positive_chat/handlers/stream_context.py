"""Wiring for the stream publisher, built once per cold start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..ports import Publisher, StatsRepository
from ..services.publishing import StreamItem
from ..settings import Settings


@dataclass(frozen=True)
class PublishingDeps:
    decode: Callable[[dict[str, Any]], StreamItem]
    stats: StatsRepository
    publisher: Publisher


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
    from ..adapters.dynamodb import DynamoStatsRepository, decode_stream_record

    settings = Settings.from_env()
    session = boto3.session.Session()
    client = session.client("dynamodb", region_name=settings.region)
    return PublishingDeps(
        decode=decode_stream_record,
        stats=DynamoStatsRepository(client, settings.table_name),
        publisher=AppSyncPublisher(
            settings.graphql_url, settings.region, session.get_credentials()
        ),
    )
