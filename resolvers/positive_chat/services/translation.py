"""Translating a message into its readers' languages, cached by text and target.

Targets are translated in parallel (``budget.MAX_PARALLEL_CALLS`` at a time) within the
request's time budget. What the budget did not reach, or what failed retryably, is
*pending*: the message is stored without it and the stream handler tries once more
(``services/pending_translations.py``).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from threading import Lock

from ..domain.deadline import Deadline
from ..domain.errors import ProviderError, StoreError, TranslationUnavailableError
from ..domain.model import Translation, TranslationStatus
from ..ports import TranslationCache, Translator
from .budget import in_parallel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranslationOutcome:
    translations: tuple[Translation, ...]
    status: TranslationStatus
    untranslated: tuple[str, ...]
    # The part of ``untranslated`` worth another try later: targets the time budget did not
    # reach and targets that failed retryably (throttling, 5xx, timeouts). Targets over the
    # bound and permanent failures (an unsupported pair) are untranslated for good.
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class TargetResults:
    """One round of provider calls for some targets (cache first)."""

    found: dict[str, str]
    pending: tuple[str, ...]  # not reached within the budget, or failed retryably
    failed: tuple[str, ...]  # failed for good


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
        self,
        text: str,
        source: str,
        reader_languages: Sequence[str],
        deadline: Deadline | None = None,
    ) -> TranslationOutcome:
        """Translate into every reader language but the source, at most ``max_targets``,
        the targets in parallel, within ``deadline`` (unbounded when None).

        Never raises for provider trouble: a target not done is reported in
        ``untranslated`` (and in ``pending`` when a later attempt may succeed) and the
        status says PARTIAL/UNAVAILABLE.
        """
        wanted = [lang for lang in dict.fromkeys(reader_languages) if lang != source]
        if not wanted:
            return TranslationOutcome((), TranslationStatus.NOT_NEEDED, ())
        if not self._translator.available:
            return TranslationOutcome((), TranslationStatus.UNAVAILABLE, tuple(wanted))
        targets, over_bound = wanted[: self._max_targets], wanted[self._max_targets :]
        round_ = self.translate_targets(text, source, targets, deadline)
        found = round_.found
        translations = tuple(Translation(t, found[t]) for t in targets if t in found)
        untranslated = tuple(t for t in targets if t not in found) + tuple(over_bound)
        status = TranslationStatus.PARTIAL if untranslated else TranslationStatus.COMPLETE
        return TranslationOutcome(translations, status, untranslated, round_.pending)

    def translate_targets(
        self, text: str, source: str, targets: Sequence[str], deadline: Deadline | None = None
    ) -> TargetResults:
        """Cache first, then one provider call per missing target, in parallel (at most
        ``budget.MAX_PARALLEL_CALLS``), until ``deadline``. Never raises for provider trouble."""
        deadline = deadline or Deadline.unbounded()
        targets = [t for t in dict.fromkeys(targets) if t != source]
        found = self._lookup(text, source, targets)
        missing = [t for t in targets if t not in found]
        if not missing:
            return TargetResults(found, (), ())
        if not self._translator.available:
            return TargetResults(found, (), tuple(missing))
        translator = self._translator

        def one(target: str) -> Callable[[], dict[str, str]]:
            return lambda: translator.translate(text, source, [target])

        settled = in_parallel(deadline, {t: one(t) for t in missing})
        for failure in settled.failures.values():
            if not isinstance(failure, ProviderError):
                raise failure  # a bug, not provider trouble: not hidden as "untranslated"
        fresh = {t: out[t] for t, out in settled.results.items() if t in out}
        pending = list(settled.not_done)
        failed: list[str] = []
        for target in missing:
            if target in fresh or target in pending:
                continue
            if _retryable(settled.failures.get(target)):
                pending.append(target)
            else:
                failed.append(target)
        if settled.failures:
            logger.warning(
                "translation failed for %d target(s)",
                len(settled.failures),
                extra={"codes": {t: _code(e) for t, e in settled.failures.items()}},
            )
        if settled.not_done:
            logger.warning(
                "translation deferred: time budget spent",
                extra={"targets": list(settled.not_done)},
            )
        self._remember(text, source, fresh)
        found.update(fresh)
        order = {t: i for i, t in enumerate(targets)}
        return TargetResults(
            found,
            tuple(sorted(pending, key=order.__getitem__)),
            tuple(sorted(failed, key=order.__getitem__)),
        )

    def translate_one(
        self, text: str, source: str, target: str, deadline: Deadline | None = None
    ) -> str | None:
        """One translation, or None when unavailable, failed or out of time (used for the
        pivot translation and rejection hints)."""
        if source == target:
            return None
        outcome = self.for_readers(text, source, [target], deadline)
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

    def _remember(self, text: str, source: str, fresh: dict[str, str]) -> None:
        key = text_key(text, source)
        for target, value in fresh.items():
            self._memory.put((key, target), value)
        if fresh and self._cache is not None:
            try:
                self._cache.put_many(key, fresh)
            except StoreError:
                logger.warning("translation cache write failed", exc_info=True)


def _retryable(error: Exception | None) -> bool:
    """A failure a later attempt may not meet: throttling, 5xx, timeouts."""
    if isinstance(error, TranslationUnavailableError) or not isinstance(error, ProviderError):
        return False
    info = error.info if isinstance(error.info, dict) else {}
    return bool(info.get("retryable"))


def _code(error: Exception) -> str:
    info = getattr(error, "info", None)
    if isinstance(info, dict) and info.get("code"):
        return str(info["code"])
    return type(error).__name__
