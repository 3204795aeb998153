"""Auth matrix: every Query/Mutation/Subscription field of schema.graphql x every kind of
caller, against the running runtime, each cell with its expected allow/deny.

Where the expectations come from:

1. **Request level** (no credentials, expired token, forged signature, bad SigV4): refused
   before any field runs, for every operation (HTTP 401/403 ``UnauthorizedException`` /
   ``InvalidSignatureException``; real-time: ``connection_error`` at connect, or an
   ``error`` for a ``start`` carrying them). Derived, not tabulated.
2. **Directives** (``@aws_*`` on the field, else on its type, else the default Cognito
   mode; reference 3.3): computed from the schema by ``_schema.auth_rule``. A denied cell
   is HTTP 200 with ``Unauthorized`` "Not Authorized to access F on type T".
3. **Resolver rules** (docs/decisions.md, ``services/access.py``, the services): the
   table ``RULES`` below, written by hand, one row per field and target. Its ``-`` cells
   must be exactly the cells the directives deny (a cross-check: adding
   ``@aws_api_key`` to a field without updating the table fails).

A field in the schema without a row FAILS (``test_every_schema_field_has_a_row`` and its
own parametrized case), so a new field cannot be forgotten.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from . import _schema, _ws
from ._http import REQUEST_LEVEL_DENIED, Answer, AsyncClient, Cred, Credentials
from ._runtime import RelRuntime
from .conftest import World

pytestmark = pytest.mark.dynamodb_local

# Table columns, in order. The request-level kinds (REQUEST_LEVEL_DENIED) are not columns:
# they are refused for every operation.
COLUMNS = (Cred.OWNER, Cred.MEMBER, Cred.OUTSIDER, Cred.ANALYST, Cred.API_KEY, Cred.IAM)
MODE_OF = {Cred.OWNER: "COGNITO", Cred.MEMBER: "COGNITO", Cred.OUTSIDER: "COGNITO",
           Cred.ANALYST: "COGNITO", Cred.API_KEY: "API_KEY", Cred.IAM: "IAM"}
GROUPS_OF = {Cred.ANALYST: frozenset({"analysts"})}

# Cell codes:
#   A  allowed: data, no error
#   U  the resolver refuses: errorType Unauthorized (services/access.py, the services)
#   V  the resolver refuses the request itself: ValidationError (e.g. the owner leaving)
#   -  the directives refuse (derived from the schema; the table must agree)
# Targets: PUBLIC / PRIVATE = a public / private room owned by rel-owner that rel-member
# joined (private: after an invitation); "*" = not about a room; other names per field.
#
#                         OWNER MEMBER OUTSIDER ANALYST API_KEY IAM
RULES: dict[str, dict[str, str]] = {
    # --- queries (decisions.md: "Public rooms can be read by anyone (API key included)";
    #     private rooms: members, moderators, IAM tools; outsiders get Unauthorized)
    "Query.me":            {"*":       "A A A A - -"},
    "Query.room":          {"PUBLIC":  "A A A A A A", "PRIVATE": "A A U U U A"},
    "Query.rooms":         {"PUBLIC":  "A A A A A A",
                            # MINE needs a signed-in user (require_user)
                            "MINE":    "A A A A U U"},
    "Query.messages":      {"PUBLIC":  "A A A A A A", "PRIVATE": "A A U U U A"},
    "Query.tagCloud":      {"PUBLIC":  "A A A A A A", "PRIVATE": "A A U U U A"},
    # decisions.md: searching every room needs 'analysts' (or IAM); one room: its readers
    "Query.messagesByTag": {"PUBLIC":  "A A A A - A", "PRIVATE": "A A U U - A",
                            "ALL":     "U U U A - A"},
    "Query.syncMessages":  {"PUBLIC":  "A A A A - A", "PRIVATE": "A A U U - A"},
    "Query.leaderboard":   {"PUBLIC":  "A A A A A A", "PRIVATE": "A A U U U A"},
    # analytics (RoomAccess.analytics_scope): one room like a read; every room needs
    # 'analysts' or IAM, like messagesByTag
    "Query.tagTrends":     {"PUBLIC":  "A A A A - A", "PRIVATE": "A A U U - A",
                            "ALL":     "U U U A - A"},
    "Query.topTags":       {"PUBLIC":  "A A A A - A", "PRIVATE": "A A U U - A",
                            "ALL":     "U U U A - A"},
    "Query.roomStats":     {"PUBLIC":  "A A A A - A", "PRIVATE": "A A U U - A"},
    # --- mutations (default mode: Cognito users only)
    "Mutation.createRoom":    {"*":       "A A A A - -"},
    # owner only (RoomAccess.owned_room)
    "Mutation.updateRoom":    {"PUBLIC":  "A U U U - -", "PRIVATE": "A U U U - -"},
    # public: anyone signed in; private: members (already) or invited users
    "Mutation.joinRoom":      {"PUBLIC":  "A A A A - -", "PRIVATE": "A A U U - -"},
    # members only; "The owner cannot leave" is a ValidationError
    "Mutation.leaveRoom":     {"PUBLIC":  "V A U U - -", "PRIVATE": "V A U U - -"},
    "Mutation.inviteToRoom":  {"PUBLIC":  "A U U U - -", "PRIVATE": "A U U U - -"},
    "Mutation.updateProfile": {"*":       "A A A A - -"},
    # decisions.md: "Membership is required to post"
    "Mutation.postMessage":   {"PUBLIC":  "A A U U - -", "PRIVATE": "A A U U - -"},
    # the message is rel-member's: only its author edits it; authors or moderators delete
    "Mutation.editMessage":   {"PUBLIC":  "U A U U - -", "PRIVATE": "U A U U - -"},
    "Mutation.deleteMessage": {"PUBLIC":  "U A U U - -", "PRIVATE": "U A U U - -"},
    # IAM only: the stream publisher's NONE-data-source echo
    "Mutation.publishMessage":  {"*":     "- - - - - A"},
    "Mutation.publishTagCloud": {"*":     "- - - - - A"},
    "Mutation.publishRoom":     {"*":     "- - - - - A"},
    # --- subscriptions (Cognito + API key; the subscribe-time resolver applies read rules)
    "Subscription.onMessage":     {"PUBLIC": "A A A A A -", "PRIVATE": "A A U U U -"},
    "Subscription.onTagCloud":    {"PUBLIC": "A A A A A -", "PRIVATE": "A A U U U -"},
    "Subscription.onRoomCreated": {"*":      "A A A A A -"},
}

# Cells that change state other cells depend on run on their own fresh room/message.
FRESH_ROOM = {"Mutation.joinRoom", "Mutation.leaveRoom"}
FRESH_MESSAGE = {"Mutation.editMessage", "Mutation.deleteMessage"}


def cells(key: str, target: str) -> dict[Cred, str]:
    codes = RULES[key][target].split()
    assert len(codes) == len(COLUMNS), f"{key}/{target}: {len(codes)} cells, not {len(COLUMNS)}"
    return dict(zip(COLUMNS, codes, strict=True))


@dataclass
class Target:
    """What one cell's request aims at."""

    room: str | None = None
    message_id: str | None = None
    message_version: int = 1


