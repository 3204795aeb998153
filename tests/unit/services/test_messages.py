"""MessageService flows on in-memory ports (deterministic NLP doubles)."""

from __future__ import annotations

import threading

import pytest
from positive_chat.domain import commands
from positive_chat.domain.errors import (
    ConflictError,
    DuplicateRequestError,
    NotFoundError,
    UnauthorizedError,
    ValidationError,
)
from positive_chat.domain.events import MessageAccepted, MessageRejected
from positive_chat.domain.model import (
    ModerationStatus,
    RejectionReason,
    TranslationStatus,
    Visibility,
)

from tests.fakes import RecordingTranslator

from .conftest import ALICE, ANONYMOUS, BOB, CAROL_ANALYST, DAVE_MODERATOR, TOOL, World


def _room(world: World, *, visibility: Visibility = Visibility.PUBLIC, language: str = "en", **kw):
    return world.services.rooms.create(
        commands.CreateRoom(ALICE, "Lounge", visibility, language=language, **kw)
    )


def _post(world: World, room_id: str, text: str, client_id: str, caller=ALICE, language=None):
    return world.services.messages.post(
        commands.PostMessage(caller, room_id, text, client_id, language)
    )


def test_positive_post_is_stored_with_tags_points_and_version(world):
    room = _room(world)
    outcome = _post(world, room.id, "I love this sunny day in Rome", "client-0001")
    assert isinstance(outcome, MessageAccepted)
    message = outcome.message
    assert message.language == "en"
    assert message.moderation is ModerationStatus.SCORED
    assert "rome" in message.tags
    assert message.points > 0
    assert message.version == 1
    assert message.last_changed_at_ms == message.created_at_ms
    assert world.store.get_message(room.id, message.id) == message
    assert world.store.top_tags(room.id, 10)[0].count == 1


def test_negative_post_is_rejected_as_data_counted_and_never_stored(world):
    room = _room(world)
    outcome = _post(world, room.id, "You idiot, I hate you", "client-0002")
    assert isinstance(outcome, MessageRejected)
    assert outcome.rejection.reason is RejectionReason.NEGATIVE_SENTIMENT
    assert outcome.rejection.threshold == 0.6
    assert outcome.rejection.hint_language == "en"
    assert outcome.rejection.sentiment is not None and outcome.rejection.sentiment.negative >= 0.6
    assert world.store.messages == {}
    assert world.store.top_tags(room.id, 10) == []
    assert world.store.rejections[(room.id, ALICE.user_id)] == 1
    assert world.store.get_profile(ALICE.user_id).rejected_count == 1
    # Nothing was translated or tagged for a refused message.
    assert world.translator.calls == []


def test_rejection_hint_is_in_the_senders_language_when_written(world):
    room = _room(world)
    world.detector.language = "fr"
    world.sentiment.languages = ("en", "fr")
    outcome = _post(world, room.id, "Je te hate, idiot", "client-0003")
    assert isinstance(outcome, MessageRejected)
    assert outcome.rejection.hint_language == "fr"
    assert "message" in outcome.rejection.message.lower()


def test_rejection_hint_is_translated_for_other_languages_when_possible(world):
    room = _room(world)
    world.detector.language = "nl"
    world.sentiment.languages = ("en", "nl")
    outcome = _post(world, room.id, "hate hate hate", "client-0004")
    assert isinstance(outcome, MessageRejected)
    assert outcome.rejection.hint_language == "nl"
    assert outcome.rejection.message.startswith("[en->nl] ")


def test_retry_with_the_same_client_id_returns_the_original_without_reprocessing(world):
    room = _room(world)
    first = _post(world, room.id, "Great news about Paris", "client-retry")
    calls = world.sentiment.calls
    second = _post(world, room.id, "Great news about Paris", "client-retry")
    assert isinstance(first, MessageAccepted) and isinstance(second, MessageAccepted)
    assert second.message == first.message
    assert second.created is False
    assert world.sentiment.calls == calls  # the pipeline did not run again
    assert len(world.store.messages) == 1


def test_concurrent_retries_store_one_message(world):
    room = _room(world)
    results = []

    def post() -> None:
        results.append(_post(world, room.id, "Great concurrent Post", "client-concurrent"))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = {r.message.id for r in results}
    assert len(ids) == 1
    assert len(world.store.messages) == 1
    assert world.store.top_tags(room.id, 10)[0].count == 1  # counted once


def test_client_id_of_another_author_is_refused(world):
    room = _room(world)
    world.services.rooms.join(commands.JoinRoom(BOB, room.id))
    _post(world, room.id, "Hello Berlin", "client-shared")
    with pytest.raises(DuplicateRequestError):
        _post(world, room.id, "Hello Berlin", "client-shared", caller=BOB)


