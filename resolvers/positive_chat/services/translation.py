"""Translating a message into its readers' languages, cached by text and target."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock

from ..domain.errors import ProviderError, StoreError, TranslationUnavailableError
from ..domain.model import Translation, TranslationStatus
from ..ports import TranslationCache, Translator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranslationOutcome:
    translations: tuple[Translation, ...]
    status: TranslationStatus
    untranslated: tuple[str, ...]


def text_key(text: str, source: str) -> str:
    """Cache key: the source language matters ("gift" is not the same word in en and de)."""
    return hashlib.sha256(f"{source}\x00{text}".encode()).hexdigest()


class _LruCache:
    """Process-local layer in front of the shared cache (warm Lambdas skip a read)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, str]) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[str, str], value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class TranslationService:
    def __init__(
        self,
        translator: Translator,
        cache: TranslationCache | None,
        *,
        max_targets: int,
        memory_entries: int = 2048,
    ) -> None:
        self._translator = translator
        self._cache = cache
        self._max_targets = max_targets
        self._memory = _LruCache(memory_entries)

    @property
    def available(self) -> bool:
        return self._translator.available

    def for_readers(
        self, text: str, source: str, reader_languages: Sequence[str]
    ) -> TranslationOutcome:
        """Translate into every reader language but the source, at most ``max_targets``.

        Never raises for provider trouble: a failed target is reported in
        ``untranslated`` and the status says PARTIAL/UNAVAILABLE.
        """
        wanted = [lang for lang in dict.fromkeys(reader_languages) if lang != source]
        if not wanted:
            return TranslationOutcome((), TranslationStatus.NOT_NEEDED, ())
        if not self._translator.available:
            return TranslationOutcome((), TranslationStatus.UNAVAILABLE, tuple(wanted))
        targets, over_bound = wanted[: self._max_targets], wanted[self._max_targets :]
        found = self._lookup(text, source, targets)
        missing = [t for t in targets if t not in found]
        if missing:
            found.update(self._translate(text, source, missing))
        translations = tuple(Translation(t, found[t]) for t in targets if t in found)
        untranslated = tuple(t for t in targets if t not in found) + tuple(over_bound)
        status = TranslationStatus.PARTIAL if untranslated else TranslationStatus.COMPLETE
        return TranslationOutcome(translations, status, untranslated)

    def translate_one(self, text: str, source: str, target: str) -> str | None:
        """One translation, or None when unavailable or failed (used for rejection hints)."""
        if source == target:
            return None
        outcome = self.for_readers(text, source, [target])
        return outcome.translations[0].text if outcome.translations else None

    def _lookup(self, text: str, source: str, targets: list[str]) -> dict[str, str]:
        key = text_key(text, source)
        found: dict[str, str] = {}
        for target in targets:
            hit = self._memory.get((key, target))
            if hit is not None:
                found[target] = hit
        remaining = [t for t in targets if t not in found]
        if remaining and self._cache is not None:
            try:
                shared = self._cache.get_many(key, remaining)
            except StoreError:
                # The cache is an optimisation: a failing cache must not fail a post.
                logger.warning("translation cache read failed", exc_info=True)
                shared = {}
            for target, value in shared.items():
                self._memory.put((key, target), value)
            found.update(shared)
        return found

    def _translate(self, text: str, source: str, targets: list[str]) -> dict[str, str]:
        try:
            fresh = self._translator.translate(text, source, targets)
        except TranslationUnavailableError:
            return {}
        except ProviderError:
            logger.warning("translation failed for %d target(s)", len(targets), exc_info=True)
            return {}
        key = text_key(text, source)
        for target, value in fresh.items():
            self._memory.put((key, target), value)
        if fresh and self._cache is not None:
            try:
                self._cache.put_many(key, fresh)
            except StoreError:
                logger.warning("translation cache write failed", exc_info=True)
        return fresh
