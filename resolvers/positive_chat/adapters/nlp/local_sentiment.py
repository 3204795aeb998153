"""Offline sentiment with VADER (English only), mapped onto Comprehend-shaped scores.

VADER returns ``pos``/``neu``/``neg`` (the share of the text carrying each
polarity) and ``compound`` (the net valence in [-1, 1]). The room's gate rejects
a NEGATIVE label whose negative score reaches the threshold (0.5..1.0, default
0.6), so the scores are built from ``compound``, the one number VADER calibrates:

    strength s = |compound|
    the score of the compound's sign (positive or negative)  = s
    mixed    = (1 - s) * 2 * min(pos, neg)     both polarities present, net undecided
    neutral  = 1 - s - mixed                   the opposite sign's score is 0

Labels use VADER's published cut-offs: POSITIVE when compound >= 0.05, NEGATIVE
when <= -0.05, NEUTRAL between; MIXED instead when both ``pos`` and ``neg`` are
at least 0.15 and s < 0.5. The s < 0.5 condition means MIXED never hides a
message the gate would reject at any allowed threshold. The label is therefore
not always the largest score (a mildly negative text is NEGATIVE with a small
negative score); the gate reads both. Calibration table: docs/nlp.md.
"""

from __future__ import annotations

import threading
from typing import Any

from ...domain.errors import ProviderError
from ...domain.model import Sentiment, SentimentLabel

POSITIVE_CUTOFF = 0.05
NEGATIVE_CUTOFF = -0.05
MIXED_MIN_SHARE = 0.15
MIXED_MAX_STRENGTH = 0.5


def vader_to_sentiment(pos: float, neg: float, compound: float) -> Sentiment:
    """The domain Sentiment for VADER's ``pos``, ``neg`` and ``compound`` (formula above)."""
    strength = min(abs(compound), 1.0)
    mixed = (1.0 - strength) * 2.0 * min(max(pos, 0.0), max(neg, 0.0), 0.5)
    neutral = max(1.0 - strength - mixed, 0.0)
    positive = strength if compound > 0 else 0.0
    negative = strength if compound < 0 else 0.0
    if min(pos, neg) >= MIXED_MIN_SHARE and strength < MIXED_MAX_STRENGTH:
        label = SentimentLabel.MIXED
    elif compound >= POSITIVE_CUTOFF:
        label = SentimentLabel.POSITIVE
    elif compound <= NEGATIVE_CUTOFF:
        label = SentimentLabel.NEGATIVE
    else:
        label = SentimentLabel.NEUTRAL
    return Sentiment(
        label=label, positive=positive, negative=negative, neutral=neutral, mixed=mixed
    )


class VaderSentimentAnalyzer:
    """SentimentAnalyzer on vaderSentiment; English only."""

    def __init__(self) -> None:
        self._analyzer: Any = None
        self._lock = threading.Lock()

    def supports(self, language: str) -> bool:
        # VADER's lexicon is English: a French or Spanish insult scores 0.0 (neutral).
        return language.split("-", 1)[0].lower() == "en"

    def analyze(self, text: str, language: str) -> Sentiment:
        """Score English text.

        Raises
        ------
        ProviderError
            the language is not English (check ``supports`` first).
        """
        if not self.supports(language):
            info = {
                "provider": "vader",
                "operation": "polarity_scores",
                "code": "UnsupportedLanguage",
                "retryable": False,
                "language": language,
            }
            raise ProviderError(f"VADER does not support language {language!r}", info=info)
        scores = self._get().polarity_scores(text)
        return vader_to_sentiment(
            float(scores["pos"]), float(scores["neg"]), float(scores["compound"])
        )

    def _get(self) -> Any:
        # Reading the lexicon files takes a few milliseconds; do it once.
        if self._analyzer is None:
            with self._lock:
                if self._analyzer is None:
                    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                    self._analyzer = SentimentIntensityAnalyzer()
        return self._analyzer
