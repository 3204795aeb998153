""""Nothing half written": invariants of the single table, checked by a full scan.

A post is one transaction (message + clientId guard + tag links + tag counters + points,
docs/data-model.md). If any part of it were written without the rest, one of these
breaks:

* every CLIENT_GUARD points at an existing message of its room with its clientId and
  author (no orphan guards), and every message has its guard;
* every live message has one TAG_LINK per tag, and every link points at a live message
  that carries the tag;
* every TAG_COUNT equals the number of live messages of its room carrying the tag (the
  tag cloud agrees with the messages);
* every SCORE equals the sum of the points of the author's live messages in the room, and
  every profile's points the sum over all rooms.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

_deserializer = TypeDeserializer()


def table_name(ddb: Any) -> str:
    """The chat table: the one keyed pk/sk with a stream (the runtime creates only it)."""
    names = ddb.list_tables()["TableNames"]
    for name in names:
        schema = ddb.describe_table(TableName=name)["Table"]["KeySchema"]
        if {k["AttributeName"] for k in schema} == {"pk", "sk"}:
            return str(name)
    raise AssertionError(f"no pk/sk table among {names}")


def scan(ddb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        items.extend({k: _deserializer.deserialize(v) for k, v in item.items()}
                     for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def pending_translations(ddb: Any, table: str | None = None) -> dict[str, list[str]]:
    """clientId -> languages of every message still waiting for the stream handler's
    translation attempt (``pendingTranslations``: internal, not in the API)."""
    items = scan(ddb, table or table_name(ddb))
    return {str(i["clientId"]): list(i["pendingTranslations"]) for i in items
            if i.get("entity") == "MESSAGE" and i.get("pendingTranslations")}


@dataclass
class TableReport:
    messages: int = 0
    live_messages: int = 0
    guards: int = 0
    tag_links: int = 0
    tag_counters: int = 0
    problems: list[str] = field(default_factory=list)
    # room id -> Counter of clientIds of its messages (duplicates would show as > 1)
    client_ids: dict[str, Counter[str]] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"{self.messages} messages ({self.live_messages} live), {self.guards} guards, "
                f"{self.tag_links} tag links, {self.tag_counters} tag counters")


def check_table(ddb: Any, table: str | None = None) -> TableReport:
    table = table or table_name(ddb)
    items = scan(ddb, table)
    report = TableReport()
    by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_entity[str(item.get("entity"))].append(item)

    messages = {(m["roomId"], m["id"]): m for m in by_entity["MESSAGE"]}
    live = {key: m for key, m in messages.items() if not m.get("_deleted")}
    report.messages, report.live_messages = len(messages), len(live)
    problems = report.problems

    # clientId guards <-> messages
    guards = {(g["roomId"], g["clientId"]): g for g in by_entity["CLIENT_GUARD"]}
    report.guards = len(guards)
    for (room, client_id), guard in guards.items():
        message = messages.get((room, guard.get("messageId")))
        if message is None:
            problems.append(f"orphan clientId guard {client_id} in room {room}: "
                            f"message {guard.get('messageId')} does not exist")
        elif message.get("clientId") != client_id or message.get("authorId") != guard.get("authorId"):
            problems.append(f"guard {client_id} in room {room} disagrees with its message "
                            f"{message['id']} (clientId {message.get('clientId')})")
    for (room, message_id), message in messages.items():
        guard = guards.get((room, message.get("clientId")))
        if guard is None or guard.get("messageId") != message_id:
            problems.append(f"message {message_id} in room {room} has no clientId guard")
        report.client_ids.setdefault(room, Counter())[str(message.get("clientId"))] += 1
    for room, ids in report.client_ids.items():
        for client_id, count in ids.items():
            if count > 1:
                problems.append(f"clientId {client_id} stored {count} times in room {room}")

    # tag links <-> live messages
    links = {(lk["roomId"], lk["tag"], lk["messageId"]) for lk in by_entity["TAG_LINK"]}
    report.tag_links = len(links)
    expected_links = {(room, tag, mid) for (room, mid), m in live.items()
                      for tag in set(m.get("tags") or [])}
    for room, tag, mid in sorted(expected_links - links):
        problems.append(f"message {mid} in room {room} lacks its link for tag {tag!r}")
    for room, tag, mid in sorted(links - expected_links):
        problems.append(f"tag link {tag!r} -> {mid} in room {room} has no live message with it")

    # tag counters == messages carrying the tag (the tag cloud agrees with the messages)
    tag_totals: Counter[tuple[str, str]] = Counter(
        (room, tag) for (room, _), m in live.items() for tag in set(m.get("tags") or []))
    counters = {(c["roomId"], c["tag"]): int(c.get("gsi3sk", 0)) for c in by_entity["TAG_COUNT"]}
    report.tag_counters = len(counters)
    for key in set(tag_totals) | set(counters):
        if counters.get(key, 0) != tag_totals.get(key, 0):
            problems.append(f"tag counter {key[1]!r} in room {key[0]} is {counters.get(key, 0)} "
                            f"but {tag_totals.get(key, 0)} live messages carry the tag")

    # points: leaderboard entries and profiles == the messages' points
    room_points: Counter[tuple[str, str]] = Counter()
    user_points: Counter[str] = Counter()
    for (room, _), m in live.items():
        room_points[(room, m["authorId"])] += int(m.get("points", 0))
        user_points[m["authorId"]] += int(m.get("points", 0))
    scores = {(s["roomId"], s["userId"]): int(s.get("gsi3sk", 0)) for s in by_entity["SCORE"]}
    for key in set(room_points) | set(scores):
        if scores.get(key, 0) != room_points.get(key, 0):
            problems.append(f"score of {key[1]} in room {key[0]} is {scores.get(key, 0)} "
                            f"but the live messages earned {room_points.get(key, 0)}")
    for profile in by_entity["PROFILE"]:
        uid = profile.get("userId")
        if "points" in profile and int(profile["points"]) != user_points.get(uid, 0):
            problems.append(f"profile {uid} has {int(profile['points'])} points but the live "
                            f"messages earned {user_points.get(uid, 0)}")
    return report
