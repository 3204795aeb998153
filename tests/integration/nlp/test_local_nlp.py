"""The offline NLP stack with the real libraries (lingua, VADER, YAKE), no network.

The sentiment table is the calibration of the local gate (docs/nlp.md): the
expected labels and verdicts are what VADER plus our mapping produce, and the
mapping must keep producing them.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from positive_chat.adapters.nlp import (
    LinguaLanguageDetector,
    UnavailableTranslator,
    VaderSentimentAnalyzer,
    YakeTopicExtractor,
)
from positive_chat.adapters.nlp.local_sentiment import vader_to_sentiment
from positive_chat.adapters.nlp.local_topics import _YAKE_STOPWORDS, yake_score
from positive_chat.domain.errors import ProviderError, TranslationUnavailableError
from positive_chat.domain.limits import DEFAULT_LIMITS
from positive_chat.domain.model import Sentiment, SentimentLabel
from positive_chat.domain.tags import select_tags
from positive_chat.ports import LanguageDetector, SentimentAnalyzer, TopicExtractor, Translator

THRESHOLD = DEFAULT_LIMITS.threshold_default  # 0.6
NEG, POS, NEU, MIX = (
    SentimentLabel.NEGATIVE,
    SentimentLabel.POSITIVE,
    SentimentLabel.NEUTRAL,
    SentimentLabel.MIXED,
)


@pytest.fixture(scope="module")
def sentiment() -> VaderSentimentAnalyzer:
    return VaderSentimentAnalyzer()


@pytest.fixture(scope="module")
def detector() -> LinguaLanguageDetector:
    return LinguaLanguageDetector()


@pytest.fixture(scope="module")
def topics() -> YakeTopicExtractor:
    return YakeTopicExtractor()


def rejected(result: Sentiment, threshold: float = THRESHOLD) -> bool:
    """The room gate's rule (product.md): NEGATIVE and a negative score at the threshold."""
    return result.label is SentimentLabel.NEGATIVE and result.negative >= threshold


def test_adapters_satisfy_the_ports() -> None:
    # mypy checks these assignments against the Protocols in positive_chat.ports.
    ports: tuple[LanguageDetector, SentimentAnalyzer, TopicExtractor, Translator] = (
        LinguaLanguageDetector(),
        VaderSentimentAnalyzer(),
        YakeTopicExtractor(),
        UnavailableTranslator(),
    )
    assert len(ports) == 4


# --------------------------------------------------------------------------- sentiment

CALIBRATION = [
    # sentence, label, rejected at the default threshold 0.6
    ("You are a stupid idiot and I hate you", NEG, True),
    ("This is terrible, you are all worthless", NEG, True),
    ("YOU ARE AN IDIOT!!!", NEG, True),
    ("I love how you are a stupid worthless idiot", NEG, True),
    ("I'm a bit tired today", NEG, False),
    ("I am a little disappointed", NEG, False),
    ("I don't like Mondays much", NEG, False),
    ("The weather is not great", NEG, False),
    ("Sorry, I can't make it tonight", NEG, False),
    ("The food was great but the service was awful", MIX, False),
    ("The meeting is at 3 pm", NEU, False),
    ("Can you send me the report?", NEU, False),
    ("The film was good but too long", POS, False),
    ("Thanks, that was really helpful!", POS, False),
    ("I love this sunny day in Rome", POS, False),
]


@pytest.mark.parametrize(("text", "label", "is_rejected"), CALIBRATION)
def test_calibration(
    sentiment: VaderSentimentAnalyzer, text: str, label: SentimentLabel, is_rejected: bool
) -> None:
    result = sentiment.analyze(text, "en")
    assert result.label is label
    assert rejected(result) is is_rejected


def test_plain_insults_score_at_least_the_default_threshold(
    sentiment: VaderSentimentAnalyzer,
) -> None:
    for text in (
        "You are a stupid idiot and I hate you",
        "This is terrible, you are all worthless",
    ):
        assert sentiment.analyze(text, "en").negative >= 0.6


def test_one_strong_negative_word_sits_between_the_lowest_and_default_thresholds(
    sentiment: VaderSentimentAnalyzer,
) -> None:
    # Documented limitation (docs/nlp.md): VADER scores one strongly negative word
    # at |compound| 0.5-0.6, whoever it targets. A room that wants these rejected
    # sets its threshold to 0.5, which also rejects "This movie was bad".
    for text in ("You are an idiot", "I hate you", "This movie was bad"):
        result = sentiment.analyze(text, "en")
        assert result.label is NEG
        assert 0.5 <= result.negative < 0.6
        assert rejected(result, threshold=0.5)
        assert not rejected(result)


def test_sentiment_is_english_only(sentiment: VaderSentimentAnalyzer) -> None:
    assert sentiment.supports("en") and sentiment.supports("en-GB")
    assert not sentiment.supports("fr")
    # Why: VADER's lexicon is English, a French insult would pass as neutral.
    with pytest.raises(ProviderError) as caught:
        sentiment.analyze("Tu es un imbécile et je te déteste", "fr")
    assert caught.value.info["code"] == "UnsupportedLanguage"


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_scores_are_a_distribution_for_any_text(text: str) -> None:
    result = VaderSentimentAnalyzer().analyze(text, "en")
    scores = (result.positive, result.negative, result.neutral, result.mixed)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert math.isclose(sum(scores), 1.0, abs_tol=1e-9)


