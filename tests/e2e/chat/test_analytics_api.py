"""Analytics fields through the local runtime (schema, auth directives, APPSYNC_JS resolver,
Lambda) with unmodified gql clients: analysts across rooms, members in their rooms, IAM tools,
and no API key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.credentials import Credentials
from gql import gql
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication, AppSyncIAMAuthentication
from gql.transport.exceptions import TransportQueryError

from .conftest import host_of
from .test_chat_api import _create_room, _http, _jwt, _post

TRENDS = gql(
    """query($tag: String!, $room: ID, $from: AWSDateTime!, $to: AWSDateTime!) {
      tagTrends(tag: $tag, roomId: $room, granularity: HOUR, from: $from, to: $to) {
        tag roomId granularity from to total buckets { start count }
      }
      topTags(roomId: $room, from: $from, to: $to, limit: 5) { tag count }
      messagesByTag(tag: $tag, roomId: $room, from: $from, to: $to) { items { id } nextToken }
    }"""
)
STATS = gql(
    """query($room: ID!, $from: AWSDateTime!, $to: AWSDateTime!) {
      roomStats(roomId: $room, from: $from, to: $to) {
        roomId from to accepted rejected deleted activeAuthors
        sentiment { positive negative neutral mixed unscored }
      }
    }"""
)


def _window() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "from": (now - timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
        "to": (now + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
    }


async def test_analysts_see_every_room_members_their_own(info):
    async with _http(info, _jwt(info, "alice")) as alice:
        room = await _create_room(alice, "Analytics")
        posted = await _post(alice, room, "A lovely evening in Lisbon")
        assert posted["status"] == "ACCEPTED"
        rejected = await _post(alice, room, "You are a stupid idiot and I hate you")
        assert rejected["status"] == "REJECTED"
        own = await alice.execute(
            TRENDS, variable_values={"tag": "lisbon", "room": room, **_window()}
        )
        with pytest.raises(TransportQueryError) as denied:
            await alice.execute(TRENDS, variable_values={"tag": "lisbon", **_window()})
    assert own["tagTrends"]["total"] == 1 and len(own["tagTrends"]["buckets"]) in (3, 4)
    assert {"tag": "lisbon", "count": 1} in own["topTags"]  # ties by tag: "evening" may lead
    assert [m["id"] for m in own["messagesByTag"]["items"]] == [posted["message"]["id"]]
    assert denied.value.errors[0]["errorType"] == "Unauthorized"

    async with _http(info, _jwt(info, "carol")) as carol:  # group 'analysts'
        everywhere = await carol.execute(TRENDS, variable_values={"tag": "lisbon", **_window()})
    assert everywhere["tagTrends"]["roomId"] is None
    assert everywhere["tagTrends"]["total"] >= 1

    iam = AppSyncIAMAuthentication(
        host=host_of(info),
        region_name=info["region"],
        credentials=Credentials(info["iam"]["accessKeyId"], info["iam"]["secretAccessKey"]),
    )
    async with _http(info, iam) as tool:
        stats = (await tool.execute(STATS, variable_values={"room": room, **_window()}))[
            "roomStats"
        ]
    assert (stats["accepted"], stats["rejected"], stats["deleted"], stats["activeAuthors"]) == (
        1,
        1,
        0,
        1,
    )
    assert stats["from"].endswith("T00:00:00.000Z")

    api_key = AppSyncApiKeyAuthentication(host=host_of(info), api_key=info["apiKey"])
    async with _http(info, api_key) as anonymous:
        with pytest.raises(TransportQueryError) as no_key:
            await anonymous.execute(STATS, variable_values={"room": room, **_window()})
    assert no_key.value.errors[0]["errorType"] == "Unauthorized"
