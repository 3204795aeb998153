"""Completing the translations a post left pending (run by the stream handler).

A post whose translations did not finish within the request's time budget, or failed
retryably (throttling, 5xx), is stored ACCEPTED with ``translationStatus: PARTIAL``, those
languages in ``untranslatedLanguages`` and in ``pending_translations``. When its stream
record arrives, the stream handler (after publishing the batch) makes ONE more attempt with
a budget of its own and the SDK's retries:

* targets translated now are added and the message is stored as the next version
  (``_version`` + 1, a new ``_lastChangedAt``): subscribers get it through the stream like an
  edit, offline clients through ``syncMessages``; the status becomes COMPLETE when nothing is
  left untranslated;
* targets still failing, or not reached within the budget, stay in
  ``untranslatedLanguages`` for good; ``pending_translations`` is cleared either way, so a
  message is attempted at most once in the background (no retry loop on a provider outage);
* the write is conditional on the version the stream image carried, so an edit or delete
  that came first wins (an edit computes its own translations).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..domain.deadline import Deadline
from ..domain.errors import StoreError
from ..domain.model import Message, Translation, TranslationStatus
from ..ports import MessageRepository
from .translation import TranslationService

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completion:
    """What the background attempt did for one message."""

    room_id: str
    message_id: str
    translated: tuple[str, ...]  # added by this attempt
    abandoned: tuple[str, ...]  # still untranslated: recorded for good
    # False when nothing was written: the message changed meanwhile, or the write failed.
    stored: bool


def has_pending(message: Message | None) -> bool:
    return message is not None and not message.deleted and bool(message.pending_translations)


class PendingTranslations:
    def __init__(
        self,
        translation: TranslationService,
        messages: MessageRepository,
        clock_ms: Callable[[], int],
    ) -> None:
        self._translation = translation
        self._messages = messages
        self._now = clock_ms

    def complete(self, images: Iterable[Message], deadline: Deadline) -> list[Completion]:
        """One attempt for every message image with pending translations (the latest image
        of each message only), one message after the other, targets in parallel."""
        latest: dict[tuple[str, str], Message] = {}
        for image in images:
            key = (image.room_id, image.id)
            if key not in latest or image.version >= latest[key].version:
                latest[key] = image
        return [self._complete(m, deadline) for m in latest.values() if has_pending(m)]

    def _complete(self, message: Message, deadline: Deadline) -> Completion:
        pending = message.pending_translations
        found = self._translation.translate_targets(
            message.text, message.language, pending, deadline
        ).found
        added = tuple(t for t in pending if t in found)
        untranslated = tuple(t for t in message.untranslated_languages if t not in found)
        abandoned = tuple(t for t in pending if t not in found)
        updated = dataclasses.replace(
            message,
            translations=message.translations + tuple(Translation(t, found[t]) for t in added),
            untranslated_languages=untranslated,
            translation_status=(
                TranslationStatus.PARTIAL if untranslated else TranslationStatus.COMPLETE
            ),
            pending_translations=(),
        )
        if added:
            # Readers see the change: a new version, and a new last change for delta sync.
            now = max(self._now(), message.last_changed_at_ms + 1)
            updated = dataclasses.replace(
                updated, version=message.version + 1, last_changed_at_ms=now
            )
        try:
            stored = self._messages.update_translations(updated, message.version)
        except StoreError:
            logger.warning(
                "storing completed translations failed",
                extra={"messageId": message.id},
                exc_info=True,
            )
            stored = False
        if abandoned:
            logger.warning(
                "pending translations abandoned after the background attempt",
                extra={"messageId": message.id, "targets": list(abandoned)},
            )
        return Completion(message.room_id, message.id, added, abandoned, stored)


__all__ = ["Completion", "PendingTranslations", "has_pending"]
