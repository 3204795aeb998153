"""The moderation pipeline's NLP steps: language -> sentiment -> topics.

Order matters and is the product's contract: a message judged negative is
refused before topics or translations are computed (no cost spent on it).

Every provider call runs within the request's ``Deadline`` (``budget.within``): a step
that cannot finish in time raises DeadlineExceededError (retryable) before anything is
written. Without a deadline the calls run inline, unbounded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain.deadline import Deadline
from ..domain.limits import DEFAULT_LIMITS, Limits
from ..domain.model import ModerationStatus, Sentiment
from ..domain.tags import select_tags
from ..ports import LanguageDetector, SentimentAnalyzer, TopicExtractor
from .budget import within
from .translation import TranslationService

logger = logging.getLogger(__name__)

# When a provider cannot score a language, the text is translated into this one first.
PIVOT_LANGUAGE = "en"
# Below this detector confidence the sender's reading language is the better guess.
MIN_LANGUAGE_CONFIDENCE = 0.5
# Phrases scored below this by the provider are not worth a tag.
MIN_TOPIC_SCORE = 0.3

_UNBOUNDED = Deadline.unbounded()


@dataclass(frozen=True)
class Judgement:
    language: str
    sentiment: Sentiment | None
    moderation: ModerationStatus
    # The pivot-language text, when one was made to score the message.
    pivot_text: str | None = None


class Analysis:
    def __init__(
        self,
        detector: LanguageDetector,
        sentiment: SentimentAnalyzer,
        topics: TopicExtractor,
        translation: TranslationService,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self._detector = detector
        self._sentiment = sentiment
        self._topics = topics
        self._translation = translation
        self._limits = limits

    def language(
        self, text: str, hint: str | None, fallback: str, deadline: Deadline | None = None
    ) -> str:
        """The client's hint wins; then a confident detection; then the sender's reading
        language — unless that one cannot be scored and the detector had a guess, because
        short insults get low confidence and must not slip past the gate as UNSCORED."""
        if hint:
            return hint
        guess = within(deadline or _UNBOUNDED, "language", lambda: self._detector.detect(text))
        if guess is None:
            return fallback
        if guess.confidence >= MIN_LANGUAGE_CONFIDENCE:
            return guess.language
        if self._sentiment.supports(fallback) or not self._sentiment.supports(guess.language):
            return fallback
        return guess.language

    def judge(self, text: str, language: str, deadline: Deadline | None = None) -> Judgement:
        """Score the text's sentiment, translating to the pivot language if needed (a pivot
        translation that fails or runs out of time leaves the message UNSCORED, as before)."""
        deadline = deadline or _UNBOUNDED
        if self._sentiment.supports(language):
            scored = within(deadline, "sentiment", lambda: self._sentiment.analyze(text, language))
            return Judgement(language, scored, ModerationStatus.SCORED)
        if self._translation.available and self._sentiment.supports(PIVOT_LANGUAGE):
            pivot = self._translation.translate_one(text, language, PIVOT_LANGUAGE, deadline)
            if pivot is not None:
                scored = within(
                    deadline, "sentiment", lambda: self._sentiment.analyze(pivot, PIVOT_LANGUAGE)
                )
                return Judgement(language, scored, ModerationStatus.SCORED_VIA_TRANSLATION, pivot)
        return Judgement(language, None, ModerationStatus.UNSCORED)

    def tags(
        self, text: str, judgement: Judgement, deadline: Deadline | None = None
    ) -> tuple[str, ...]:
        """Normalised topics; from the pivot text when the original language yields none."""
        deadline = deadline or _UNBOUNDED
        phrases = within(
            deadline, "topics", lambda: self._topics.extract(text, judgement.language)
        )
        pivot = judgement.pivot_text
        if not phrases and pivot is not None:
            phrases = within(
                deadline, "topics", lambda: self._topics.extract(pivot, PIVOT_LANGUAGE)
            )
        return select_tags(phrases, self._limits, min_score=MIN_TOPIC_SCORE)
