"""The one typed settings object. The only module that reads ``os.environ``.

| variable                      | meaning                                              | default  |
|-------------------------------|------------------------------------------------------|----------|
| TABLE_NAME                    | the single DynamoDB table                            | required |
| NLP_PROVIDER                  | ``aws`` (Comprehend + Translate) or ``local``        | aws      |
| LOCAL_NLP_LANGUAGES           | languages the local detector knows (comma list)      | en,fr,es,de,it,pt |
| MAX_TRANSLATIONS              | translations stored per message (bound)              | 5        |
| TOMBSTONE_TTL_DAYS            | how long deleted messages stay visible to sync       | 30       |
| TRANSLATION_CACHE_TTL_DAYS    | DynamoDB translation cache lifetime                  | 30       |
| GRAPHQL_URL                   | the API's GraphQL URL (stream publisher only)        | ""       |
| AWS_REGION                    | set by Lambda                                        | us-east-1 |

Endpoints for local runs come from botocore's own ``AWS_ENDPOINT_URL_<SERVICE>``
variables (e.g. ``AWS_ENDPOINT_URL_DYNAMODB``), so no code path differs locally.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

NlpProvider = Literal["aws", "local"]


class SettingsError(ValueError):
    """The environment is missing or has an invalid value."""


@dataclass(frozen=True)
class Settings:
    table_name: str
    region: str = "us-east-1"
    nlp_provider: NlpProvider = "aws"
    local_nlp_languages: tuple[str, ...] = ("en", "fr", "es", "de", "it", "pt")
    max_translations: int = 5
    tombstone_ttl_days: int = 30
    translation_cache_ttl_days: int = 30
    graphql_url: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Parse the environment once (bootstrap calls this).

        Raises
        ------
        SettingsError
            a required variable is missing or a value is invalid.
        """
        env = os.environ if env is None else env
        table = env.get("TABLE_NAME", "").strip()
        if not table:
            raise SettingsError("TABLE_NAME is not set")
        provider = env.get("NLP_PROVIDER", "aws").strip().lower()
        if provider not in ("aws", "local"):
            raise SettingsError(f"NLP_PROVIDER must be 'aws' or 'local', not {provider!r}")
        languages = tuple(
            code.strip()
            for code in env.get("LOCAL_NLP_LANGUAGES", "en,fr,es,de,it,pt").split(",")
            if code.strip()
        )
        return cls(
            table_name=table,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            nlp_provider=provider,  # type: ignore[arg-type]
            local_nlp_languages=languages,
            max_translations=_int(env, "MAX_TRANSLATIONS", 5, 0, 20),
            tombstone_ttl_days=_int(env, "TOMBSTONE_TTL_DAYS", 30, 1, 3650),
            translation_cache_ttl_days=_int(env, "TRANSLATION_CACHE_TTL_DAYS", 30, 1, 3650),
            graphql_url=env.get("GRAPHQL_URL", "").strip(),
        )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from exc
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}")
    return value
