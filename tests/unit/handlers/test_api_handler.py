"""The resolver Lambda driven by AppSync Direct Lambda events (tests/events/*.json)."""

from __future__ import annotations

import json

from positive_chat.handlers.api import lambda_handler

from tests.events import load_event


def _invoke(event, context):
    result = lambda_handler(event, context)
    json.dumps(result)  # AppSync needs a JSON-serialisable result
    return result


def _create_room(context):
    return _invoke(load_event("createRoom"), context)


def _with_args(name: str, **arguments):
    event = load_event(name)
    event["arguments"] = arguments
    return event


def test_create_room_uses_identity_from_the_token(world, context):
    room = _create_room(context)
    assert room["owner"] == {"id": "sub-alice", "username": "alice"}
    assert room["visibility"] == "PUBLIC"
    assert room["languages"] == ["en"]
    assert room["createdAt"].endswith("Z")


def test_post_accepted_then_history_via_api_key(world, context):
    room = _create_room(context)
    event = load_event("postMessage")
    event["arguments"]["input"]["roomId"] = room["id"]
    posted = _invoke(event, context)
    assert posted["status"] == "ACCEPTED"
    assert posted["rejection"] is None
    message = posted["message"]
    assert message["author"]["username"] == "alice"
    assert "rome" in message["tags"]
    assert message["_version"] == 1 and message["_deleted"] is False
    history = _invoke(_with_args("messages_apiKey", roomId=room["id"], limit=10), context)
    assert [m["id"] for m in history["items"]] == [message["id"]]


def test_post_rejected_is_data_not_an_error(world, context):
    room = _create_room(context)
    event = load_event("postMessage")
    event["arguments"]["input"].update(roomId=room["id"], text="you idiot, I hate this")
    result = _invoke(event, context)
    assert result["status"] == "REJECTED"
    assert result["message"] is None
    assert result["rejection"]["reason"] == "NEGATIVE_SENTIMENT"
    assert result["rejection"]["hint"]


def test_validation_error_becomes_an_appsync_error_envelope(world, context):
    room = _create_room(context)
    event = load_event("postMessage")
    event["arguments"]["input"].update(roomId=room["id"], text="x" * 2001)
    result = _invoke(event, context)
    assert result["__error"]["type"] == "ValidationError"
    assert "limit is 2000" in result["__error"]["message"]
    assert result["__error"]["info"] == {"field": "text", "limit": 2000}
    assert world.store.messages == {}


def test_stale_edit_returns_conflict_with_the_current_item(world, context):
    room = _create_room(context)
    post = load_event("postMessage")
    post["arguments"]["input"]["roomId"] = room["id"]
    message = _invoke(post, context)["message"]
    edit = load_event("editMessage")
    edit["arguments"]["input"].update(roomId=room["id"], messageId=message["id"], expectedVersion=1)
    assert _invoke(edit, context)["message"]["_version"] == 2
    stale = _invoke(edit, context)
    assert stale["__error"]["type"] == "ConflictUnhandled"
    assert stale["__error"]["data"]["_version"] == 2
    assert stale["__error"]["data"]["text"] == "An even sunnier day in Rome"


def test_api_key_cannot_write(world, context):
    event = load_event("createRoom", identity=None)
    result = _invoke(event, context)
    assert result["__error"]["type"] == "Unauthorized"


def test_iam_tool_can_sync(world, context):
    room = _create_room(context)
    result = _invoke(_with_args("syncMessages_iam", roomId=room["id"], lastSync=0), context)
    assert result["items"] == []
    assert isinstance(result["startedAt"], int)


def test_subscription_authorization_for_private_rooms(world, context):
    event = load_event("createRoom")
    event["arguments"]["input"]["visibility"] = "PRIVATE"
    room = _invoke(event, context)
    assert _invoke(_with_args("onMessage", roomId=room["id"]), context) is None
    stranger = load_event("onMessage", arguments={"roomId": room["id"]})
    stranger["identity"] = dict(stranger["identity"], sub="sub-bob", username="bob")
    stranger["identity"]["claims"] = dict(
        stranger["identity"]["claims"], sub="sub-bob", username="bob"
    )
    assert _invoke(stranger, context)["__error"]["type"] == "Unauthorized"
    anonymous = load_event("onMessage", arguments={"roomId": room["id"]}, identity=None)
    assert _invoke(anonymous, context)["__error"]["type"] == "Unauthorized"


def test_unknown_room_is_not_found(world, context):
    result = _invoke(_with_args("messages_apiKey", roomId="missing"), context)
    assert result["__error"]["type"] == "NotFound"


def test_unexpected_errors_are_generic_and_logged(world, context, monkeypatch, capsys):
    def boom(*_a, **_k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(world.services.stats, "me", boom)
    result = _invoke(load_event("me"), context)
    assert result["__error"]["type"] == "InternalError"
    assert "secret internals" not in result["__error"]["message"]
    assert context.aws_request_id in result["__error"]["message"]


def test_message_text_never_reaches_the_logs(world, context):
    import io
    import logging

    from positive_chat.handlers.observability import logger

    # Powertools' handler keeps the stdout it saw at import; capture at the logger instead.
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(handler)
    room = _create_room(context)
    secret = "My very private Sentence about Lisbon"
    event = load_event("postMessage")
    event["arguments"]["input"].update(roomId=room["id"], text=secret)
    assert _invoke(event, context)["status"] == "ACCEPTED"
    rejected = load_event("postMessage")
    rejected["arguments"]["input"].update(
        roomId=room["id"], text="idiot, I hate Lisbon", clientId="client-log-2"
    )
    assert _invoke(rejected, context)["status"] == "REJECTED"
    logger._logger.removeHandler(handler)
    logs = sink.getvalue()
    assert "message accepted" in logs  # the log line exists...
    assert secret not in logs and "idiot" not in logs  # ...without the text


def test_a_post_out_of_time_is_a_retryable_provider_error_and_writes_nothing(world, context):
    # The handler keeps 3 s of the invocation's remaining time for the write and the
    # response (handlers/context.py RESPONSE_MARGIN_S): 2 s left is no budget at all.
    room = _create_room(context)
    event = load_event("postMessage")
    event["arguments"]["input"]["roomId"] = room["id"]
    context.remaining_ms = 2_000
    result = _invoke(event, context)
    assert result["__error"]["type"] == "ProviderError"
    assert result["__error"]["info"] == {
        "provider": "nlp",
        "operation": "language",
        "code": "DeadlineExceeded",
        "retryable": True,
    }
    assert world.store.messages == {}
    # with time left, the same request is accepted
    context.remaining_ms = 10_000
    assert _invoke(event, context)["status"] == "ACCEPTED"
