"""Amazon Comprehend adapters: language detection, sentiment, key phrases and entities.

One message is one document, so each port call is one single-document API call;
Comprehend's Batch* operations only save calls when there are several documents.
The exception is sentiment of a message longer than the 5,000-byte sentiment
limit: it is split into pieces scored together in one BatchDetectSentiment call,
so no part of a message escapes the gate. See docs/nlp.md.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from ...domain.model import Sentiment, SentimentLabel
from ...domain.tags import Phrase
from ...ports import LanguageGuess
from ._aws_errors import failure, provider_error
from ._utf8 import split_utf8, truncate_utf8

if TYPE_CHECKING:
    from mypy_boto3_comprehend import ComprehendClient
    from mypy_boto3_comprehend.literals import LanguageCodeType
    from mypy_boto3_comprehend.type_defs import SentimentScoreTypeDef

PROVIDER = "comprehend"

# Sentiment, key phrases and entities (the LanguageCode enum of these operations).
COMPREHEND_LANGUAGES: tuple[LanguageCodeType, ...] = (
    "en",
    "es",
    "fr",
    "de",
    "it",
    "pt",
    "ar",
    "hi",
    "ja",
    "ko",
    "zh",
    "zh-TW",
)
# DetectSentiment and every Batch* document: 5 KB. The API reference now allows
# 100 KB for DetectKeyPhrases/DetectEntities/DetectDominantLanguage; we keep 5,000
# bytes for all of them because a message (<= 2,000 characters, <= 8,000 bytes)
# then fits whichever limit applies, and only long non-Latin messages lose a tail.
MAX_DOCUMENT_BYTES = 5000
BATCH_MAX_DOCUMENTS = 25

# Entity types that make useful topics. DATE and QUANTITY ("tomorrow", "3 pm",
# "two") are not topics; OTHER is too vague to browse by.
DEFAULT_ENTITY_TYPES: frozenset[str] = frozenset(
    {"PERSON", "LOCATION", "ORGANIZATION", "COMMERCIAL_ITEM", "EVENT", "TITLE"}
)
# Comprehend's key phrase and entity scores are confidences; real phrases score
# above 0.9, so 0.5 only drops what the model itself doubts.
DEFAULT_MIN_SCORE = 0.5


def comprehend_language(language: str) -> LanguageCodeType | None:
    """Comprehend's code for a BCP-47 tag: exact ("zh-TW"), else the primary subtag ("en-GB")."""
    primary = language.split("-", 1)[0].lower()
    for wanted in (language, primary):
        for code in COMPREHEND_LANGUAGES:
            if code == wanted:
                return code
    return None


class ComprehendLanguageDetector:
    """LanguageDetector on DetectDominantLanguage."""

    def __init__(self, client: ComprehendClient) -> None:
        self._client = client

    def detect(self, text: str) -> LanguageGuess | None:
        """The best-scored language, or None for blank text or an empty answer.

        Raises
        ------
        ProviderError
            the call failed (ProviderThrottledError when throttled).
        """
        sample = truncate_utf8(text, MAX_DOCUMENT_BYTES)
        if not sample.strip():
            return None
        try:
            response = self._client.detect_dominant_language(Text=sample)
        except (ClientError, BotoCoreError) as exc:
            raise provider_error(exc, PROVIDER, "DetectDominantLanguage") from exc
        languages = [
            (float(item.get("Score", 0.0)), item["LanguageCode"])
            for item in response.get("Languages", [])
            if item.get("LanguageCode")
        ]
        if not languages:
            return None
        score, code = max(languages)
        return LanguageGuess(language=code, confidence=score)


