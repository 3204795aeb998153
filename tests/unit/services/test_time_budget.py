"""DEFECT-5 at the service level: a post within a time budget (domain.deadline.Deadline).

Provider trouble may cost a post its translations for a while, never the post: the
required steps (language, sentiment, topics) finish within the budget or the post fails
retryably with nothing written; translations not done within it are stored as pending and
completed by the stream handler's path (services/pending_translations.py).

Most tests drive a fake clock by hand (each provider call "takes" time on it); the ones
about a provider that hangs use the real clock with budgets of a fraction of a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest
from positive_chat.domain import commands
from positive_chat.domain.deadline import Deadline
from positive_chat.domain.errors import (
    DeadlineExceededError,
    ProviderError,
    ProviderThrottledError,
)
from positive_chat.domain.events import MessageAccepted
from positive_chat.domain.model import Caller, CallerKind, TranslationStatus, Visibility
from positive_chat.services.budget import MAX_PARALLEL_CALLS, in_parallel, within
from positive_chat.services.messages import SYNC_OVERLAP_MS
from positive_chat.services.pending_translations import PendingTranslations
from positive_chat.services.translation import TranslationService

from tests.fakes import RecordingTranslator, ScriptedSentiment

from .conftest import ALICE, World

READERS = ("fr", "de", "es", "it", "pt")


class FakeClock:
    """Monotonic seconds that only move when told (thread-safe)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def throttled(target: str) -> ProviderThrottledError:
    return ProviderThrottledError(
        "translate TranslateText failed (ThrottlingException)",
        info={
            "provider": "translate",
            "operation": "TranslateText",
            "code": "ThrottlingException",
            "retryable": True,
        },
    )


class SlowTranslator(RecordingTranslator):
    """Each call takes ``seconds`` on the fake clock, then throttles (the targets in
    ``throttling``, all of them when None) or translates."""

    def __init__(
        self, clock: FakeClock, seconds: float, throttling: frozenset[str] | None = None
    ) -> None:
        super().__init__()
        self.clock, self.seconds, self.throttling = clock, seconds, throttling
        self._lock = threading.Lock()

    def translate(self, text: str, source: str, targets: Sequence[str]) -> dict[str, str]:
        with self._lock:
            self.calls.append((text, source, tuple(targets)))
        self.clock.advance(self.seconds)
        for target in targets:
            if self.throttling is None or target in self.throttling:
                raise throttled(target)
        return {t: f"[{source}->{t}] {text}" for t in targets}


class HangingTranslator(RecordingTranslator):
    """Translates at once, except the targets in ``hanging``: those wait for ``release``
    (a provider that does not answer; the SDK's read timeout would end it)."""

    def __init__(self, hanging: frozenset[str]) -> None:
        super().__init__()
        self.hanging = hanging
        self.release = threading.Event()

    def translate(self, text: str, source: str, targets: Sequence[str]) -> dict[str, str]:
        if set(targets) & self.hanging:
            self.release.wait(10)
            raise throttled(targets[0])
        return super().translate(text, source, targets)


def _room_read_in(world: World, languages: Sequence[str] = READERS) -> str:
    room = world.services.rooms.create(
        commands.CreateRoom(ALICE, "Babel", Visibility.PUBLIC, language="en")
    )
    for i, language in enumerate(languages):
        reader = Caller(CallerKind.USER, user_id=f"sub-reader{i}", username=f"reader{i}")
        world.services.rooms.join(commands.JoinRoom(reader, room.id, language))
    return room.id


def _post(world: World, room_id: str, deadline: Deadline, client_id: str = "client-budget1"):
    return world.services.messages.post(
        commands.PostMessage(ALICE, room_id, "Great day in Rome", client_id), deadline
    )


def _completer(world: World, translator: RecordingTranslator) -> PendingTranslations:
    """What the stream handler wires: a translation service and the message store."""
    translation = TranslationService(translator, world.store, max_targets=5)
    return PendingTranslations(translation, world.store, world._tick)


