"""Provider faults: Comprehend/Translate throttling and 5xx, end to end.

A runtime of this module's own serves the real template with ``NLP_PROVIDER=aws``, its
resolver Lambda pointed at a local fake of Comprehend and Translate (``_fake_aws``) through
``AWS_ENDPOINT_URL_COMPREHEND`` / ``AWS_ENDPOINT_URL_TRANSLATE`` - the only change is
those two variables, added to a copy of infra/template.yaml. The behaviour under test
(docs/reliability.md, "Provider faults"):

* a fault that botocore's retries absorb (standard mode: Comprehend 3 calls in all,
  Translate 2) is invisible;
* a persistent Comprehend failure (language, sentiment, topics) fails the post with
  ``ProviderThrottled`` (throttling) or ``ProviderError`` (5xx), ``errorInfo.retryable``
  true, and stores nothing; the same request (same clientId) later succeeds, once;
* a Translate failure does not fail the post: it is ACCEPTED with ``translationStatus:
  PARTIAL`` and the language in ``untranslatedLanguages``, pending: the stream handler tries
  once more and stores the translation as version 2 when Translate has recovered, or
  records the language untranslated for good when it still fails;
* a post never runs into the function's timeout (DEFECT-5): provider steps run within the
  invocation's remaining time; what cannot finish fails retryably (Comprehend) or is
  pending (Translate);
* the pchat outbox keeps a post that failed retryably pending and delivers it exactly once
  when the provider recovers.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pchat import EntryState, Outbox

from . import _invariants, _pchat
from ._fake_aws import FakeAws
from ._http import Cred, Credentials
from ._runtime import REPO, TEMPLATE, RelRuntime, skip_unless_prerequisites
from .conftest import Api

pytestmark = pytest.mark.dynamodb_local

POST = ("mutation($i: PostMessageInput!){ postMessage(input: $i){ status "
        "message { id _version clientId moderation tags translationStatus "
        "untranslatedLanguages translations { language text } } rejection { reason } } }")
SYNC = ("query($r: ID!){ syncMessages(roomId: $r, limit: 100){ items { id clientId _version "
        "translationStatus untranslatedLanguages translations { language text } } } }")
GOOD = "What a wonderful sunny afternoon with friends in the garden"
# bootstrap.provider_config: retries={"mode": "standard", "total_max_attempts": N}, every
# call counted: a persistent failure is tried 3 times by Comprehend, 2 by Translate.
SDK_ATTEMPTS = 3
TRANSLATE_ATTEMPTS = 2
# How long a test waits for the stream handler's background attempt (the local runtime
# polls the stream every ~0.25 s; the attempt takes at most a few seconds).
BACKGROUND_WAIT_S = 30.0


def unique(text: str = GOOD) -> str:
    """A text never sent before (translations are cached by text)."""
    return f"{text} {uuid.uuid4().hex[:6]}"


def provider_template(root: Path, endpoint: str) -> Path:
    """infra/template.yaml with the two endpoint variables added to every function that
    has TABLE_NAME, in a folder that mirrors the repository's relative paths (symlinks)."""
    infra = root / "infra"
    infra.mkdir(parents=True)
    (infra / "appsync").symlink_to(REPO / "infra" / "appsync")
    (root / "schema.graphql").symlink_to(REPO / "schema.graphql")
    (root / "resolvers").symlink_to(REPO / "resolvers")
    out: list[str] = []
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        out.append(line)
        match = re.match(r"^(\s+)TABLE_NAME: !Ref Table\s*$", line)
        if match:
            out += [f"{match[1]}AWS_ENDPOINT_URL_COMPREHEND: {endpoint}",
                    f"{match[1]}AWS_ENDPOINT_URL_TRANSLATE: {endpoint}"]
    assert len(out) > len(TEMPLATE.read_text(encoding="utf-8").splitlines()), \
        "no function declares TABLE_NAME: the template changed shape"
    (infra / "template.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    quiet = {"POWERTOOLS_LOG_LEVEL": "INFO", "POWERTOOLS_TRACE_DISABLED": "true",
             "POWERTOOLS_METRICS_DISABLED": "true"}
    # NLP_PROVIDER keeps the template's value: aws.
    (infra / "env.json").write_text(json.dumps({"ApiFunction": quiet,
                                                "StreamPublisherFunction": quiet}))
    return infra / "template.yaml"