class Matrix:
    def __init__(self, rt: RelRuntime, creds: Credentials, client: AsyncClient,
                 world: World) -> None:
        self.rt, self.creds, self.client, self.world = rt, creds, client, world

    async def ok(self, cred: Cred, query: str, variables: dict[str, Any]) -> Any:
        answer = await self.client.call(cred, query, variables)
        assert answer.status == 200 and not answer.errors, f"setup failed: {answer.body}"
        return answer.data

    async def fresh_room(self, visibility: str) -> str:
        data = await self.ok(Cred.OWNER,
                             "mutation($i: CreateRoomInput!){ createRoom(input: $i){ id } }",
                             {"i": {"name": "matrix", "visibility": visibility,
                                    "language": "en"}})
        room = str(data["createRoom"]["id"])
        if visibility == "PRIVATE":
            await self.ok(Cred.OWNER, "mutation($r: ID!){ inviteToRoom(roomId: $r, "
                                      "username: \"rel-member\"){ roomId } }", {"r": room})
        await self.ok(Cred.MEMBER, "mutation($r: ID!){ joinRoom(roomId: $r, language: \"en\")"
                                   "{ role } }", {"r": room})
        return room

    async def fresh_message(self, room: str) -> tuple[str, int]:
        data = await self.ok(Cred.MEMBER, "mutation($i: PostMessageInput!){ postMessage(input: $i)"
                                          "{ status message { id _version } } }",
                             {"i": {"roomId": room, "clientId": uuid.uuid4().hex,
                                    "text": "What a lovely sunny afternoon in the garden"}})
        message = data["postMessage"]["message"]
        assert message is not None, data
        return str(message["id"]), int(message["_version"])

    async def target(self, key: str, target: str, reaches_resolver: bool) -> Target:
        if target not in ("PUBLIC", "PRIVATE"):
            return Target(room=self.world.public_room)
        room = self.world.room(target)
        if reaches_resolver and key in FRESH_ROOM:
            room = await self.fresh_room(target)
        if key in FRESH_MESSAGE:
            if reaches_resolver:
                mid, version = await self.fresh_message(room)
                return Target(room, mid, version)
            return Target(room, "01HZZZZZZZZZZZZZZZZZZZZZZZ", 1)
        return Target(room)


def _iso(epoch_s: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch_s))