# --------------------------------------------------------------------- the request path


def test_throttled_translate_within_a_budget_accepts_the_post_with_every_target_pending():
    # Given a room read in five other languages while Translate throttles, each throttled
    # answer taking 1.5 s, and a post with a 6 s budget
    clock = FakeClock()
    translator = SlowTranslator(clock, seconds=1.5)
    world = World(translator=translator)
    room_id = _room_read_in(world)

    outcome = _post(world, room_id, Deadline.after(6.0, clock))

    # Then the post is accepted without translations, all five pending, within the budget
    assert isinstance(outcome, MessageAccepted)
    message = outcome.message
    assert message.translation_status is TranslationStatus.PARTIAL
    assert message.translations == ()
    assert sorted(message.untranslated_languages) == sorted(READERS)
    assert sorted(message.pending_translations) == sorted(READERS)
    assert world.store.get_message(room_id, message.id) == message


def test_the_pending_step_is_completed_later_by_the_stream_handler_path():
    clock = FakeClock()
    translator = SlowTranslator(clock, seconds=1.5, throttling=frozenset({"de", "es", "it"}))
    world = World(translator=translator)
    room_id = _room_read_in(world)
    posted = _post(world, room_id, Deadline.after(6.0, clock)).message
    # (fr and pt do not throttle: done if reached within the budget, pending otherwise)
    translated = {t.language for t in posted.translations}
    assert translated <= {"fr", "pt"}
    assert set(posted.pending_translations) == set(READERS) - translated

    # When Translate recovers and the post's stream record reaches the stream handler
    translator.throttling = frozenset()
    (done,) = _completer(world, translator).complete([posted], Deadline.after(10.0, clock))

    # Then the message is stored as its next version with every translation
    stored = world.store.get_message(room_id, posted.id)
    assert done.stored and set(done.translated) == set(posted.pending_translations)
    assert stored is not None and stored.version == posted.version + 1
    assert stored.last_changed_at_ms > posted.last_changed_at_ms
    assert {t.language for t in stored.translations} == set(READERS)
    assert stored.translation_status is TranslationStatus.COMPLETE
    assert stored.untranslated_languages == () and stored.pending_translations == ()
    # and delta sync hands it to clients that saw version 1
    seen = posted.last_changed_at_ms + SYNC_OVERLAP_MS  # a client that synced after the post
    sync = world.services.messages.sync(ALICE, room_id, seen, 10, None)
    assert [(m.id, m.version) for m in sync.items] == [(posted.id, posted.version + 1)]


def test_a_provider_that_hangs_costs_the_post_only_the_hanging_targets():
    translator = HangingTranslator(hanging=frozenset({"de", "it"}))
    world = World(translator=translator)
    room_id = _room_read_in(world)
    try:
        started = time.monotonic()
        message = _post(world, room_id, Deadline.after(0.3)).message
        elapsed = time.monotonic() - started
    finally:
        translator.release.set()
    assert elapsed < 3.0, "the post waited for the hanging provider"
    assert {t.language for t in message.translations} == {"fr", "es", "pt"}
    assert message.untranslated_languages == ("de", "it")
    assert message.pending_translations == ("de", "it")


def test_the_request_waits_for_translations_at_most_the_translation_budget(monkeypatch):
    # The request path gives translation REQUEST_TRANSLATION_BUDGET_S (4 s) of its budget;
    # 0.3 s here, so the test does not wait 4 s.
    monkeypatch.setattr("positive_chat.services.messages.REQUEST_TRANSLATION_BUDGET_S", 0.3)
    translator = HangingTranslator(hanging=frozenset({"es"}))
    world = World(translator=translator)
    room_id = _room_read_in(world)
    try:
        started = time.monotonic()
        message = _post(world, room_id, Deadline.after(60.0)).message
        elapsed = time.monotonic() - started
    finally:
        translator.release.set()
    assert elapsed < 3.0
    assert message.pending_translations == ("es",)
    assert {t.language for t in message.translations} == set(READERS) - {"es"}