@dataclass
class Stack:
    rt: RelRuntime
    fake: FakeAws
    api: Api
    room: str  # members read English only: no translation needed
    fr_room: str  # a member reads French: every post is translated


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    skip_unless_prerequisites()
    fake = FakeAws().start()
    root = tmp_path_factory.mktemp("providers")
    template = provider_template(root / "farm", fake.endpoint)
    rt = RelRuntime(root / "state", template=template, env_vars=template.parent / "env.json")
    rt.start()
    try:
        api = Api(rt, Credentials(rt))
        room = api.create_room(Cred.OWNER, "providers")
        fr_room = api.create_room(Cred.OWNER, "providers fr")
        api.join(Cred.MEMBER, room)
        api.join(Cred.MEMBER, fr_room, language="fr")
        yield Stack(rt, fake, api, room, fr_room)
    finally:
        rt.stop()
        fake.stop()


@pytest.fixture
def s(stack: Stack) -> Stack:
    stack.fake.clear()
    return stack


def post(st: Stack, room: str, client_id: str, text: str = GOOD) -> tuple[Any, list[Any]]:
    answer = st.api.call(Cred.MEMBER, POST, {"i": {"roomId": room, "text": text,
                                                     "clientId": client_id}})
    assert answer.status == 200, answer.body
    return answer.data and answer.data.get("postMessage"), answer.errors


def stored(st: Stack, room: str, client_id: str) -> int:
    return sum(1 for m in st.api.sync_all(room) if m["clientId"] == client_id)


def synced(st: Stack, room: str, client_id: str) -> dict[str, Any]:
    """The message as delta sync returns it now (every field the tests look at)."""
    items = st.api.ok(Cred.IAM, SYNC, {"r": room})["syncMessages"]["items"]
    (message,) = [m for m in items if m["clientId"] == client_id]
    return dict(message)


def settled(st: Stack, client_id: str) -> bool:
    """The stream handler's translation attempt for the post is over (stored)."""
    return client_id not in _invariants.pending_translations(st.rt.dynamodb())


def wait_until(what: str, check: Any, timeout_s: float = BACKGROUND_WAIT_S) -> None:
    """Poll ``check()`` until it is true; fail (naming ``what``) after ``timeout_s``."""
    give_up = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < give_up, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_the_stack_really_uses_the_fake_providers(s: Stack) -> None:
    text = unique()
    result, errors = post(s, s.fr_room, uuid.uuid4().hex, text)
    assert not errors
    assert result["message"]["moderation"] == "SCORED"
    assert result["message"]["translations"] == [{"language": "fr", "text": f"[fr] {text}"}]
    for op in ("DetectDominantLanguage", "DetectSentiment", "DetectKeyPhrases", "TranslateText"):
        assert s.fake.count(op, "ok") >= 1, s.fake.calls


def test_throttling_absorbed_by_sdk_retries_is_invisible(s: Stack) -> None:
    s.fake.fail("DetectSentiment", times=2, code="ThrottlingException")
    client_id = uuid.uuid4().hex
    result, errors = post(s, s.room, client_id)
    assert not errors, errors
    assert result["status"] == "ACCEPTED" and result["message"]["moderation"] == "SCORED"
    assert s.fake.count("DetectSentiment", "ThrottlingException") == 2
    assert s.fake.count("DetectSentiment", "ok") == 1
    assert stored(s, s.room, client_id) == 1


# (operation, HTTP status, error code, errorType the client sees)
COMPREHEND_FAULTS = [
    ("DetectSentiment", 400, "ThrottlingException", "ProviderThrottled"),
    ("DetectKeyPhrases", 400, "TooManyRequestsException", "ProviderThrottled"),
    ("DetectDominantLanguage", 500, "InternalServerException", "ProviderError"),
    ("DetectSentiment", 503, "ServiceUnavailableException", "ProviderError"),
]
SLOW_FAULTS = [
    ("DetectDominantLanguage", 400, "ThrottlingException", "ProviderThrottled"),
    ("DetectEntities", 400, "ThrottlingException", "ProviderThrottled"),
    ("DetectKeyPhrases", 500, "InternalServerException", "ProviderError"),
    ("DetectEntities", 503, "ServiceUnavailableException", "ProviderError"),
]


def _persistent_comprehend_fault(s: Stack, operation: str, status: int, code: str,
                                 error_type: str) -> None:
    s.fake.fail(operation, status=status, code=code)
    client_id = uuid.uuid4().hex
    result, errors = post(s, s.room, client_id)
    assert result is None
    assert len(errors) == 1, errors
    error = errors[0]
    assert error["errorType"] == error_type, error
    assert error["path"] == ["postMessage"]
    assert error["errorInfo"]["retryable"] is True, error
    assert error["errorInfo"]["provider"] == "comprehend"
    assert error["errorInfo"]["operation"] == operation
    assert GOOD not in json.dumps(error), "the error must not echo the message text"
    assert s.fake.count(operation, code) == SDK_ATTEMPTS
    # nothing stored, no orphan clientId guard, nothing half written
    assert stored(s, s.room, client_id) == 0
    report = _invariants.check_table(s.rt.dynamodb())
    assert not report.problems, report.problems
    # the provider recovers; the same request (same clientId) is accepted, once
    s.fake.clear()
    result, errors = post(s, s.room, client_id)
    assert not errors and result["status"] == "ACCEPTED"
    result_again, _ = post(s, s.room, client_id)
    assert result_again["message"]["id"] == result["message"]["id"]
    assert stored(s, s.room, client_id) == 1


