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
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from graphql import OperationDefinitionNode, parse
from pchat.errors import OfflineError, PchatError, error_from_graphql

AUTHOR = {"id": "u-alice", "username": "alice"}


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
