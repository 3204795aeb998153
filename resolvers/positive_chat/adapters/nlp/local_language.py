"""Offline language detection with lingua, restricted to the configured languages.

lingua's models for six languages take ~0.3 s to load and ~177 MB of memory
(all 75 languages: ~900 MB and seconds), so the detector covers only the
configured languages, is built on first use, and is shared by every adapter
instance asking for the same set.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ...ports import LanguageGuess

if TYPE_CHECKING:
    from lingua import LanguageDetector

DEFAULT_LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "de", "it", "pt")

_BUILD_LOCK = threading.Lock()


class LinguaLanguageDetector:
    """LanguageDetector on lingua (high-accuracy mode) over a fixed set of ISO 639-1 codes."""

    def __init__(self, languages: Iterable[str] = DEFAULT_LANGUAGES) -> None:
        """Check the codes now; load the models on the first ``detect``.

        Raises
        ------
        ValueError
            no language given, or a code lingua does not know.
        """
        codes = tuple(sorted({code.strip().lower() for code in languages if code.strip()}))
        if not codes:
            raise ValueError("at least one language is needed for language detection")
        from lingua import IsoCode639_1

        for code in codes:
            try:
                IsoCode639_1.from_str(code)
            except ValueError:
                raise ValueError(f"lingua has no language with ISO 639-1 code {code!r}") from None
        self._codes = codes
        self._detector: LanguageDetector | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        return self._codes

    def warm_up(self) -> None:
        """Load the models now (~0.3 s) instead of on the first message."""
        self._get()

    def detect(self, text: str) -> LanguageGuess | None:
        """The most likely configured language and lingua's confidence in it.

        None when lingua cannot tell (no letters, or a tie between languages).
        """
        if not text.strip():
            return None
        detector = self._get()
        language = detector.detect_language_of(text)
        if language is None:
            return None
        confidence = detector.compute_language_confidence(text, language)
        return LanguageGuess(
            language=language.iso_code_639_1.name.lower(), confidence=float(confidence)
        )

    def _get(self) -> LanguageDetector:
        if self._detector is None:
            with _BUILD_LOCK:
                self._detector = _build(self._codes)
        return self._detector


@functools.lru_cache(maxsize=4)
def _build(codes: tuple[str, ...]) -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    iso_codes = [IsoCode639_1.from_str(code) for code in codes]
    # Preloading moves the model load into this one call (under the lock) instead
    # of whichever message first needs each language.
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*iso_codes)
        .with_preloaded_language_models()
        .build()
    )
