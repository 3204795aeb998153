"""The Translator for deployments without a translation provider (the offline stack).

No package we can install ships a translation model (see docs/nlp.md), so the
local stack says plainly that translation is unavailable instead of faking one.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...domain.errors import TranslationUnavailableError


class UnavailableTranslator:
    """Translator with ``available = False``: every ``translate`` raises."""

    @property
    def available(self) -> bool:
        return False

    def translate(self, text: str, source: str, targets: Sequence[str]) -> dict[str, str]:
        """Never translates.

        Raises
        ------
        TranslationUnavailableError
            always: this deployment has no translation provider.
        """
        raise TranslationUnavailableError(
            "translation is unavailable: this deployment has no translation provider",
            info={"provider": "none", "retryable": False},
        )