@pytest.mark.parametrize(("operation", "status", "code", "error_type"), COMPREHEND_FAULTS,
                         ids=[f"{f[0]}-{f[2]}" for f in COMPREHEND_FAULTS])
def test_persistent_comprehend_fault_fails_retryably_and_stores_nothing(
        s: Stack, operation: str, status: int, code: str, error_type: str) -> None:
    _persistent_comprehend_fault(s, operation, status, code, error_type)


@pytest.mark.slow
@pytest.mark.parametrize(("operation", "status", "code", "error_type"), SLOW_FAULTS,
                         ids=[f"{f[0]}-{f[2]}" for f in SLOW_FAULTS])
def test_persistent_comprehend_fault_more_operations(
        s: Stack, operation: str, status: int, code: str, error_type: str) -> None:
    _persistent_comprehend_fault(s, operation, status, code, error_type)


@pytest.mark.parametrize("code", ["TooManyRequestsException", "InternalServerException"])
def test_translate_failure_accepts_the_post_with_the_translation_recorded_missing(
        s: Stack, code: str) -> None:
    s.fake.fail("TranslateText", status=400 if code.startswith("Too") else 500, code=code)
    client_id = uuid.uuid4().hex
    result, errors = post(s, s.fr_room, client_id, unique())
    assert not errors, errors
    message = result["message"]
    assert result["status"] == "ACCEPTED"
    assert message["translationStatus"] == "PARTIAL"
    assert message["untranslatedLanguages"] == ["fr"]
    assert message["translations"] == []
    assert stored(s, s.fr_room, client_id) == 1
    # Pending: the stream handler tries once more (Translate still fails, so the language is
    # then recorded untranslated for good) - and never again.
    wait_until("the stream handler's attempt", lambda: settled(s, client_id))
    assert s.fake.count("TranslateText", code) == 2 * TRANSLATE_ATTEMPTS
    s.fake.clear()
    replay, _ = post(s, s.fr_room, client_id, "the text of a replay is not read again")
    assert replay["message"]["translationStatus"] == "PARTIAL"
    assert replay["message"]["_version"] == 1
    fresh, _ = post(s, s.fr_room, uuid.uuid4().hex, unique())
    assert fresh["message"]["translationStatus"] == "COMPLETE"
    assert s.fake.count("TranslateText") == 1  # the fresh post's; none for the first one
    assert synced(s, s.fr_room, client_id)["untranslatedLanguages"] == ["fr"]


def test_a_pending_translation_is_completed_later_as_the_next_version(s: Stack) -> None:
    """Translate fails every attempt of the request (throttling), then recovers: the post
    is accepted PARTIAL at once, and the stream handler's attempt stores the translation as
    version 2, which delta sync (and onMessage) deliver."""
    s.fake.fail("TranslateText", times=TRANSLATE_ATTEMPTS, code="ThrottlingException")
    client_id, text = uuid.uuid4().hex, unique()
    result, errors = post(s, s.fr_room, client_id, text)
    assert not errors, errors
    assert result["status"] == "ACCEPTED"
    assert result["message"]["translationStatus"] == "PARTIAL"
    assert result["message"]["untranslatedLanguages"] == ["fr"]
    assert result["message"]["_version"] == 1

    wait_until("version 2 with the translation",
               lambda: synced(s, s.fr_room, client_id)["_version"] == 2)
    message = synced(s, s.fr_room, client_id)
    assert message["translationStatus"] == "COMPLETE"
    assert message["translations"] == [{"language": "fr", "text": f"[fr] {text}"}]
    assert message["untranslatedLanguages"] == []
    assert s.fake.count("TranslateText", "ThrottlingException") == TRANSLATE_ATTEMPTS
    assert s.fake.count("TranslateText", "ok") == 1
    assert stored(s, s.fr_room, client_id) == 1
    report = _invariants.check_table(s.rt.dynamodb())
    assert not report.problems, report.problems


