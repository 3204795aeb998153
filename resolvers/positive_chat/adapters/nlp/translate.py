"""Amazon Translate adapter: one TranslateText call per target language.

TranslateText takes one target per call and has no batch form for real-time
use, so a message read in N other languages costs N calls, made one after the
other (the bound on targets per message keeps N small; see docs/nlp.md).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.errors import ProviderError
from ._aws_errors import ProviderThrottledError, failure, provider_error

if TYPE_CHECKING:
    from mypy_boto3_translate import TranslateClient

logger = logging.getLogger(__name__)

PROVIDER = "translate"
OPERATION = "TranslateText"
# Synchronous TranslateText accepts at most 10,000 bytes of UTF-8. A message is at
# most 2,000 characters (<= 8,000 bytes), so this only guards misuse: a translation
# is never silently cut short.
MAX_TEXT_BYTES = 10_000


class AmazonTranslator:
    """Translator on Amazon Translate."""

    def __init__(self, client: TranslateClient) -> None:
        self._client = client

    @property
    def available(self) -> bool:
        return True

    def translate(self, text: str, source: str, targets: Sequence[str]) -> dict[str, str]:
        """Translations keyed by target; a target equal to ``source`` is skipped.

        A target whose call fails is left out (and logged with its error code);
        the call as a whole fails only when every target failed.

        Raises
        ------
        ProviderError
            every target failed, or the text is over 10,000 bytes; a
            ProviderThrottledError when any failure was throttling (a retry may succeed).
        """
        wanted = [t for t in dict.fromkeys(targets) if t != source]
        if not wanted:
            return {}
        if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
            raise failure(
                PROVIDER,
                OPERATION,
                "TextSizeLimitExceeded",
                f"text is over the {MAX_TEXT_BYTES}-byte translation limit",
            )
        translations: dict[str, str] = {}
        failures: list[tuple[str, ProviderError, Exception]] = []
        for target in wanted:
            try:
                response = self._client.translate_text(
                    Text=text, SourceLanguageCode=source, TargetLanguageCode=target
                )
            except (ClientError, BotoCoreError) as exc:
                error = provider_error(exc, PROVIDER, OPERATION)
                failures.append((target, error, exc))
                logger.warning(
                    "translation skipped for one target",
                    extra={"source": source, "target": target, "code": error.info["code"]},
                )
                continue
            translations[target] = response["TranslatedText"]
        if translations:
            return translations
        error, cause = _all_failed(failures)
        raise error from cause


def _all_failed(
    failures: list[tuple[str, ProviderError, Exception]],
) -> tuple[ProviderError, Exception]:
    """One error for a call where every target failed, and the failure to chain it to."""
    throttled = [f for f in failures if isinstance(f[1], ProviderThrottledError)]
    _, representative, cause = (throttled or failures)[0]
    info = {
        "provider": PROVIDER,
        "operation": OPERATION,
        "code": representative.info["code"],
        "retryable": any(err.info["retryable"] for _, err, _ in failures),
        "targets": {target: err.info["code"] for target, err, _ in failures},
    }
    message = f"{PROVIDER} {OPERATION} failed for every target language"
    if throttled:
        return ProviderThrottledError(message, info=info), cause
    return ProviderError(message, info=info), cause