def arguments(root: _schema.RootField, target: str, where: Target) -> dict[str, Any]:
    """Valid arguments aimed at the cell's target (generated from the schema, with the
    values that matter named here)."""
    overrides: dict[str, Any] = {
        "roomId": where.room, "id": where.room, "messageId": where.message_id,
        "expectedVersion": where.message_version,
        "clientId": uuid.uuid4().hex, "text": "What a lovely sunny afternoon in the garden",
        "name": "matrix room", "language": "en", "preferredLanguage": "en",
        "username": "nobody-invited", "tag": "garden", "visibility": "PUBLIC",
        # a one-day window ending now (analytics windows must be non-empty and bounded)
        "from": _iso(time.time() - 86_400), "to": _iso(time.time()),
    }
    if root.key == "Query.rooms":
        overrides = {"scope": target}
    elif target == "ALL":
        overrides.pop("roomId")
    elif root.key.startswith("Mutation.publish"):
        overrides = {"roomId": where.room, "id": f"matrix-{uuid.uuid4().hex[:8]}"}
    args = _schema.sample_args(root, overrides)
    return {name: value for name, value in args.items() if value is not None}


# ------------------------------------------------------------------ one cell
@dataclass
class Outcome:
    code: str  # A / U / V / - / R (request-level refusal)
    detail: str


def _classify_http(root: _schema.RootField, answer: Answer) -> Outcome:
    if answer.status in (401, 403):
        types = {e.get("errorType") for e in answer.errors}
        return Outcome("R", f"HTTP {answer.status} {sorted(map(str, types))}")
    if answer.status != 200:
        return Outcome("?", f"HTTP {answer.status} {str(answer.body)[:200]}")
    data = answer.data or {}
    if not answer.errors:
        return Outcome("A" if data.get(root.name) is not None else "?",
                       f"data {str(data)[:120]}")
    error = answer.errors[0]
    return _classify_error(root, error, data.get(root.name))


def _classify_error(root: _schema.RootField, error: dict[str, Any], value: Any) -> Outcome:
    etype, message = error.get("errorType"), str(error.get("message"))
    detail = f"{etype}: {message[:120]} (path {error.get('path')})"
    if value is not None or error.get("path") not in ([root.name], None):
        return Outcome("?", "partial result: " + detail)
    if etype == "Unauthorized":
        directive = message == f"Not Authorized to access {root.name} on type {root.type_name}"
        return Outcome("-" if directive else "U", detail)
    if etype == "ValidationError":
        return Outcome("V", detail)
    if etype in ("UnauthorizedException", "InvalidSignatureException"):
        return Outcome("R", detail)
    return Outcome("?", detail)


async def run_http_cell(m: Matrix, root: _schema.RootField, cred: Cred, target: str,
                        reaches: bool) -> Outcome:
    where = await m.target(root.key, target, reaches)
    args = arguments(root, target, where)
    answer = await m.client.call(cred, _schema.document(root, args), args)
    return _classify_http(root, answer)


async def run_ws_cell(m: Matrix, root: _schema.RootField, cred: Cred, target: str,
                      *, connect_as: Cred | None = None) -> Outcome:
    """Subscribe over the real-time endpoint. ``connect_as``: connect with these credentials
    and present ``cred`` only in the start (each start is authorized on its own)."""
    where = await m.target(root.key, target, False)
    args = arguments(root, target, where)
    query = _schema.document(root, args)
    data = json.dumps({"query": query, "variables": args})
    conv, first = await _ws.open_conversation(m.rt, m.creds.ws_header(connect_as or cred))
    try:
        if first is None or first.get("type") != "connection_ack":
            if first is not None and first.get("type") == "connection_error":
                errors = first["payload"]["errors"]
                return Outcome("R", f"connection_error {errors[0].get('errorType')}")
            return Outcome("?", f"connect: {first} close {conv.close_code}")
        await conv.send(_ws.start_frame("1", query, args, m.creds.ws_header(cred, data), data))
        frame = await conv.until({"start_ack", "error"})
        if frame is None:
            return Outcome("?", f"no answer to start (close {conv.close_code})")
        if frame["type"] == "start_ack":
            return Outcome("A", "start_ack")
        errors = frame["payload"]["errors"]
        error = errors[0] if isinstance(errors, list) else errors
        return _classify_error(root, error, None)
    finally:
        await conv.close()


def expected_code(root: _schema.RootField, cred: Cred, target: str) -> str:
    if cred in REQUEST_LEVEL_DENIED:
        return "R"
    return cells(root.key, target)[cred]


def directive_code(root: _schema.RootField, cred: Cred) -> str | None:
    """'-' when the directives deny the root field to this caller, else None."""
    rule = _schema.auth_rule(root.type_name, root.name)
    allowed = rule.allows(MODE_OF[cred], GROUPS_OF.get(cred, frozenset()))
    return None if allowed else "-"


