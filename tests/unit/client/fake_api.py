"""An in-memory Positive Chat API behind pchat's ``Transport`` port.

It keeps the server-side promises the client relies on - idempotent posts on
(roomId, clientId), versioned edits/deletes answering ConflictUnhandled with the current
item, tombstones in syncMessages, pushes to onMessage subscribers - and lets a test cut
the network (``offline``), lose answers after applying a write (``lose_answers``), fail
the next calls (``fail_next``) and drop live connections (``drop_connections``).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import OperationDefinitionNode, parse
from pchat.errors import OfflineError, PchatError, error_from_graphql

AUTHOR = {"id": "u-alice", "username": "alice"}
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _operation_name(document: str) -> str:
    for definition in parse(document).definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.name:
            return definition.name.value
    raise AssertionError("documents sent by pchat are named")


def api_error(error_type: str, message: str, data: Any = None) -> PchatError:
    return error_from_graphql([{"errorType": error_type, "message": message, "data": data}])


class FakeApi:
    def __init__(self, *, start_ms: int = 1_700_000_000_000) -> None:
        self._lock = threading.Lock()
        self._clock = itertools.count(start_ms, 7)
        self._ids = itertools.count(1)
        self.messages: dict[str, dict[str, Any]] = {}  # id -> GraphQL shape, latest version
        self.changes: list[dict[str, Any]] = []  # every version, in commit order
        self.by_client: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.offline = False
        self.realtime_offline = False  # only subscriptions fail (HTTP still works)
        self.subscribe_errors: list[PchatError] = []
        self.lose_answers = 0
        self.fail_next: list[PchatError] = []
        # fail_at[(operation, n)]: the n-th call (1-based) of that operation raises instead
        self.fail_at: dict[tuple[str, int], BaseException] = {}
        self.rejected: list[tuple[str, str]] = []  # (roomId, createdAt) of refused posts
        self.push = True
        self.delay_s = 0.0
        self._subscribers: list[tuple[str, asyncio.Queue[Any], asyncio.AbstractEventLoop]] = []

    # -- Transport ----------------------------------------------------------------------

    async def execute(
        self, document: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        name = _operation_name(document)
        variables = dict(variables or {})
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        with self._lock:
            self.calls.append((name, variables))
            if self.offline:
                raise OfflineError("cannot reach fake://api: connection refused")
            if self.fail_next:
                raise self.fail_next.pop(0)
            failure = self.fail_at.pop((name, len(self.calls_of(name))), None)
            if failure is not None:
                raise failure
            data = getattr(self, f"_op_{name}")(variables)
            lost = self.lose_answers > 0 and name in ("PostMessage", "EditMessage", "DeleteMessage")
            if lost:
                self.lose_answers -= 1
        if lost:  # applied on the server, but the answer never reached the client
            raise OfflineError("connection reset while reading the answer")
        return data

    async def subscribe(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        on_started: Callable[[], None] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        if self.offline or self.realtime_offline:
            raise OfflineError("cannot reach fake://realtime")
        if self.subscribe_errors:
            raise self.subscribe_errors.pop(0)
        room = str((variables or {})["roomId"])
        queue: asyncio.Queue[Any] = asyncio.Queue()
        entry = (room, queue, asyncio.get_running_loop())
        self._subscribers.append(entry)
        try:
            if on_started is not None:
                on_started()
            while True:
                item = await queue.get()
                if isinstance(item, Exception):
                    raise item
                yield {"onMessage": item}
        finally:
            self._subscribers.remove(entry)

    async def close(self) -> None:
        return None

    # -- test controls ----------------------------------------------------------------------

    def drop_connections(self) -> None:
        for _, queue, loop in list(self._subscribers):
            loop.call_soon_threadsafe(queue.put_nowait, OfflineError("connection lost"))

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def texts(self, room_id: str) -> list[str]:
        return [
            m["text"]
            for m in sorted(self.messages.values(), key=lambda m: m["id"])
            if m["roomId"] == room_id and not m["_deleted"]
        ]

    def calls_of(self, name: str) -> list[dict[str, Any]]:
        return [v for n, v in self.calls if n == name]

    # -- operations -------------------------------------------------------------------------

    def _commit(self, message: dict[str, Any]) -> dict[str, Any]:
        message["_lastChangedAt"] = next(self._clock)
        self.messages[message["id"]] = message
        self.changes.append(dict(message))
        if self.push:
            for room, queue, loop in list(self._subscribers):
                if room == message["roomId"]:
                    loop.call_soon_threadsafe(queue.put_nowait, dict(message))
        return message

    def _op_PostMessage(self, v: dict[str, Any]) -> dict[str, Any]:
        payload = v["input"]
        key = (payload["roomId"], payload["clientId"])
        if key in self.by_client:  # idempotent replay: the original message
            return {
                "postMessage": {
                    "status": "ACCEPTED",
                    "rejection": None,
                    "message": self.messages[self.by_client[key]],
                }
            }
        if "hate" in payload["text"]:
            return {
                "postMessage": {
                    "status": "REJECTED",
                    "message": None,
                    "rejection": {
                        "reason": "NEGATIVE_SENTIMENT",
                        "message": "Not sent: quite negative.",
                        "hint": "Say what would help.",
                        "hintLanguage": "en",
                        "language": "en",
                        "threshold": 0.6,
                        "sentiment": None,
                    },
                }
            }
        if not payload["text"].strip():
            raise api_error("ValidationError", "text must not be blank")
        message_id = f"01M{next(self._ids):023d}"
        self.by_client[key] = message_id
        message = self._commit(
            {
                "id": message_id,
                "roomId": payload["roomId"],
                "author": AUTHOR,
                "text": payload["text"],
                "language": "en",
                "sentiment": None,
                "moderation": "UNSCORED",
                "tags": [],
                "translations": [],
                "translationStatus": "NOT_NEEDED",
                "untranslatedLanguages": [],
                "points": 0,
                "createdAt": "2024-01-01T00:00:00.000Z",
                "editedAt": None,
                "clientId": payload["clientId"],
                "_version": 1,
                "_deleted": False,
            }
        )
        return {"postMessage": {"status": "ACCEPTED", "message": message, "rejection": None}}

    def _current(self, payload: dict[str, Any]) -> dict[str, Any]:
        current = self.messages.get(payload["messageId"])
        if current is None or current["_deleted"]:
            raise api_error("NotFound", f"Message {payload['messageId']} does not exist")
        if current["_version"] != payload["expectedVersion"]:
            raise api_error("ConflictUnhandled", "stale version", dict(current))
        return current

    def _op_EditMessage(self, v: dict[str, Any]) -> dict[str, Any]:
        current = self._current(v["input"])
        message = self._commit(
            {
                **current,
                "text": v["input"]["text"],
                "_version": current["_version"] + 1,
                "editedAt": "2024-01-01T00:00:01.000Z",
            }
        )
        return {"editMessage": {"status": "ACCEPTED", "message": message, "rejection": None}}

    def _op_DeleteMessage(self, v: dict[str, Any]) -> dict[str, Any]:
        current = self._current(v["input"])
        return {
            "deleteMessage": self._commit(
                {**current, "text": "", "_deleted": True, "_version": current["_version"] + 1}
            )
        }

    def _op_SyncMessages(self, v: dict[str, Any]) -> dict[str, Any]:
        since = v.get("lastSync") or 0
        started = next(self._clock)
        items = sorted(
            (
                m
                for m in self.messages.values()
                if m["roomId"] == v["roomId"] and m["_lastChangedAt"] > since
            ),
            key=lambda m: m["_lastChangedAt"],
        )
        offset = int(v.get("nextToken") or 0)
        limit = v.get("limit") or 20
        page = items[offset : offset + limit]
        token = str(offset + limit) if offset + limit < len(items) else None
        return {"syncMessages": {"items": page, "nextToken": token, "startedAt": started}}

    def _op_Messages(self, v: dict[str, Any]) -> dict[str, Any]:
        items = sorted(
            (m for m in self.messages.values() if m["roomId"] == v["roomId"] and not m["_deleted"]),
            key=lambda m: m["id"],
            reverse=True,
        )
        offset = int(v.get("nextToken") or 0)
        limit = v.get("limit") or 20
        token = str(offset + limit) if offset + limit < len(items) else None
        return {"messages": {"items": items[offset : offset + limit], "nextToken": token}}

    def _op_Me(self, v: dict[str, Any]) -> dict[str, Any]:
        return {"me": {**AUTHOR, "preferredLanguage": "en", "points": 3, "rejectedCount": 1}}

    def _op_TagCloud(self, v: dict[str, Any]) -> dict[str, Any]:
        return {
            "tagCloud": {
                "roomId": v["roomId"],
                "updatedAt": None,
                "tags": [{"tag": "garden", "count": 8}, {"tag": "sun", "count": 3}],
            }
        }

    def _op_Rooms(self, v: dict[str, Any]) -> dict[str, Any]:
        return {
            "rooms": {
                "nextToken": None,
                "items": [
                    {
                        "id": "room-1",
                        "name": "Welcome",
                        "description": None,
                        "visibility": "PUBLIC",
                        "owner": AUTHOR,
                        "negativityThreshold": 0.6,
                        "requireSentiment": False,
                        "languages": ["en"],
                        "memberCount": 1,
                        "createdAt": "2024-01-01T00:00:00.000Z",
                    }
                ],
            }
        }

    # -- messages by tag and analytics (computed from the stored messages) -------------

    def seed(
        self,
        room_id: str,
        text: str,
        *,
        tags: list[str],
        created_at: str,
        author: Mapping[str, str] = AUTHOR,
        sentiment: str | None = None,
    ) -> dict[str, Any]:
        """A message as the server would have stored it at ``created_at``."""
        message_id = f"01M{next(self._ids):023d}"
        return self._commit(
            {
                "id": message_id,
                "roomId": room_id,
                "author": dict(author),
                "text": text,
                "language": "en",
                "sentiment": None
                if sentiment is None
                else {"label": sentiment, "positive": 0.9, "negative": 0.0, "neutral": 0.1,
                      "mixed": 0.0},
                "moderation": "SCORED" if sentiment else "UNSCORED",
                "tags": list(tags),
                "translations": [],
                "translationStatus": "NOT_NEEDED",
                "untranslatedLanguages": [],
                "points": 1,
                "createdAt": created_at,
                "editedAt": None,
                "clientId": f"seed-{message_id}",
                "_version": 1,
                "_deleted": False,
            }
        )

    @staticmethod
    def _at(value: str) -> datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    def _window(self, v: dict[str, Any], bucket: timedelta) -> tuple[datetime, datetime]:
        start, end = self._at(v["from"]), self._at(v["to"])
        return (
            EPOCH + (start - EPOCH) // bucket * bucket,
            EPOCH + -(-(end - EPOCH) // bucket) * bucket,
        )

    def _live(self, room: str | None) -> list[dict[str, Any]]:
        return [
            m
            for m in self.messages.values()
            if not m["_deleted"] and (room is None or m["roomId"] == room)
        ]

    def _op_MessagesByTag(self, v: dict[str, Any]) -> dict[str, Any]:
        tag = v["tag"].strip().casefold()
        start = self._at(v["from"]) if v.get("from") else None
        end = self._at(v["to"]) if v.get("to") else None
        items = sorted(
            (
                m
                for m in self._live(v.get("roomId"))
                if tag in m["tags"]
                and (start is None or self._at(m["createdAt"]) >= start)
                and (end is None or self._at(m["createdAt"]) < end)
            ),
            key=lambda m: (m["createdAt"], m["id"]),
            reverse=True,
        )
        token = v.get("nextToken")
        if token is not None and not token.startswith("tok-"):
            raise error_from_graphql(
                [
                    {
                        "errorType": "ValidationError",
                        "message": "nextToken is invalid or belongs to another query",
                        "errorInfo": {"field": "nextToken"},
                    }
                ]
            )
        offset = int(token[4:]) if token else 0
        limit = v.get("limit") or 20
        more = offset + limit < len(items)
        return {
            "messagesByTag": {
                "items": items[offset : offset + limit],
                "nextToken": f"tok-{offset + limit}" if more else None,
            }
        }

    def _op_TagTrends(self, v: dict[str, Any]) -> dict[str, Any]:
        bucket = HOUR if v["granularity"] == "HOUR" else DAY
        start, end = self._window(v, bucket)
        tag = v["tag"].strip().casefold()
        counts: Counter[datetime] = Counter()
        for m in self._live(v.get("roomId")):
            at = self._at(m["createdAt"])
            if tag in m["tags"] and start <= at < end:
                counts[EPOCH + (at - EPOCH) // bucket * bucket] += 1
        buckets = []
        at = start
        while at < end:
            buckets.append({"start": _stamp(at), "count": counts[at]})
            at += bucket
        return {
            "tagTrends": {
                "tag": tag,
                "roomId": v.get("roomId"),
                "granularity": v["granularity"],
                "from": _stamp(start),
                "to": _stamp(end),
                "buckets": buckets,
                "total": sum(counts.values()),
            }
        }

    def _op_TopTags(self, v: dict[str, Any]) -> dict[str, Any]:
        start, end = self._window(v, DAY)
        counts: Counter[str] = Counter()
        for m in self._live(v.get("roomId")):
            if start <= self._at(m["createdAt"]) < end:
                counts.update(m["tags"])
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return {
            "topTags": [{"tag": t, "count": c} for t, c in ranked[: v.get("limit") or 20]]
        }

    def _op_RoomStats(self, v: dict[str, Any]) -> dict[str, Any]:
        start, end = self._window(v, DAY)
        in_window = [
            m
            for m in self.messages.values()
            if m["roomId"] == v["roomId"] and start <= self._at(m["createdAt"]) < end
        ]
        live = [m for m in in_window if not m["_deleted"]]
        labels = Counter(
            (m["sentiment"] or {}).get("label", "UNSCORED").lower() for m in live
        )
        return {
            "roomStats": {
                "roomId": v["roomId"],
                "from": _stamp(start),
                "to": _stamp(end),
                "accepted": len(in_window),
                "rejected": sum(
                    1
                    for room, at in self.rejected
                    if room == v["roomId"] and start <= self._at(at) < end
                ),
                "deleted": len(in_window) - len(live),
                "sentiment": {
                    name: labels[name]
                    for name in ("positive", "negative", "neutral", "mixed", "unscored")
                },
                "activeAuthors": len({m["author"]["id"] for m in in_window}),
            }
        }


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
