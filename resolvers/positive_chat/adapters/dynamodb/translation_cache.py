"""Translations cached by (source text key, target language) (port: ``TranslationCache``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from . import codec
from . import keys as k
from ._batch import batch_get, batch_put

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoTranslationCache:
    """``XLATE#{textKey}`` / ``{target}`` items that expire after ``ttl_seconds``.

    TTL deletion is lazy (DynamoDB removes expired items within days, not at once), so
    reads also drop items whose ``expiresAt`` has passed. ``clock`` returns epoch seconds.
    """

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._table = table_name
        self._ttl = ttl_seconds
        self._clock = clock

    def get_many(self, text_key: str, targets: Sequence[str]) -> dict[str, str]:
        """Cached translations among ``targets`` (one BatchGetItem; absent ones omitted)."""
        wanted = sorted(set(targets))
        if not wanted:
            return {}
        found = batch_get(
            self._client,
            self._table,
            [k.key(k.xlate_pk(text_key), target) for target in wanted],
            operation="GetTranslations",
        )
        now = int(self._clock())
        return {
            item[k.SK]["S"]: item["text"]["S"]
            for item in found
            if int(item[k.TTL_ATTRIBUTE]["N"]) > now
        }

    def put_many(self, text_key: str, translations: Mapping[str, str]) -> None:
        """Store each translation (BatchWriteItem; a cache, so not atomic)."""
        expires_at = int(self._clock()) + self._ttl
        items = [
            codec.to_item(
                {
                    k.PK: k.xlate_pk(text_key),
                    k.SK: target,
                    "entity": codec.XLATE,
                    "text": text,
                    k.TTL_ATTRIBUTE: expires_at,
                }
            )
            for target, text in sorted(translations.items())
        ]
        if items:
            batch_put(self._client, self._table, items, operation="PutTranslations")
