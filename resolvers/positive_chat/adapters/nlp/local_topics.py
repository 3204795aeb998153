"""Offline key phrases with YAKE, per language.

YAKE ranks candidate n-grams by a statistical score ``h`` >= 0 where lower is
better and there is no upper bound. Phrase scores must be in [0, 1] with higher
better, so ``score = 1 / (1 + h)``: monotonic (YAKE's order is kept), 1.0 for a
perfect phrase, 0.5 at h = 1, towards 0 for poor ones.

YAKE reads the language only to pick a stop-word list. For a language without
one it runs with no stop words (still statistical, noisier). For scripts written
without spaces between words (Chinese, Japanese, Thai, ...) its tokenizer sees
one long "word" per clause, so we return [] rather than nonsense tags.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from ...domain.tags import Phrase

DEFAULT_MAX_NGRAM = 3
DEFAULT_MAX_PHRASES = 10

# Languages with a stop-word list in yake 0.7.3 (yake/core/StopwordsList), by
# ISO 639-1 code. yake looks files up by the code's first two letters, so e.g.
# "fil" would silently get Finnish, and its names are not all ISO ("cz" is Czech,
# "br" is Brazilian Portuguese, not Breton): we map codes ourselves.
_YAKE_STOPWORDS: dict[str, str] = {
    **{
        code: code
        for code in (
            "ar",
            "bg",
            "da",
            "de",
            "el",
            "en",
            "es",
            "et",
            "fa",
            "fi",
            "fr",
            "hi",
            "hr",
            "hu",
            "hy",
            "id",
            "it",
            "lt",
            "lv",
            "nl",
            "no",
            "pl",
            "pt",
            "ro",
            "ru",
            "sk",
            "sl",
            "sv",
            "tr",
            "uk",
        )
    },
    "cs": "cz",
    "nb": "no",
    "nn": "no",
}
_NO_WORD_SPACES = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})
# yake treats an empty stop-word set as "load the default list", so "no stop
# words" is a set holding only the empty string (what its empty noLang file gives).
_NO_STOPWORDS = frozenset({""})


def yake_score(h: float) -> float:
    """YAKE's lower-is-better ``h`` as a score in (0, 1], higher is better."""
    return 1.0 / (1.0 + max(float(h), 0.0))


class YakeTopicExtractor:
    """TopicExtractor on YAKE: n-grams up to ``max_ngram`` words, best ``max_phrases``."""

    def __init__(
        self, *, max_ngram: int = DEFAULT_MAX_NGRAM, max_phrases: int = DEFAULT_MAX_PHRASES
    ) -> None:
        self._max_ngram = max_ngram
        self._max_phrases = max_phrases
        self._extractors: dict[str | None, Any] = {}
        # A KeywordExtractor keeps a similarity cache it updates while extracting.
        self._lock = threading.Lock()

    def extract(self, text: str, language: str) -> list[Phrase]:
        """Key phrases with scores in (0, 1]; [] for blank text or a script without spaces."""
        primary = language.split("-", 1)[0].lower()
        if primary in _NO_WORD_SPACES or not text.strip():
            return []
        with self._lock:
            extractor = self._extractor(_YAKE_STOPWORDS.get(primary))
            pairs = extractor.extract_keywords(text)
        return [Phrase(text=str(keyword), score=yake_score(h)) for keyword, h in pairs]

    def _extractor(self, yake_language: str | None) -> Any:
        extractor = self._extractors.get(yake_language)
        if extractor is None:
            import yake

            # On an internal failure yake logs a WARNING quoting the first 100
            # characters of the text; message text must never reach our logs.
            logging.getLogger("yake").setLevel(logging.ERROR)
            options: dict[str, Any] = {"n": self._max_ngram, "top": self._max_phrases}
            if yake_language is None:
                extractor = yake.KeywordExtractor(lan="en", stopwords=_NO_STOPWORDS, **options)
            else:
                extractor = yake.KeywordExtractor(lan=yake_language, **options)
            self._extractors[yake_language] = extractor
        return extractor
