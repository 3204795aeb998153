"""The analytics fields through the resolver Lambda, driven by AppSync Direct Lambda events
(tests/events/{tagTrends_analyst,topTags,roomStats,messagesByTag_iam}.json)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

from positive_chat.handlers.api import lambda_handler

from tests.events import load_event


def _invoke(event, context):
    result = lambda_handler(event, context)
    json.dumps(result)  # AppSync needs a JSON-serialisable result
    return result


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def _room_with_posts(world, context, *times: str) -> str:
    room = _invoke(load_event("createRoom"), context)
    for i, when in enumerate(times):
        world.clock = itertools.count(_ms(when), 1)
        event = load_event("postMessage")
        event["arguments"]["input"].update(roomId=room["id"], clientId=f"client-analytics-{i}")
        assert _invoke(event, context)["status"] == "ACCEPTED"
    return str(room["id"])


def _args(name: str, **arguments):
    event = load_event(name)
    event["arguments"] = {**event["arguments"], **arguments}
    return event


def test_tag_trends_for_an_analyst_fill_every_hour(world, context):
    _room_with_posts(world, context, "2025-03-07T09:15:00", "2025-03-07T11:59:59")

    result = _invoke(load_event("tagTrends_analyst"), context)

    assert result["from"] == "2025-03-07T08:00:00.000Z"
    assert result["to"] == "2025-03-07T12:00:00.000Z"
    assert [(b["start"], b["count"]) for b in result["buckets"]] == [
        ("2025-03-07T08:00:00.000Z", 0),
        ("2025-03-07T09:00:00.000Z", 1),
        ("2025-03-07T10:00:00.000Z", 0),
        ("2025-03-07T11:00:00.000Z", 1),
    ]
    assert (result["tag"], result["roomId"], result["granularity"], result["total"]) == (
        "rome",
        None,
        "HOUR",
        2,
    )


def test_tag_trends_across_rooms_refuse_a_member(world, context):
    event = _args("tagTrends_analyst")
    event["identity"] = load_event("me")["identity"]  # alice: no groups
    result = _invoke(event, context)
    assert result["__error"]["type"] == "Unauthorized"
    assert "analysts" in result["__error"]["message"]


def test_top_tags_of_a_room(world, context):
    room_id = _room_with_posts(world, context, "2025-03-02T10:00:00", "2025-03-06T10:00:00")
    result = _invoke(_args("topTags", roomId=room_id), context)
    assert result[0] == {"tag": "rome", "count": 2}
    assert len(result) <= 5


def test_room_stats(world, context):
    room_id = _room_with_posts(world, context, "2025-03-07T10:00:00", "2025-03-08T10:00:00")
    result = _invoke(_args("roomStats", roomId=room_id), context)
    assert result == {
        "roomId": room_id,
        "from": "2025-03-07T00:00:00.000Z",
        "to": "2025-03-08T00:00:00.000Z",
        "accepted": 1,
        "rejected": 0,
        "deleted": 0,
        "sentiment": {"positive": 1, "negative": 0, "neutral": 0, "mixed": 0, "unscored": 0},
        "activeAuthors": 1,
    }


def test_messages_by_tag_for_iam_in_a_window(world, context):
    _room_with_posts(world, context, "2025-03-06T23:59:59", "2025-03-07T10:00:00")
    result = _invoke(load_event("messagesByTag_iam"), context)
    assert [m["createdAt"] for m in result["items"]] == ["2025-03-07T10:00:00.000Z"]
    assert result["nextToken"] is None


def test_bad_arguments_are_validation_errors(world, context):
    room_id = _room_with_posts(world, context)
    too_long = _invoke(_args("roomStats", roomId=room_id, to="2025-12-31T00:00:00Z"), context)[
        "__error"
    ]
    assert too_long["type"] == "ValidationError"
    assert too_long["info"] == {"field": "from", "limit": 92}
    for event in (
        _args("tagTrends_analyst", granularity="WEEK"),
        _args("topTags", roomId=room_id, **{"from": "yesterday"}),
        _args("roomStats", roomId=room_id, to=None),
        _args("messagesByTag_iam", to="2025-03-06T00:00:00Z"),
    ):
        assert _invoke(event, context)["__error"]["type"] == "ValidationError"