class ComprehendSentimentAnalyzer:
    """SentimentAnalyzer on DetectSentiment (BatchDetectSentiment for over-long text)."""

    def __init__(self, client: ComprehendClient) -> None:
        self._client = client

    def supports(self, language: str) -> bool:
        return comprehend_language(language) is not None

    def analyze(self, text: str, language: str) -> Sentiment:
        """Comprehend's label and four scores for the text.

        Text over 5,000 bytes is scored in pieces; if any piece is NEGATIVE the most
        negative piece is the answer, else the byte-weighted mean of the scores.

        Raises
        ------
        ProviderError
            unsupported language, blank text, or the call failed
            (ProviderThrottledError when throttled).
        """
        code = comprehend_language(language)
        if code is None:
            raise failure(
                PROVIDER,
                "DetectSentiment",
                "UnsupportedLanguage",
                f"Comprehend cannot score language {language!r}",
                language=language,
            )
        pieces = split_utf8(text, MAX_DOCUMENT_BYTES)
        if not pieces:
            raise failure(PROVIDER, "DetectSentiment", "EmptyText", "there is no text to score")
        if len(pieces) == 1:
            try:
                response = self._client.detect_sentiment(Text=pieces[0], LanguageCode=code)
            except (ClientError, BotoCoreError) as exc:
                raise provider_error(exc, PROVIDER, "DetectSentiment") from exc
            return _sentiment(response["Sentiment"], response["SentimentScore"])
        scored: list[tuple[Sentiment, int]] = []
        for start in range(0, len(pieces), BATCH_MAX_DOCUMENTS):
            group = pieces[start : start + BATCH_MAX_DOCUMENTS]
            for piece, sentiment in zip(group, self._batch(group, code), strict=True):
                scored.append((sentiment, len(piece.encode("utf-8"))))
        return combine_sentiments(scored)

    def _batch(self, pieces: Sequence[str], code: LanguageCodeType) -> list[Sentiment]:
        try:
            response = self._client.batch_detect_sentiment(TextList=list(pieces), LanguageCode=code)
        except (ClientError, BotoCoreError) as exc:
            raise provider_error(exc, PROVIDER, "BatchDetectSentiment") from exc
        errors = response.get("ErrorList", [])
        if errors:
            # One unscored piece could be the insult; the gate must not pass it unseen.
            error_code = errors[0].get("ErrorCode", "Unknown")
            raise failure(
                PROVIDER, "BatchDetectSentiment", error_code, "a part of the text was not scored"
            )
        by_index = {item.get("Index"): item for item in response.get("ResultList", [])}
        try:
            return [
                _sentiment(by_index[i]["Sentiment"], by_index[i]["SentimentScore"])
                for i in range(len(pieces))
            ]
        except KeyError as exc:
            raise failure(
                PROVIDER,
                "BatchDetectSentiment",
                "IncompleteResult",
                "a part of the text was not scored",
            ) from exc


def _sentiment(label: str, score: SentimentScoreTypeDef) -> Sentiment:
    try:
        parsed = SentimentLabel(label)
    except ValueError as exc:
        raise failure(
            PROVIDER,
            "DetectSentiment",
            "UnknownLabel",
            f"Comprehend returned an unknown sentiment {label!r}",
        ) from exc
    return Sentiment(
        label=parsed,
        positive=float(score.get("Positive", 0.0)),
        negative=float(score.get("Negative", 0.0)),
        neutral=float(score.get("Neutral", 0.0)),
        mixed=float(score.get("Mixed", 0.0)),
    )


def combine_sentiments(scored: Sequence[tuple[Sentiment, int]]) -> Sentiment:
    """One verdict for pieces of one message: the worst NEGATIVE piece, else the weighted mean."""
    negatives = [s for s, _ in scored if s.label is SentimentLabel.NEGATIVE]
    if negatives:
        return max(negatives, key=lambda s: s.negative)
    total = sum(weight for _, weight in scored) or 1
    mean = {
        name: sum(getattr(s, name) * weight for s, weight in scored) / total
        for name in ("positive", "negative", "neutral", "mixed")
    }
    label = SentimentLabel(max(mean, key=lambda name: mean[name]).upper())
    return Sentiment(label=label, **mean)


class ComprehendTopicExtractor:
    """TopicExtractor on DetectKeyPhrases plus DetectEntities (two calls per message)."""

    def __init__(
        self,
        client: ComprehendClient,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        entity_types: Collection[str] = DEFAULT_ENTITY_TYPES,
        include_entities: bool = True,
    ) -> None:
        self._client = client
        self._min_score = min_score
        self._entity_types = frozenset(entity_types)
        self._include_entities = include_entities

    def extract(self, text: str, language: str) -> list[Phrase]:
        """Key phrases and useful entities scoring at least ``min_score``; [] when unsupported.

        Only the first 5,000 bytes are read (cut on a character boundary).

        Raises
        ------
        ProviderError
            a call failed (ProviderThrottledError when throttled).
        """
        code = comprehend_language(language)
        sample = truncate_utf8(text, MAX_DOCUMENT_BYTES)
        if code is None or not sample.strip():
            return []
        try:
            key_phrases = self._client.detect_key_phrases(Text=sample, LanguageCode=code)
        except (ClientError, BotoCoreError) as exc:
            raise provider_error(exc, PROVIDER, "DetectKeyPhrases") from exc
        phrases = [
            Phrase(text=item["Text"], score=float(item.get("Score", 0.0)))
            for item in key_phrases.get("KeyPhrases", [])
            if item.get("Text") and float(item.get("Score", 0.0)) >= self._min_score
        ]
        if not self._include_entities:
            return phrases
        try:
            entities = self._client.detect_entities(Text=sample, LanguageCode=code)
        except (ClientError, BotoCoreError) as exc:
            raise provider_error(exc, PROVIDER, "DetectEntities") from exc
        phrases.extend(
            Phrase(text=item["Text"], score=float(item.get("Score", 0.0)))
            for item in entities.get("Entities", [])
            if item.get("Text")
            and item.get("Type") in self._entity_types
            and float(item.get("Score", 0.0)) >= self._min_score
        )
        return phrases