def test_translations_go_to_reader_languages_and_are_bounded(world):
    room = _room(world)
    for i, lang in enumerate(["fr", "de", "es"]):
        caller = type(BOB)(BOB.kind, user_id=f"sub-r{i}", username=f"r{i}")
        world.services.rooms.join(commands.JoinRoom(caller, room.id, lang))
    outcome = _post(world, room.id, "Great day", "client-tr001")
    message = outcome.message
    assert {t.language for t in message.translations} == {"fr", "de", "es"}
    assert message.translation_status is TranslationStatus.COMPLETE
    # Cached by text and target: the same text again costs no provider call.
    calls = len(world.translator.calls)
    _post(world, room.id, "Great day", "client-tr002")
    assert len(world.translator.calls) == calls


def test_translation_bound_and_partial_failures_are_reported():
    world = World(translator=RecordingTranslator(failing=("de",)), max_translations=2)
    room = _room(world)
    for i, lang in enumerate(["fr", "de", "es"]):
        caller = type(BOB)(BOB.kind, user_id=f"sub-r{i}", username=f"r{i}")
        world.services.rooms.join(commands.JoinRoom(caller, room.id, lang))
    message = _post(world, room.id, "Great day", "client-tr003").message
    assert message.translation_status is TranslationStatus.PARTIAL
    assert len(message.translations) <= 2
    assert set(message.untranslated_languages) | {t.language for t in message.translations} == {
        "fr",
        "de",
        "es",
    }


def test_offline_translation_is_reported_unavailable_never_faked():
    world = World(translator=RecordingTranslator(available=False))
    room = _room(world)
    world.services.rooms.join(commands.JoinRoom(BOB, room.id, "fr"))
    message = _post(world, room.id, "Great day", "client-off01").message
    assert message.translation_status is TranslationStatus.UNAVAILABLE
    assert message.translations == ()
    assert message.untranslated_languages == ("fr",)


def test_room_with_one_language_needs_no_translation(world):
    room = _room(world)
    message = _post(world, room.id, "Great day", "client-one01").message
    assert message.translation_status is TranslationStatus.NOT_NEEDED


def test_unscorable_language_is_accepted_unless_the_room_requires_sentiment():
    world = World(translator=RecordingTranslator(available=False))
    world.detector.language = "fi"
    relaxed = _room(world)
    accepted = _post(world, relaxed.id, "Hyvää päivää", "client-fi001")
    assert isinstance(accepted, MessageAccepted)
    assert accepted.message.moderation is ModerationStatus.UNSCORED
    assert accepted.message.sentiment is None
    strict = _room(world, require_sentiment=True)
    refused = _post(world, strict.id, "Hyvää päivää", "client-fi002")
    assert isinstance(refused, MessageRejected)
    assert refused.rejection.reason is RejectionReason.SENTIMENT_UNAVAILABLE


def test_unsupported_language_is_scored_through_the_pivot_translation(world):
    world.detector.language = "fi"
    room = _room(world)
    outcome = _post(world, room.id, "idiot idiot", "client-fi003")
    assert isinstance(outcome, MessageRejected)
    assert world.translator.calls[0][1:] == ("fi", ("en",))


def test_posting_needs_membership_and_a_user(world):
    room = _room(world)
    with pytest.raises(UnauthorizedError, match="Join room"):
        _post(world, room.id, "hello there", "client-nm001", caller=BOB)
    with pytest.raises(UnauthorizedError, match="signed-in user"):
        _post(world, room.id, "hello there", "client-nm002", caller=ANONYMOUS)


@pytest.mark.parametrize(
    ("text", "client_id", "match"),
    [
        ("", "client-val01", "empty"),
        ("x" * 2001, "client-val02", "limit is 2000"),
        ("ok", "bad id", "clientId"),
        ("nul\x00", "client-val03", "control character"),
    ],
)
def test_invalid_posts_write_nothing(world, text, client_id, match):
    room = _room(world)
    with pytest.raises(ValidationError, match=match):
        _post(world, room.id, text, client_id)
    assert world.store.messages == {}
    assert world.store.rejections == {}


def test_unknown_room_is_not_found(world):
    with pytest.raises(NotFoundError):
        _post(world, "nope", "hello", "client-nf001")


def test_stale_edit_gets_conflict_with_the_current_item(world):
    room = _room(world)
    message = _post(world, room.id, "hello Rome", "client-ed001").message
    edited = world.services.messages.edit(
        commands.EditMessage(ALICE, room.id, message.id, "hello Milan", expected_version=1)
    ).message
    assert edited.version == 2
    assert edited.tags == ("milan",)
    assert edited.edited_at_ms is not None
    with pytest.raises(ConflictError) as err:
        world.services.messages.edit(
            commands.EditMessage(ALICE, room.id, message.id, "hello Turin", expected_version=1)
        )
    assert err.value.error_type == "ConflictUnhandled"
    assert err.value.current == edited
    # Tag cloud follows the edit: rome gone, milan counted once.
    assert [(t.tag, t.count) for t in world.store.top_tags(room.id, 10)] == [("milan", 1)]


