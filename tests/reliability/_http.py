"""Raw HTTP to ``POST /graphql``: exact bytes out, status + parsed body back.

gql would refuse to send most of what the fuzzers send (and hides statuses), so the
suites speak HTTP themselves: ``http.client`` for the synchronous hypothesis tests,
aiohttp for the concurrent ones.
"""

from __future__ import annotations

import enum
import http.client
import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from . import _auth
from ._runtime import RelRuntime

TIMEOUT_S = 60.0


class Cred(enum.Enum):
    """Every kind of caller of the auth matrix (and the fuzzers' callers)."""

    API_KEY = "api-key"
    OWNER = "cognito-owner"          # rel-owner: created the rooms
    MEMBER = "cognito-member"        # rel-member: joined the rooms
    OUTSIDER = "cognito-non-member"  # rel-outsider: signed in, in no room
    ANALYST = "cognito-analyst"      # rel-analyst: group 'analysts', in no room
    IAM = "iam"
    NONE = "no-credentials"
    EXPIRED = "expired-token"
    FORGED = "forged-signature"
    BAD_SIGV4 = "bad-sigv4"


USERS = {
    Cred.OWNER: "rel-owner",
    Cred.MEMBER: "rel-member",
    Cred.OUTSIDER: "rel-outsider",
    Cred.ANALYST: "rel-analyst",
}
# Credentials refused before any field runs (HTTP 401/403, WS connection_error).
REQUEST_LEVEL_DENIED = frozenset({Cred.NONE, Cred.EXPIRED, Cred.FORGED, Cred.BAD_SIGV4})


@dataclass
class Answer:
    status: int
    body: Any  # parsed JSON, or the raw text when it was not JSON
    headers: dict[str, str]

    @property
    def errors(self) -> list[dict[str, Any]]:
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        return errors if isinstance(errors, list) else []

    @property
    def data(self) -> Any:
        return self.body.get("data") if isinstance(self.body, dict) else None


class Credentials:
    """Builds the headers of one caller kind for a given body (SigV4 signs the body)."""

    def __init__(self, rt: RelRuntime) -> None:
        self.rt = rt
        self._expired = _auth.expired_token(rt, USERS[Cred.MEMBER])
        self._forged = _auth.forged_token(rt, USERS[Cred.MEMBER])

    def headers(self, cred: Cred, body: str | bytes,
                content_type: str = "application/json") -> dict[str, str]:
        if cred is Cred.API_KEY:
            return {"x-api-key": str(self.rt.info["apiKey"])}
        if cred in USERS:
            return {"authorization": _auth.id_token(self.rt, USERS[cred])}
        if cred is Cred.IAM:
            return _auth.sigv4_headers(self.rt, body, content_type=content_type)
        if cred is Cred.BAD_SIGV4:
            return _auth.sigv4_headers(self.rt, body, wrong_secret=True,
                                       content_type=content_type)
        if cred is Cred.EXPIRED:
            return {"authorization": self._expired}
        if cred is Cred.FORGED:
            return {"authorization": self._forged}
        return {}

    def ws_header(self, cred: Cred, data: str | None = None) -> dict[str, Any] | None:
        """The AppSync real-time auth header for connect (data None) or for a start's data."""
        host = self.rt.host
        if cred is Cred.NONE:
            return None if data is None else {"host": host}
        if cred in (Cred.IAM, Cred.BAD_SIGV4):
            return _auth.iam_auth(self.rt, wrong_secret=cred is Cred.BAD_SIGV4).get_headers(data)
        return {"host": host, **self.headers(cred, "")}


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")


def encode(payload: Any) -> bytes:
    """JSON as a client library would send it (ASCII escapes: surrogates survive)."""
    return json.dumps(payload).encode("ascii")


class SyncClient:
    """One keep-alive HTTP connection (reconnects when the server closed it)."""

    def __init__(self, rt: RelRuntime) -> None:
        self.rt = rt
        self._conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes, headers: dict[str, str], *,
             content_type: str = "application/json") -> Answer:
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.rt.port,
                                                        timeout=TIMEOUT_S)
            try:
                self._conn.request("POST", "/graphql", body=body,
                                   headers={"content-type": content_type, **headers})
                response = self._conn.getresponse()
                raw = response.read()
                return Answer(response.status, _decode(raw),
                              {k.lower(): v for k, v in response.getheaders()})
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # a stale keep-alive connection: once more on a fresh one
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class AsyncClient:
    """aiohttp session for concurrent callers."""

    def __init__(self, rt: RelRuntime, creds: Credentials) -> None:
        self.rt = rt
        self.creds = creds
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> AsyncClient:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_S),
            connector=aiohttp.TCPConnector(limit=16))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, cred: Cred, query: str, variables: dict[str, Any] | None = None
                   ) -> Answer:
        body = json.dumps({"query": query, "variables": variables or {}})
        return await self.post_raw(body.encode(), self.creds.headers(cred, body))

    async def post_raw(self, body: bytes, headers: dict[str, str]) -> Answer:
        assert self._session is not None
        async with self._session.post(self.rt.graphql_url, data=body,
                                      headers={"content-type": "application/json",
                                               **headers}) as response:
            raw = await response.read()
            return Answer(response.status, _decode(raw),
                          {k.lower(): v for k, v in response.headers.items()})


def gql_ok(answer: Answer, field: str) -> Any:
    """The field's data of a call that must have succeeded."""
    assert answer.status == 200 and not answer.errors, f"{field}: {answer.status} {answer.body}"
    return answer.data[field]