def test_a_permanent_translation_failure_is_untranslated_but_not_pending():
    world = World(translator=RecordingTranslator(failing=("de",)))
    room_id = _room_read_in(world, ("fr", "de"))
    message = _post(world, room_id, Deadline.after(10.0)).message
    assert message.untranslated_languages == ("de",)
    assert message.pending_translations == ()


def test_without_a_deadline_nothing_changes():
    world = World()
    room_id = _room_read_in(world, ("fr", "de"))
    message = world.services.messages.post(
        commands.PostMessage(ALICE, room_id, "Great day", "client-nodeadline")
    ).message
    assert message.translation_status is TranslationStatus.COMPLETE
    assert message.pending_translations == ()


# --------------------------------------------------------------------- required steps


class SlowSentiment(ScriptedSentiment):
    def __init__(self, clock: FakeClock, seconds: float) -> None:
        super().__init__()
        self.clock, self.seconds = clock, seconds

    def analyze(self, text: str, language: str):  # type: ignore[no-untyped-def]
        self.clock.advance(self.seconds)
        return super().analyze(text, language)


def test_a_required_step_out_of_budget_fails_retryably_and_writes_nothing():
    # Given sentiment that uses up the whole budget: topics cannot run
    clock = FakeClock()
    world = _world_with_sentiment(SlowSentiment(clock, seconds=7.0))
    room_id = _room_read_in(world, ("fr",))

    with pytest.raises(DeadlineExceededError) as caught:
        _post(world, room_id, Deadline.after(6.0, clock))

    assert caught.value.error_type == "ProviderError"
    assert caught.value.info == {
        "provider": "nlp",
        "operation": "topics",
        "code": "DeadlineExceeded",
        "retryable": True,
    }
    assert world.store.messages == {} and world.store.client_ids == {}
    assert world.translator.calls == []


def test_a_hanging_sentiment_call_is_abandoned_at_the_deadline():
    release = threading.Event()

    class Hanging(ScriptedSentiment):
        def analyze(self, text: str, language: str):  # type: ignore[no-untyped-def]
            release.wait(10)
            return super().analyze(text, language)

    world = _world_with_sentiment(Hanging())
    room_id = _room_read_in(world, ("fr",))
    try:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            _post(world, room_id, Deadline.after(0.2))
        assert time.monotonic() - started < 3.0
    finally:
        release.set()
    assert caught.value.info["operation"] == "sentiment"
    assert world.store.messages == {}
    assert world.store.rejections == {}


def test_a_spent_budget_refuses_before_any_provider_call():
    world = World()
    room_id = _room_read_in(world, ("fr",))
    clock = FakeClock()
    with pytest.raises(DeadlineExceededError):
        _post(world, room_id, Deadline.after(-1.0, clock))
    assert world.detector.calls == 0 and world.sentiment.calls == 0
    assert world.store.messages == {}


def test_provider_throttling_of_a_required_step_still_surfaces_as_throttling():
    class Throttled(ScriptedSentiment):
        def analyze(self, text: str, language: str):  # type: ignore[no-untyped-def]
            raise throttled("en")

    world = _world_with_sentiment(Throttled())
    room_id = _room_read_in(world, ("fr",))
    with pytest.raises(ProviderThrottledError) as caught:
        _post(world, room_id, Deadline.after(10.0))
    assert caught.value.error_type == "ProviderThrottled" and caught.value.info["retryable"]
    assert world.store.messages == {}


def _world_with_sentiment(sentiment: ScriptedSentiment) -> World:
    """A World whose services use ``sentiment``."""
    from positive_chat.bootstrap import Nlp, Store, build_services

    from tests.fakes import CapitalisedTopics

    world = World()
    world.sentiment = sentiment
    store = world.store
    world.services = build_services(
        Store(store, store, store, store, store, store),
        Nlp(world.detector, sentiment, CapitalisedTopics(), world.translator),
        clock_ms=world._tick,
    )
    return world


