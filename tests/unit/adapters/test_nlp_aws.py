"""Comprehend and Translate adapters against botocore's Stubber.

Stubber checks each request against the real service model and, through
``expected_params``, against the exact parameters we mean to send. Stubber's own
assertion errors are BotoCoreErrors, which the adapters wrap like any other; so
error tests assert the mapped ``info["code"]`` and the chained cause, never just
"a ProviderError was raised".
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import boto3
import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st
from positive_chat.adapters.nlp import (
    COMPREHEND_LANGUAGES,
    AmazonTranslator,
    ComprehendLanguageDetector,
    ComprehendSentimentAnalyzer,
    ComprehendTopicExtractor,
    ProviderThrottledError,
)
from positive_chat.adapters.nlp._utf8 import split_utf8, truncate_utf8
from positive_chat.domain.errors import ProviderError
from positive_chat.domain.model import Sentiment, SentimentLabel
from positive_chat.domain.tags import Phrase, select_tags
from positive_chat.ports import (
    LanguageDetector,
    LanguageGuess,
    SentimentAnalyzer,
    TopicExtractor,
    Translator,
)

if TYPE_CHECKING:
    from mypy_boto3_comprehend import ComprehendClient
    from mypy_boto3_translate import TranslateClient

ROME = "I love this sunny day in Rome"
RESOLVERS = Path(__file__).resolve().parents[3] / "resolvers"
C = TypeVar("C")
Stubbed = tuple[C, Stubber]


def _client(service: Literal["comprehend", "translate"]) -> Any:
    # Dummy credentials and a fixed region: nothing here may reach AWS or read ~/.aws.
    return boto3.client(
        service,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def comprehend() -> Iterator[Stubbed[ComprehendClient]]:
    client = _client("comprehend")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def translate() -> Iterator[Stubbed[TranslateClient]]:
    client = _client("translate")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _scores(pos: float, neg: float, neu: float, mixed: float) -> dict[str, float]:
    return {"Positive": pos, "Negative": neg, "Neutral": neu, "Mixed": mixed}


def test_adapters_satisfy_the_ports() -> None:
    # mypy checks these assignments against the Protocols in positive_chat.ports.
    comprehend, translate = _client("comprehend"), _client("translate")
    ports: tuple[LanguageDetector, SentimentAnalyzer, TopicExtractor, Translator] = (
        ComprehendLanguageDetector(comprehend),
        ComprehendSentimentAnalyzer(comprehend),
        ComprehendTopicExtractor(comprehend),
        AmazonTranslator(translate),
    )
    assert ports[3].available is True


def test_importing_the_adapters_loads_no_local_model() -> None:
    # The Lambda package ships without lingua/VADER/YAKE: importing must not need them.
    code = (
        "import sys, positive_chat.adapters.nlp; "
        "print(sorted({'lingua', 'yake', 'vaderSentiment'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(RESOLVERS)},
    )
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- errors

ERROR_CASES = [
    # code, HTTP status, throttled, retryable
    ("ThrottlingException", 400, True, True),
    ("TooManyRequestsException", 400, True, True),
    ("InternalServerException", 500, False, True),
    ("TextSizeLimitExceededException", 400, False, False),
    ("UnsupportedLanguageException", 400, False, False),
    ("InvalidRequestException", 400, False, False),
]


def _assert_mapped(err: ProviderError, code: str, throttled: bool, retryable: bool) -> None:
    assert err.info["code"] == code
    assert err.info["retryable"] is retryable
    assert isinstance(err, ProviderThrottledError) is throttled
    assert (err.error_type == "ProviderThrottled") is throttled
    assert isinstance(err.__cause__, ClientError)


@pytest.mark.parametrize(("code", "status", "throttled", "retryable"), ERROR_CASES)
def test_sentiment_errors_are_mapped(
    comprehend: Stubbed[ComprehendClient], code: str, status: int, throttled: bool, retryable: bool
) -> None:
    # Given DetectSentiment fails with a service error
    client, stubber = comprehend
    stubber.add_client_error(
        "detect_sentiment",
        service_error_code=code,
        http_status_code=status,
        expected_params={"Text": ROME, "LanguageCode": "en"},
    )
    # When the message is scored / Then a port error says what happened, nothing botocore leaks
    with pytest.raises(ProviderError) as caught:
        ComprehendSentimentAnalyzer(client).analyze(ROME, "en")
    _assert_mapped(caught.value, code, throttled, retryable)
    assert caught.value.info["operation"] == "DetectSentiment"
    assert ROME not in str(caught.value)


@pytest.mark.parametrize(("code", "status", "throttled", "retryable"), ERROR_CASES)
def test_topic_errors_are_mapped(
    comprehend: Stubbed[ComprehendClient], code: str, status: int, throttled: bool, retryable: bool
) -> None:
    client, stubber = comprehend
    stubber.add_response(
        "detect_key_phrases", {"KeyPhrases": []}, {"Text": ROME, "LanguageCode": "en"}
    )
    stubber.add_client_error(
        "detect_entities",
        service_error_code=code,
        http_status_code=status,
        expected_params={"Text": ROME, "LanguageCode": "en"},
    )
    with pytest.raises(ProviderError) as caught:
        ComprehendTopicExtractor(client).extract(ROME, "en")
    _assert_mapped(caught.value, code, throttled, retryable)
    assert caught.value.info["operation"] == "DetectEntities"


@pytest.mark.parametrize(("code", "status", "throttled", "retryable"), ERROR_CASES[:4])
def test_language_errors_are_mapped(
    comprehend: Stubbed[ComprehendClient], code: str, status: int, throttled: bool, retryable: bool
) -> None:
    client, stubber = comprehend
    stubber.add_client_error(
        "detect_dominant_language",
        service_error_code=code,
        http_status_code=status,
        expected_params={"Text": ROME},
    )
    with pytest.raises(ProviderError) as caught:
        ComprehendLanguageDetector(client).detect(ROME)
    _assert_mapped(caught.value, code, throttled, retryable)


def test_connection_failure_is_a_retryable_provider_error() -> None:
    # Given the endpoint times out (raised by botocore's own machinery before any I/O;
    # the endpoint is a closed local port, so a missed hook fails with another code)
    client = boto3.client(
        "comprehend",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    def time_out(**_: Any) -> None:
        raise ConnectTimeoutError(endpoint_url="https://comprehend.example.invalid")

    client.meta.events.register("before-call.comprehend.DetectSentiment", time_out)
    # When the message is scored / Then
    with pytest.raises(ProviderError) as caught:
        ComprehendSentimentAnalyzer(client).analyze(ROME, "en")
    assert caught.value.info["code"] == "ConnectTimeoutError"
    assert caught.value.info["retryable"] is True
    assert not isinstance(caught.value, ProviderThrottledError)
    assert isinstance(caught.value.__cause__, ConnectTimeoutError)


# --------------------------------------------------------------------------- language


def test_detect_returns_the_best_scored_language(comprehend: Stubbed[ComprehendClient]) -> None:
    client, stubber = comprehend
    stubber.add_response(
        "detect_dominant_language",
        {
            "Languages": [
                {"LanguageCode": "it", "Score": 0.12},
                {"LanguageCode": "en", "Score": 0.87},
            ]
        },
        {"Text": ROME},
    )
    assert ComprehendLanguageDetector(client).detect(ROME) == LanguageGuess("en", 0.87)


def test_detect_returns_none_for_an_empty_answer(comprehend: Stubbed[ComprehendClient]) -> None:
    client, stubber = comprehend
    stubber.add_response("detect_dominant_language", {"Languages": []}, {"Text": "???"})
    assert ComprehendLanguageDetector(client).detect("???") is None


def test_detect_does_not_call_for_blank_text(comprehend: Stubbed[ComprehendClient]) -> None:
    client, _ = comprehend
    # No response is stubbed: a call would raise instead of returning None.
    assert ComprehendLanguageDetector(client).detect(" \n\t ") is None


# --------------------------------------------------------------------------- sentiment


@pytest.mark.parametrize("language", [*COMPREHEND_LANGUAGES, "en-GB", "pt-BR"])
def test_sentiment_supports_comprehend_languages(language: str) -> None:
    assert ComprehendSentimentAnalyzer(_client("comprehend")).supports(language)


@pytest.mark.parametrize("language", ["nl", "sv", "ru", "eo", "tw"])
def test_sentiment_does_not_support_other_languages(language: str) -> None:
    assert not ComprehendSentimentAnalyzer(_client("comprehend")).supports(language)


@pytest.mark.parametrize(
    ("language", "sent_code"), [("en", "en"), ("zh-TW", "zh-TW"), ("en-GB", "en"), ("pt-BR", "pt")]
)
def test_sentiment_maps_label_and_scores(
    comprehend: Stubbed[ComprehendClient], language: str, sent_code: str
) -> None:
    client, stubber = comprehend
    stubber.add_response(
        "detect_sentiment",
        {"Sentiment": "NEGATIVE", "SentimentScore": _scores(0.01, 0.93, 0.05, 0.01)},
        {"Text": "You are a stupid idiot", "LanguageCode": sent_code},
    )
    result = ComprehendSentimentAnalyzer(client).analyze("You are a stupid idiot", language)
    assert result == Sentiment(SentimentLabel.NEGATIVE, 0.01, 0.93, 0.05, 0.01)


def test_sentiment_refuses_an_unsupported_language_without_calling(
    comprehend: Stubbed[ComprehendClient],
) -> None:
    client, _ = comprehend
    with pytest.raises(ProviderError) as caught:
        ComprehendSentimentAnalyzer(client).analyze("Hallo allemaal", "nl")
    assert caught.value.info["code"] == "UnsupportedLanguage"
    assert caught.value.info["retryable"] is False


def test_long_text_is_scored_in_one_batch_and_the_negative_part_decides(
    comprehend: Stubbed[ComprehendClient],
) -> None:
    # Given 5,800 bytes: 1,250 emoji (5,000 bytes) then an insult, over the 5,000-byte limit
    client, stubber = comprehend
    head, tail = "😀" * 1250, " you are a stupid idiot" * 35
    text = head + tail
    stubber.add_response(
        "batch_detect_sentiment",
        {
            "ResultList": [
                {
                    "Index": 0,
                    "Sentiment": "POSITIVE",
                    "SentimentScore": _scores(0.9, 0.02, 0.07, 0.01),
                },
                {
                    "Index": 1,
                    "Sentiment": "NEGATIVE",
                    "SentimentScore": _scores(0.01, 0.97, 0.01, 0.01),
                },
            ],
            "ErrorList": [],
        },
        {"TextList": [head, tail], "LanguageCode": "en"},
    )
    # When it is scored / Then the insult is not hidden by the padding
    result = ComprehendSentimentAnalyzer(client).analyze(text, "en")
    assert result == Sentiment(SentimentLabel.NEGATIVE, 0.01, 0.97, 0.01, 0.01)


def test_long_text_without_negative_parts_gets_the_weighted_mean(
    comprehend: Stubbed[ComprehendClient],
) -> None:
    client, stubber = comprehend
    first, second = "good " * 1000, "fine " * 200  # 5,000 and 1,000 bytes
    stubber.add_response(
        "batch_detect_sentiment",
        {
            "ResultList": [
                {"Index": 1, "Sentiment": "NEUTRAL", "SentimentScore": _scores(0.0, 0.0, 1.0, 0.0)},
                {
                    "Index": 0,
                    "Sentiment": "POSITIVE",
                    "SentimentScore": _scores(0.6, 0.0, 0.4, 0.0),
                },
            ],
            "ErrorList": [],
        },
        {"TextList": [first, second], "LanguageCode": "en"},
    )
    result = ComprehendSentimentAnalyzer(client).analyze(first + second, "en")
    assert result.label is SentimentLabel.POSITIVE
    assert result.positive == pytest.approx(0.5)  # (0.6 * 5000 + 0 * 1000) / 6000
    assert result.neutral == pytest.approx(0.5)
    assert result.negative == 0.0 and result.mixed == 0.0


def test_a_batch_item_error_fails_the_whole_message(comprehend: Stubbed[ComprehendClient]) -> None:
    client, stubber = comprehend
    text = "é" * 2600  # 5,200 bytes, no spaces: cut at a character boundary
    stubber.add_response(
        "batch_detect_sentiment",
        {
            "ResultList": [
                {"Index": 0, "Sentiment": "NEUTRAL", "SentimentScore": _scores(0.0, 0.0, 1.0, 0.0)}
            ],
            "ErrorList": [{"Index": 1, "ErrorCode": "INTERNAL_SERVER_ERROR", "ErrorMessage": "x"}],
        },
        {"TextList": ["é" * 2500, "é" * 100], "LanguageCode": "fr"},
    )
    with pytest.raises(ProviderError) as caught:
        ComprehendSentimentAnalyzer(client).analyze(text, "fr")
    assert caught.value.info["code"] == "INTERNAL_SERVER_ERROR"
    assert caught.value.info["operation"] == "BatchDetectSentiment"


# --------------------------------------------------------------------------- topics


def test_topics_merge_key_phrases_and_useful_entities(
    comprehend: Stubbed[ComprehendClient],
) -> None:
    client, stubber = comprehend
    text = "Bob said this sunny day in Rome is the best today"
    stubber.add_response(
        "detect_key_phrases",
        {
            "KeyPhrases": [
                {"Text": "this sunny day", "Score": 0.99, "BeginOffset": 9, "EndOffset": 23},
                {"Text": "Rome", "Score": 0.98, "BeginOffset": 27, "EndOffset": 31},
                {"Text": "the best", "Score": 0.31, "BeginOffset": 35, "EndOffset": 43},
            ]
        },
        {"Text": text, "LanguageCode": "en"},
    )
    stubber.add_response(
        "detect_entities",
        {
            "Entities": [
                {
                    "Text": "Rome",
                    "Type": "LOCATION",
                    "Score": 0.995,
                    "BeginOffset": 27,
                    "EndOffset": 31,
                },
                {
                    "Text": "today",
                    "Type": "DATE",
                    "Score": 0.99,
                    "BeginOffset": 44,
                    "EndOffset": 49,
                },
                {"Text": "Bob", "Type": "PERSON", "Score": 0.42, "BeginOffset": 0, "EndOffset": 3},
            ]
        },
        {"Text": text, "LanguageCode": "en"},
    )
    phrases = ComprehendTopicExtractor(client).extract(text, "en")
    # Low scores (< 0.5) and DATE entities are dropped.
    assert phrases == [Phrase("this sunny day", 0.99), Phrase("Rome", 0.98), Phrase("Rome", 0.995)]
    assert select_tags(phrases) == ("rome", "sunny day")


def test_topics_without_entities_make_one_call(comprehend: Stubbed[ComprehendClient]) -> None:
    client, stubber = comprehend
    stubber.add_response(
        "detect_key_phrases",
        {"KeyPhrases": [{"Text": "sunny day", "Score": 0.97}]},
        {"Text": ROME, "LanguageCode": "en"},
    )
    extractor = ComprehendTopicExtractor(client, include_entities=False)
    assert extractor.extract(ROME, "en") == [Phrase("sunny day", 0.97)]


def test_topics_for_an_unsupported_language_are_empty_without_calling(
    comprehend: Stubbed[ComprehendClient],
) -> None:
    client, _ = comprehend
    assert ComprehendTopicExtractor(client).extract("Mooie zonnige dag in Rome", "nl") == []


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("a" + "😀" * 1300, "a" + "😀" * 1249),  # 5,201 bytes -> 4,997: no half emoji
        ("é" * 3000, "é" * 2500),  # 6,000 bytes -> exactly 5,000
        ("日本" * 1000, "日本" * 833),  # 6,000 bytes -> 4,998
    ],
)
def test_topics_truncate_to_5000_bytes_on_a_character_boundary(
    comprehend: Stubbed[ComprehendClient], text: str, sent: str
) -> None:
    client, stubber = comprehend
    assert len(sent.encode("utf-8")) <= 5000
    stubber.add_response(
        "detect_key_phrases", {"KeyPhrases": []}, {"Text": sent, "LanguageCode": "ja"}
    )
    stubber.add_response("detect_entities", {"Entities": []}, {"Text": sent, "LanguageCode": "ja"})
    assert ComprehendTopicExtractor(client).extract(text, "ja") == []


# --------------------------------------------------------------------------- translate


def test_translate_calls_once_per_distinct_target_other_than_the_source(
    translate: Stubbed[TranslateClient],
) -> None:
    client, stubber = translate
    for target, out in (("fr", "J'adore cette journée"), ("de", "Ich liebe diesen Tag")):
        stubber.add_response(
            "translate_text",
            {"TranslatedText": out, "SourceLanguageCode": "en", "TargetLanguageCode": target},
            {"Text": "I love this day", "SourceLanguageCode": "en", "TargetLanguageCode": target},
        )
    translator = AmazonTranslator(client)
    result = translator.translate("I love this day", "en", ["fr", "en", "de", "fr"])
    assert result == {"fr": "J'adore cette journée", "de": "Ich liebe diesen Tag"}
    assert translator.available is True


def test_translate_to_the_source_only_makes_no_call(translate: Stubbed[TranslateClient]) -> None:
    client, _ = translate
    assert AmazonTranslator(client).translate("hello", "en", ["en"]) == {}


def test_a_failing_target_is_left_out_and_logged_without_text(
    translate: Stubbed[TranslateClient], caplog: pytest.LogCaptureFixture
) -> None:
    client, stubber = translate
    stubber.add_client_error(
        "translate_text",
        service_error_code="UnsupportedLanguagePairException",
        http_status_code=400,
        expected_params={"Text": ROME, "SourceLanguageCode": "en", "TargetLanguageCode": "xx"},
    )
    stubber.add_response(
        "translate_text",
        {
            "TranslatedText": "Amo questa giornata",
            "SourceLanguageCode": "en",
            "TargetLanguageCode": "it",
        },
        {"Text": ROME, "SourceLanguageCode": "en", "TargetLanguageCode": "it"},
    )
    with caplog.at_level(logging.WARNING):
        result = AmazonTranslator(client).translate(ROME, "en", ["xx", "it"])
    assert result == {"it": "Amo questa giornata"}
    [record] = caplog.records
    assert (getattr(record, "target", None), getattr(record, "code", None)) == (
        "xx",
        "UnsupportedLanguagePairException",
    )
    # Neither the message nor its translation reaches the log record, extras included.
    assert not any("Rome" in str(v) or "Amo" in str(v) for v in vars(record).values())


@pytest.mark.parametrize(
    ("codes", "throttled", "retryable"),
    [
        (["UnsupportedLanguagePairException", "InvalidRequestException"], False, False),
        (["UnsupportedLanguagePairException", "TooManyRequestsException"], True, True),
        (["ThrottlingException", "ThrottlingException"], True, True),
        (["ServiceUnavailableException", "InvalidRequestException"], False, True),
    ],
)
def test_every_target_failing_is_a_provider_error(
    translate: Stubbed[TranslateClient], codes: list[str], throttled: bool, retryable: bool
) -> None:
    client, stubber = translate
    for target, code in zip(("fr", "de"), codes, strict=True):
        stubber.add_client_error(
            "translate_text",
            service_error_code=code,
            http_status_code=503 if code == "ServiceUnavailableException" else 400,
            expected_params={
                "Text": ROME,
                "SourceLanguageCode": "en",
                "TargetLanguageCode": target,
            },
        )
    with pytest.raises(ProviderError) as caught:
        AmazonTranslator(client).translate(ROME, "en", ["fr", "de"])
    err = caught.value
    assert isinstance(err, ProviderThrottledError) is throttled
    assert err.info["retryable"] is retryable
    assert err.info["targets"] == {"fr": codes[0], "de": codes[1]}
    assert isinstance(err.__cause__, ClientError)


def test_text_over_10000_bytes_is_refused_without_calling(
    translate: Stubbed[TranslateClient],
) -> None:
    client, _ = translate
    with pytest.raises(ProviderError) as caught:
        AmazonTranslator(client).translate("€" * 3334, "en", ["fr"])  # 10,002 bytes
    assert caught.value.info["code"] == "TextSizeLimitExceeded"


# --------------------------------------------------------------------------- byte limits


@given(st.text(), st.integers(min_value=4, max_value=64))
def test_truncate_is_the_longest_prefix_that_fits(text: str, limit: int) -> None:
    cut = truncate_utf8(text, limit)
    assert text.startswith(cut)
    assert len(cut.encode("utf-8")) <= limit
    if cut != text:
        assert len(text[: len(cut) + 1].encode("utf-8")) > limit


@given(st.text(), st.integers(min_value=4, max_value=64))
def test_split_keeps_every_non_blank_character_in_order(text: str, limit: int) -> None:
    pieces = split_utf8(text, limit)
    assert all(len(p.encode("utf-8")) <= limit and p.strip() for p in pieces)
    # Every non-blank character survives, in order (a dropped whitespace-only piece may
    # glue two words together, which does not matter for scoring pieces separately).
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_split_prefers_whitespace_to_cutting_a_word() -> None:
    assert split_utf8("hello brave new world", 14) == ["hello brave ", "new world"]
