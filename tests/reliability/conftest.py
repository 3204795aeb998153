"""One shared local runtime for the reliability suites that do not crash it.

The crash and provider-fault suites start their own runtimes (they kill theirs, or
serve a different NLP configuration).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from ._http import Answer, Cred, Credentials, SyncClient
from ._runtime import RelRuntime, skip_unless_prerequisites


@pytest.fixture(scope="package")
def shared_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelRuntime]:
    skip_unless_prerequisites()
    runtime = RelRuntime(tmp_path_factory.mktemp("reliability") / "state")
    runtime.start()
    yield runtime
    runtime.stop()


@pytest.fixture(scope="package")
def shared_creds(shared_runtime: RelRuntime) -> Credentials:
    return Credentials(shared_runtime)


@pytest.fixture
def rt(shared_runtime: RelRuntime, shared_creds: Credentials) -> Iterator[RelRuntime]:
    shared_runtime.ensure_running()
    yield shared_runtime
    # DEFECT-6: a cancelled Lambda invocation leaves the local Lambda pool handing each
    # later caller the previous caller's reply. A test that set that off must not hand a
    # poisoned runtime to the next one: restart it, and fail the test that did it.
    if shared_runtime.running and misrouted_replies(shared_runtime, shared_creds):
        shared_runtime.stop()
        shared_runtime.start()
        pytest.fail("DEFECT-6: the runtime's Lambda pool was misrouting replies after this "
                    "test (restarted for the next test)")


def misrouted_replies(rt: RelRuntime, creds: Credentials, rounds: int = 2) -> list[str]:
    """Ask 'who am I' as several users at once (so every Lambda worker answers): each
    must get its own profile. Returns the answers that belonged to someone else."""
    users = ["rel-owner", "rel-member", "rel-outsider", "rel-analyst"]
    from ._auth import id_token

    def whoami(user: str) -> str | None:
        client = SyncClient(rt)
        try:
            body = json.dumps({"query": "{ me { username } }"})
            answer = client.post(body.encode(), {"authorization": id_token(rt, user)})
        finally:
            client.close()
        me = answer.data.get("me") if isinstance(answer.data, dict) else None
        name = me.get("username") if isinstance(me, dict) else None
        return None if name == user else f"{user} got {answer.body}"

    wrong: list[str] = []
    with ThreadPoolExecutor(len(users)) as pool:
        for _ in range(rounds):
            wrong += [w for w in pool.map(whoami, users) if w]
    return wrong


class Api:
    """Synchronous GraphQL calls as one kind of caller (setup and verification)."""

    def __init__(self, rt: RelRuntime, creds: Credentials) -> None:
        self.rt = rt
        self.creds = creds
        self.http = SyncClient(rt)

    def call(self, cred: Cred, query: str, variables: dict[str, Any] | None = None) -> Answer:
        body = json.dumps({"query": query, "variables": variables or {}})
        return self.http.post(body.encode(), self.creds.headers(cred, body))

    def call_as(self, username: str, query: str, variables: dict[str, Any] | None = None
                ) -> Answer:
        """As any seeded Cognito user (not only the matrix's named ones)."""
        from ._auth import id_token

        body = json.dumps({"query": query, "variables": variables or {}})
        answer = self.http.post(body.encode(), {"authorization": id_token(self.rt, username)})
        assert answer.status == 200 and not answer.errors, answer.body
        return answer

    def ok(self, cred: Cred, query: str, variables: dict[str, Any] | None = None) -> Any:
        answer = self.call(cred, query, variables)
        assert answer.status == 200 and not answer.errors, \
            f"{query[:60]}...: {answer.status} {answer.body}"
        return answer.data

    def create_room(self, cred: Cred, name: str, visibility: str = "PUBLIC") -> str:
        data = self.ok(cred, "mutation($i: CreateRoomInput!){ createRoom(input: $i){ id } }",
                       {"i": {"name": name, "visibility": visibility, "language": "en"}})
        return str(data["createRoom"]["id"])

    def join(self, cred: Cred, room_id: str, language: str = "en") -> None:
        self.ok(cred, "mutation($r: ID!, $l: String){ joinRoom(roomId: $r, language: $l){ role } }",
                {"r": room_id, "l": language})

    def invite(self, cred: Cred, room_id: str, username: str) -> None:
        self.ok(cred, "mutation($r: ID!, $u: String!){ inviteToRoom(roomId: $r, username: $u)"
                      "{ roomId } }", {"r": room_id, "u": username})

    def post(self, cred: Cred, room_id: str, text: str, client_id: str | None = None
             ) -> dict[str, Any]:
        data = self.ok(cred, "mutation($i: PostMessageInput!){ postMessage(input: $i){ status "
                             "message { id _version clientId tags } } }",
                       {"i": {"roomId": room_id, "text": text,
                              "clientId": client_id or uuid.uuid4().hex}})
        result = data["postMessage"]
        assert result["status"] == "ACCEPTED", result
        return dict(result["message"])

    def sync_all(self, room_id: str, cred: Cred = Cred.IAM) -> list[dict[str, Any]]:
        """Every change of the room (full delta sync, every page), as IAM by default."""
        items: list[dict[str, Any]] = []
        token = None
        for _ in range(10_000):
            data = self.ok(cred, "query($r: ID!, $t: String){ syncMessages(roomId: $r, "
                                 "limit: 100, nextToken: $t){ items { id clientId _version "
                                 "_deleted tags } nextToken } }", {"r": room_id, "t": token})
            page = data["syncMessages"]
            items.extend(page["items"])
            token = page["nextToken"]
            if token is None:
                return items
        raise AssertionError("syncMessages never ended")

    def healthy(self) -> bool:
        """The health query: an API-key read answered with data and no error."""
        answer = self.call(Cred.API_KEY, "{ rooms(limit: 1) { items { id } } }")
        return answer.status == 200 and not answer.errors and answer.data["rooms"] is not None


@pytest.fixture
def api(rt: RelRuntime, shared_creds: Credentials) -> Iterator[Api]:
    client = Api(rt, shared_creds)
    yield client
    client.http.close()


@dataclass(frozen=True)
class World:
    """Rooms the auth matrix and the fuzzers aim at (owner: rel-owner; rel-member joined)."""

    public_room: str
    private_room: str

    def room(self, visibility: str) -> str:
        return self.public_room if visibility == "PUBLIC" else self.private_room


@pytest.fixture(scope="package")
def world(shared_runtime: RelRuntime, shared_creds: Credentials) -> World:
    api = Api(shared_runtime, shared_creds)
    public = api.create_room(Cred.OWNER, "reliability public")
    private = api.create_room(Cred.OWNER, "reliability private", "PRIVATE")
    api.join(Cred.MEMBER, public)
    api.invite(Cred.OWNER, private, "rel-member")
    api.join(Cred.MEMBER, private)
    for room in (public, private):
        api.post(Cred.MEMBER, room, "A lovely sunny garden party with friends")
    api.http.close()
    return World(public, private)