def test_negative_edit_is_rejected_and_the_message_is_unchanged(world):
    room = _room(world)
    message = _post(world, room.id, "Hello Rome", "client-ed002").message
    outcome = world.services.messages.edit(
        commands.EditMessage(ALICE, room.id, message.id, "I hate you idiot", expected_version=1)
    )
    assert isinstance(outcome, MessageRejected)
    assert world.store.get_message(room.id, message.id) == message


def test_only_the_author_edits(world):
    room = _room(world)
    world.services.rooms.join(commands.JoinRoom(BOB, room.id))
    message = _post(world, room.id, "Hello Rome", "client-ed003").message
    with pytest.raises(UnauthorizedError):
        world.services.messages.edit(commands.EditMessage(BOB, room.id, message.id, "Hi", 1))


def test_delete_leaves_a_tombstone_that_sync_reports_and_history_hides(world):
    room = _room(world)
    message = _post(world, room.id, "Great Rome", "client-del01").message
    before = world.now
    tombstone = world.services.messages.delete(
        commands.DeleteMessage(ALICE, room.id, message.id, 1)
    )
    assert tombstone.deleted and tombstone.text == "" and tombstone.version == 2
    assert world.services.messages.history(ALICE, room.id, None, None).items == []
    changes = world.services.messages.sync(ALICE, room.id, before, None, None)
    assert [m.id for m in changes.items] == [message.id]
    assert changes.items[0].deleted
    assert changes.started_at_ms >= before
    assert world.store.top_tags(room.id, 10) == []
    assert world.store.get_profile(ALICE.user_id).points == 0  # points revoked


def test_moderators_delete_any_message(world):
    room = _room(world)
    message = _post(world, room.id, "Hello Rome", "client-del02").message
    tombstone = world.services.messages.delete(
        commands.DeleteMessage(DAVE_MODERATOR, room.id, message.id, 1)
    )
    assert tombstone.deleted


def test_private_room_history_is_for_members(world):
    room = _room(world, visibility=Visibility.PRIVATE)
    _post(world, room.id, "secret Plans", "client-prv01")
    assert len(world.services.messages.history(ALICE, room.id, None, None).items) == 1
    for outsider in (BOB, ANONYMOUS):
        with pytest.raises(UnauthorizedError):
            world.services.messages.history(outsider, room.id, None, None)
    assert len(world.services.messages.history(TOOL, room.id, None, None).items) == 1


def test_search_across_rooms_is_for_analysts(world):
    a = _room(world)
    b = _room(world)
    _post(world, a.id, "Lovely Rome", "client-tag01")
    _post(world, b.id, "Great Rome", "client-tag02")
    everywhere = world.services.messages.by_tag(CAROL_ANALYST, "ROME", None, None, None)
    assert [m.room_id for m in everywhere.items] == [b.id, a.id]  # newest first
    with pytest.raises(UnauthorizedError, match="analysts"):
        world.services.messages.by_tag(BOB, "rome", None, None, None)
    one = world.services.messages.by_tag(BOB, "rome", a.id, None, None)
    assert [m.room_id for m in one.items] == [a.id]


def test_history_paginates_newest_first(world):
    room = _room(world)
    ids = [
        _post(world, room.id, f"Great Day {i}", f"client-pg{i:03d}").message.id for i in range(5)
    ]
    first = world.services.messages.history(ALICE, room.id, 2, None)
    second = world.services.messages.history(ALICE, room.id, 2, first.next_token)
    third = world.services.messages.history(ALICE, room.id, 2, second.next_token)
    got = [m.id for m in first.items + second.items + third.items]
    assert got == list(reversed(ids))
    assert third.next_token is None


def test_low_confidence_detection_beats_an_unscorable_reader_language(world):
    # Given a sender who reads French (not scorable here) and a detector unsure it is English
    room = _room(world)
    world.services.rooms.join(commands.JoinRoom(BOB, room.id, "fr"))
    world.detector.confidence = 0.3
    # When they post an insult
    outcome = _post(world, room.id, "idiot", "client-lowc01", caller=BOB)
    # Then the gate still scores it in the detected language and refuses it
    assert isinstance(outcome, MessageRejected)


def test_low_confidence_detection_defers_to_a_scorable_reader_language(world):
    room = _room(world)
    world.detector.language, world.detector.confidence = "de", 0.3
    message = _post(world, room.id, "Great stuff", "client-lowc02").message
    assert message.language == "en"  # Alice reads English, which is scorable