# ------------------------------------------------------------------ the tests
ALL_FIELDS = _schema.root_fields()


def test_every_schema_field_has_a_row() -> None:
    in_schema = {f.key for f in ALL_FIELDS}
    missing = sorted(in_schema - set(RULES))
    stale = sorted(set(RULES) - in_schema)
    assert not missing, (f"fields without an auth-matrix row (add them to RULES in "
                         f"{__file__} with who may call them): {missing}")
    assert not stale, f"RULES rows for fields no longer in schema.graphql: {stale}"


def test_the_table_agrees_with_the_schema_directives() -> None:
    """A '-' cell exactly where the directives deny; a row's nested selection never hits a
    type the allowed callers cannot read (the matrix would then see partial errors)."""
    disagreements = []
    for root in ALL_FIELDS:
        if root.key not in RULES:
            continue
        for target in RULES[root.key]:
            for cred, code in cells(root.key, target).items():
                derived = directive_code(root, cred)
                if (code == "-") != (derived == "-"):
                    disagreements.append(f"{root.key}/{target}/{cred.value}: table {code!r}, "
                                         f"directives {'deny' if derived else 'allow'}")
                if derived is None:
                    for type_name, field_name in _schema.selected_pairs(root.field.type):
                        nested = _schema.auth_rule(type_name, field_name)
                        if not nested.allows(MODE_OF[cred], GROUPS_OF.get(cred, frozenset())):
                            disagreements.append(f"{root.key}/{cred.value}: may call the field "
                                                 f"but not read {type_name}.{field_name}")
    assert not disagreements, "\n".join(disagreements)


@pytest.mark.parametrize("root", ALL_FIELDS, ids=[f.key for f in ALL_FIELDS])
async def test_auth_matrix(root: _schema.RootField, rt: RelRuntime, shared_creds: Credentials,
                           world: World) -> None:
    assert root.key in RULES, (f"{root.key} has no row in the auth matrix: add one to RULES "
                               "saying who may call it (docs/reliability.md, auth matrix)")
    creds_all = list(COLUMNS) + sorted(REQUEST_LEVEL_DENIED, key=lambda c: c.value)
    async with AsyncClient(rt, shared_creds) as client:
        m = Matrix(rt, shared_creds, client, world)
        jobs: list[tuple[str, Callable[[], Awaitable[Outcome]]]] = []
        for target in RULES[root.key]:
            for cred in creds_all:
                reaches = cred in COLUMNS and directive_code(root, cred) is None
                label = f"{target:8} {cred.value:20}"
                if root.kind == "subscription":
                    jobs.append((label, lambda t=target, c=cred: run_ws_cell(m, root, c, t)))
                    if cred in REQUEST_LEVEL_DENIED:  # also: good connect, bad start
                        jobs.append((f"{target:8} {cred.value + '@start':20}",
                                     lambda t=target, c=cred: run_ws_cell(
                                         m, root, c, t, connect_as=Cred.API_KEY)))
                else:
                    jobs.append((label, lambda t=target, c=cred, r=reaches:
                                 run_http_cell(m, root, c, t, r)))
        semaphore = asyncio.Semaphore(6)

        async def bounded(job: Callable[[], Awaitable[Outcome]]) -> Outcome:
            async with semaphore:
                return await job()

        outcomes = await asyncio.gather(*(bounded(job) for _, job in jobs))
    wrong = []
    for (label, _), outcome in zip(jobs, outcomes, strict=True):
        target, cred_name = label.split()
        cred = Cred(cred_name.removesuffix("@start"))
        expected = expected_code(root, cred, target)
        if outcome.code != expected:
            wrong.append(f"{root.key} {label} expected {expected} got {outcome.code}: "
                         f"{outcome.detail}")
    assert not wrong, "\n".join(wrong)
    assert len(outcomes) >= len(RULES[root.key]) * len(creds_all)


def test_request_level_refusals_have_appsync_shapes(rt: RelRuntime,
                                                    shared_creds: Credentials) -> None:
    """The exact statuses/types of refused credentials over HTTP (reference section 2)."""
    from ._http import SyncClient

    client = SyncClient(rt)
    body = json.dumps({"query": "{ me { id } }"})
    expected = {
        Cred.NONE: (401, "UnauthorizedException"),
        Cred.EXPIRED: (401, "UnauthorizedException"),
        Cred.FORGED: (401, "UnauthorizedException"),
        Cred.BAD_SIGV4: (403, "InvalidSignatureException"),
    }
    got = {}
    for cred in expected:
        answer = client.post(body.encode(), shared_creds.headers(cred, body))
        got[cred] = (answer.status, answer.errors[0].get("errorType") if answer.errors else None)
        assert answer.data is None, answer.body
    client.close()
    assert got == expected
