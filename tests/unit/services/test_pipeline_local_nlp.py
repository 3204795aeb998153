"""The moderation pipeline with the real offline NLP (lingua, VADER, YAKE) and in-memory store."""

from __future__ import annotations

import pytest
from positive_chat.bootstrap import Store, build_services, nlp_for
from positive_chat.domain import commands
from positive_chat.domain.events import MessageAccepted, MessageRejected
from positive_chat.domain.model import (
    ModerationStatus,
    RejectionReason,
    SentimentLabel,
    TranslationStatus,
    Visibility,
)
from positive_chat.settings import Settings

from tests.fakes import InMemoryStore

from .conftest import ALICE, BOB


@pytest.fixture(scope="module")
def local_nlp():
    return nlp_for(Settings(table_name="unused", nlp_provider="local"))


@pytest.fixture
def chat(local_nlp):
    store = InMemoryStore()
    services = build_services(Store(store, store, store, store, store, store), local_nlp)
    room = services.rooms.create(
        commands.CreateRoom(ALICE, "Lounge", Visibility.PUBLIC, language="en")
    )
    return services, store, room


def _post(services, room, text, client_id, caller=ALICE):
    return services.messages.post(commands.PostMessage(caller, room.id, text, client_id))


def test_an_english_insult_is_rejected_with_its_reason_and_never_stored(chat):
    services, store, room = chat
    outcome = _post(services, room, "You are a stupid idiot and I hate you", "client-ins001")
    assert isinstance(outcome, MessageRejected)
    assert outcome.rejection.reason is RejectionReason.NEGATIVE_SENTIMENT
    assert outcome.rejection.sentiment.label is SentimentLabel.NEGATIVE
    assert outcome.rejection.sentiment.negative >= 0.6
    assert outcome.rejection.language == "en"
    assert store.messages == {}
    assert store.top_tags(room.id, 10) == []


def test_a_sunny_day_in_rome_is_accepted_in_english_with_sensible_tags(chat):
    services, store, room = chat
    outcome = _post(services, room, "I love this sunny day in Rome", "client-rome01")
    assert isinstance(outcome, MessageAccepted)
    message = outcome.message
    assert message.language == "en"
    assert message.moderation is ModerationStatus.SCORED
    assert message.sentiment.label is SentimentLabel.POSITIVE
    assert "rome" in message.tags
    assert "sunny day" in message.tags
    assert len(message.tags) <= 10
    assert message.points >= 1
    assert message.translation_status is TranslationStatus.NOT_NEEDED
    assert store.get_message(room.id, message.id) == message


def test_offline_readers_of_other_languages_are_told_translation_is_unavailable(chat):
    services, _, room = chat
    services.rooms.join(commands.JoinRoom(BOB, room.id, "fr"))
    message = _post(services, room, "What a lovely morning in Paris", "client-par001").message
    assert message.translation_status is TranslationStatus.UNAVAILABLE
    assert message.translations == ()
    assert message.untranslated_languages == ("fr",)


def test_a_short_insult_cannot_hide_behind_a_reader_language_that_cannot_be_scored(chat):
    # Lingua is not confident on short text; Bob reads French (which VADER cannot score).
    services, store, room = chat
    services.rooms.join(commands.JoinRoom(BOB, room.id, "fr"))
    outcome = _post(
        services, room, "You are a stupid idiot and I hate you", "client-ins002", caller=BOB
    )
    assert isinstance(outcome, MessageRejected)
    assert store.messages == {}


def test_tag_cloud_counts_after_several_posts(chat):
    services, _, room = chat
    texts = ["I love Rome in spring", "Rome has wonderful food", "Paris is lovely in spring"]
    for i, text in enumerate(texts):
        assert isinstance(_post(services, room, text, f"client-cld{i:03d}"), MessageAccepted)
    cloud = {t.tag: t.count for t in services.stats.tag_cloud(ALICE, room.id, None)}
    assert cloud["rome"] == 2
    assert cloud.get("paris") == 1