# --------------------------------------------------------------------- the stream path


def test_a_completion_that_fails_again_records_the_targets_for_good():
    clock = FakeClock()
    translator = SlowTranslator(clock, seconds=1.0)
    world = World(translator=translator)
    room_id = _room_read_in(world, ("fr", "de"))
    posted = _post(world, room_id, Deadline.after(10.0, clock)).message
    assert sorted(posted.pending_translations) == ["de", "fr"]

    (done,) = _completer(world, translator).complete([posted], Deadline.after(10.0, clock))

    stored = world.store.get_message(room_id, posted.id)
    assert done.stored and done.translated == ()
    assert done.abandoned == posted.pending_translations
    # nothing a reader sees changed: same version, still PARTIAL; only the mark is gone
    assert stored is not None and stored.version == posted.version
    assert stored.translation_status is TranslationStatus.PARTIAL
    assert stored.untranslated_languages == posted.untranslated_languages
    assert stored.pending_translations == ()
    # and there is no second background attempt for it
    assert _completer(world, translator).complete([stored], Deadline.after(10.0, clock)) == []


def test_a_completion_loses_to_an_edit_that_came_first():
    clock = FakeClock()
    translator = SlowTranslator(clock, seconds=1.0)
    world = World(translator=translator)
    room_id = _room_read_in(world, ("fr",))
    posted = _post(world, room_id, Deadline.after(10.0, clock)).message
    translator.throttling = frozenset()
    world.services.messages.edit(
        commands.EditMessage(ALICE, room_id, posted.id, "Great night in Rome", 1)
    )
    edited = world.store.get_message(room_id, posted.id)

    (done,) = _completer(world, translator).complete([posted], Deadline.after(10.0, clock))

    assert not done.stored
    assert world.store.get_message(room_id, posted.id) == edited
    assert edited is not None and edited.text == "Great night in Rome"


def test_only_the_latest_image_of_a_message_is_completed_and_tombstones_never():
    clock = FakeClock()
    translator = SlowTranslator(clock, seconds=1.0)
    world = World(translator=translator)
    room_id = _room_read_in(world, ("fr",))
    posted = _post(world, room_id, Deadline.after(10.0, clock)).message
    translator.throttling = frozenset()
    deleted = world.services.messages.delete(
        commands.DeleteMessage(ALICE, room_id, posted.id, 1)
    )
    completer = _completer(world, translator)
    assert completer.complete([posted, deleted], Deadline.after(10.0, clock)) == []
    assert world.store.get_message(room_id, posted.id) == deleted


# --------------------------------------------------------------------- budget helpers


def test_within_runs_inline_without_a_deadline_and_passes_errors_through():
    caller = threading.get_ident()
    assert within(Deadline.unbounded(), "x", threading.get_ident) == caller
    with pytest.raises(ProviderError, match="boom"):
        within(Deadline.after(5.0), "x", _raise(ProviderError("boom")))


def test_in_parallel_is_bounded_and_reports_what_did_not_finish():
    running, peak, lock = 0, 0, threading.Lock()

    def call(i: int):  # type: ignore[no-untyped-def]
        def run() -> int:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.05)
            with lock:
                running -= 1
            if i == 3:
                raise ProviderError("no")
            return i

        return run

    settled = in_parallel(Deadline.after(10.0), {i: call(i) for i in range(8)})
    assert 1 < peak <= MAX_PARALLEL_CALLS
    assert dict(settled.results) == {i: i for i in range(8) if i != 3}
    assert list(settled.failures) == [3] and settled.not_done == ()

    spent = in_parallel(Deadline.after(-1.0), {i: call(i) for i in range(3)})
    assert spent.not_done == (0, 1, 2) and not spent.results


def _raise(error: Exception):  # type: ignore[no-untyped-def]
    def run() -> None:
        raise error

    return run