async def _outbox_round(s: Stack, tmp_path: Path, code: str, status: int) -> None:
    client = await _pchat.sign_in(s.rt, "rel-member")
    box = Outbox(tmp_path / "outbox.sqlite")
    try:
        s.fake.fail("DetectSentiment", status=status, code=code)
        entry, report = await box.post_now(client, s.room, GOOD)
        states = {e.seq: e.state for e in box.entries()}
        assert states[entry.seq] is EntryState.PENDING, (
            f"a retryable provider failure must leave the post queued, not "
            f"{states[entry.seq].value}: {report}")
        assert report.stopped_by is not None
        assert stored(s, s.room, entry.client_id) == 0
        s.fake.clear()
        report = await box.flush(client)
        assert box.get(entry.seq).state is EntryState.SENT, report  # type: ignore[union-attr]
        assert stored(s, s.room, entry.client_id) == 1
    finally:
        box.close()
        await client.transport.close()


async def test_outbox_keeps_a_post_that_met_a_provider_5xx_pending(s: Stack,
                                                                   tmp_path: Path) -> None:
    await _outbox_round(s, tmp_path, "InternalServerException", 500)


async def test_outbox_keeps_a_throttled_post_pending(s: Stack, tmp_path: Path) -> None:
    await _outbox_round(s, tmp_path, "ThrottlingException", 400)


@pytest.mark.slow
def test_a_provider_slower_than_the_sdk_timeout_fails_retryably(s: Stack) -> None:
    """DetectSentiment answers after 6 s: past botocore's 3 s read timeout, every attempt.
    The post's budget (15 s minus 3 s) runs out first: the client gets a retryable
    ProviderError - not the function's timeout - and nothing is stored; the same request
    succeeds once the provider is fast again."""
    from pchat.errors import ApiError

    s.fake.fail("DetectSentiment", delay_s=6.0, status=200, code="Slow")
    client_id = uuid.uuid4().hex
    started = time.monotonic()
    result, errors = post(s, s.room, client_id)
    assert time.monotonic() - started < 15.0, "the post ran into the function's timeout"
    assert result is None and errors, result
    assert errors[0]["errorType"] == "ProviderError", errors
    assert errors[0]["errorInfo"]["retryable"] is True, errors
    assert ApiError(errors[0].get("errorType"), "x").transient, errors
    assert stored(s, s.room, client_id) == 0
    s.fake.clear()
    result, errors = post(s, s.room, client_id)
    assert not errors and result["status"] == "ACCEPTED"
    assert stored(s, s.room, client_id) == 1


@pytest.mark.slow
def test_translate_throttled_for_every_reader_language_still_accepts(s: Stack) -> None:
    """DEFECT-5 (fixed): a room read in five other languages while Translate throttles
    (each throttled answer takes 0.8 s, so the outcome does not depend on the SDK's random
    backoff). It used to take 5 targets x 4 attempts, one after the other, past the
    function's 15 s Timeout (Lambda:Unhandled 'Task timed out'). Now the targets run in
    parallel within the request's translation budget: the post is accepted, the five
    languages untranslated (pending; the stream handler's attempt fails too)."""
    room = s.api.create_room(Cred.OWNER, "providers five languages")
    for user, language in (("rel-member", "fr"), ("rel-outsider", "de"), ("rel-analyst", "es"),
                           ("rel-reader-1", "it"), ("rel-reader-2", "pt")):
        s.api.call_as(user, "mutation($r: ID!, $l: String){ joinRoom(roomId: $r, "
                            "language: $l){ role } }", {"r": room, "l": language})
    s.fake.fail("TranslateText", code="TooManyRequestsException", delay_s=0.8)
    client_id = uuid.uuid4().hex
    started = time.monotonic()
    answer = s.api.call(Cred.OWNER, POST, {"i": {"roomId": room, "text": unique(),
                                                  "clientId": client_id}})
    elapsed = time.monotonic() - started
    assert not answer.errors, [(e.get("errorType"), e.get("message")) for e in answer.errors]
    message = answer.data["postMessage"]["message"]
    assert answer.data["postMessage"]["status"] == "ACCEPTED"
    assert message["translationStatus"] == "PARTIAL"
    assert sorted(message["untranslatedLanguages"]) == ["de", "es", "fr", "it", "pt"]
    assert elapsed < 15.0, f"the post took {elapsed:.1f} s"
    # The stream handler's attempt fails as well (at most 2 calls per language), after
    # which the languages are recorded untranslated for good.
    wait_until("the stream handler's attempt", lambda: settled(s, client_id))
    assert s.fake.count("TranslateText") <= 2 * 5 * TRANSLATE_ATTEMPTS
    message = synced(s, room, client_id)
    assert message["_version"] == 1
    assert sorted(message["untranslatedLanguages"]) == ["de", "es", "fr", "it", "pt"]
    report = _invariants.check_table(s.rt.dynamodb())
    assert not report.problems, report.problems