@given(
    st.floats(0.0, 1.0).flatmap(
        lambda pos: st.tuples(st.just(pos), st.floats(0.0, 1.0 - pos), st.floats(-1.0, 1.0))
    )
)
def test_mixed_never_hides_a_rejection(values: tuple[float, float, float]) -> None:
    pos, neg, compound = values
    result = vader_to_sentiment(pos, neg, compound)
    assert math.isclose(
        result.positive + result.negative + result.neutral + result.mixed, 1.0, abs_tol=1e-9
    )
    if result.label is MIX:
        # Below the lowest threshold a room may choose (0.5), so never a rejection lost.
        assert result.negative < DEFAULT_LIMITS.threshold_min
    if compound <= -0.6:
        assert rejected(result)


# --------------------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I love this sunny day in Rome", "en"),
        ("J'adore cette journée ensoleillée à Paris", "fr"),
        ("Me encanta este día soleado en Madrid", "es"),
        ("Ich liebe diesen sonnigen Tag in Berlin", "de"),
        ("Adoro questa giornata di sole a Roma", "it"),
        ("Eu adoro este dia de sol em Lisboa", "pt"),
    ],
)
def test_detects_configured_languages(
    detector: LinguaLanguageDetector, text: str, language: str
) -> None:
    guess = detector.detect(text)
    assert guess is not None
    assert guess.language == language
    assert 0.0 < guess.confidence <= 1.0
    assert type(guess.confidence) is float


@pytest.mark.parametrize(
    "text", ["", "   ", "12345 678", "😀😀😀", "我喜欢罗马的这个阳光明媚的日子"]
)
def test_returns_none_when_lingua_cannot_tell(detector: LinguaLanguageDetector, text: str) -> None:
    # The Chinese sentence is not in the configured set, so nothing matches it.
    assert detector.detect(text) is None


def test_detector_is_restricted_to_the_configured_languages() -> None:
    narrow = LinguaLanguageDetector(["EN", "fr", " de "])
    assert narrow.languages == ("de", "en", "fr")
    guess = narrow.detect("Me encanta este día soleado en Madrid")
    assert guess is None or guess.language in {"en", "fr", "de"}


def test_detector_models_are_built_once_and_shared(detector: LinguaLanguageDetector) -> None:
    # Loading costs ~0.3 s and ~177 MB: a second adapter for the same set reuses it.
    other = LinguaLanguageDetector(reversed(detector.languages))
    detector.warm_up()
    other.warm_up()
    assert other._get() is detector._get()


def test_unknown_language_code_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="'xx'"):
        LinguaLanguageDetector(["en", "xx"])
    with pytest.raises(ValueError):
        LinguaLanguageDetector([])


# --------------------------------------------------------------------------- topics


def test_rome_gives_sensible_tags(topics: YakeTopicExtractor) -> None:
    phrases = topics.extract("I love this sunny day in Rome", "en")
    assert phrases, "YAKE found no phrase"
    assert all(type(p.score) is float and 0.0 < p.score <= 1.0 for p in phrases)
    tags = select_tags(phrases)
    assert "sunny day" in tags
    assert "rome" in tags


def test_phrases_are_ranked_as_yake_ranks_them(topics: YakeTopicExtractor) -> None:
    phrases = topics.extract(
        "The meeting with Amazon Web Services about the new AppSync API is on Friday in Berlin.",
        "en",
    )
    scores = [p.score for p in phrases]
    assert scores == sorted(scores, reverse=True)
    assert "amazon web services" in select_tags(phrases)


@pytest.mark.parametrize(
    ("text", "language", "tag"),
    [
        ("J'adore cette journée ensoleillée à Paris avec mes amis", "fr", "paris"),
        ("Me encanta este día soleado en Madrid", "es", "madrid"),
        ("Ich liebe diesen sonnigen Tag in Berlin", "de", "berlin"),
        # Esperanto has no stop-word list: YAKE still runs, without stop words.
        ("Mi amas ĉi tiun sunan tagon en Romo", "eo", "romo"),
    ],
)
def test_topics_in_other_languages(
    topics: YakeTopicExtractor, text: str, language: str, tag: str
) -> None:
    assert tag in select_tags(topics.extract(text, language))


@pytest.mark.parametrize(
    ("text", "language"),
    [("我喜欢罗马的这个阳光明媚的日子", "zh"), ("ローマの晴れた日が大好きです", "ja"), (" ", "en")],
)
def test_no_topics_for_scripts_without_spaces_or_blank_text(
    topics: YakeTopicExtractor, text: str, language: str
) -> None:
    assert topics.extract(text, language) == []


def test_yake_score_formula() -> None:
    assert yake_score(0.0) == 1.0
    assert yake_score(1.0) == 0.5
    assert yake_score(0.026) > yake_score(0.086) > yake_score(0.3)


@pytest.mark.parametrize(("code", "yake_code"), sorted(_YAKE_STOPWORDS.items()))
def test_every_mapped_language_has_a_stopword_list_in_the_pinned_yake(
    code: str, yake_code: str
) -> None:
    import yake

    assert len(yake.KeywordExtractor(lan=yake_code).stopword_set) > 20, code


# --------------------------------------------------------------------------- translation


def test_offline_translation_says_it_is_unavailable() -> None:
    translator = UnavailableTranslator()
    assert translator.available is False
    with pytest.raises(TranslationUnavailableError) as caught:
        translator.translate("I love this sunny day in Rome", "en", ["fr"])
    assert caught.value.error_type == "TranslationUnavailable"
    assert "Rome" not in str(caught.value)
