"""Seed a local API: users into local Cognito, then GraphQL operations, each applied once.

The seed file (JSON) is data, so any API can be seeded:

    {"userPool": "UserPool",              # optional: pool logical id (default: the first)
     "users": [{"username": "alice", "password": "...", "groups": ["g"],
                "attributes": {"email": "alice@example.com"}}],
     "operations": [{"id": "demo-room",  # unique and stable: the record of what ran
                     "as": "alice",       # Cognito user (AMAZON_COGNITO_USER_POOLS)
                     "authMode": "AMAZON_COGNITO_USER_POOLS" | "API_KEY" | "AWS_IAM",
                     "query": "mutation ...", "variables": {...}, "operationName": null}]}

Operations go through the running API's public HTTP endpoint with real credentials
(a Cognito token from USER_PASSWORD_AUTH, the API key, or SigV4), so seeding exercises
the same path as any client and needs no access to the runtime's internals. Applied
operation ids are recorded in ``{state}/seed.json``; an operation that fails is not
recorded and is tried again on the next start.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .cognito_local import SeedUser
from .state import read_json, write_json_atomic

logger = logging.getLogger(__name__)

COGNITO = "AMAZON_COGNITO_USER_POOLS"
_MODES = (COGNITO, "API_KEY", "AWS_IAM")


class SeedFileError(ValueError):
    """The seed file is malformed (the message says where)."""


@dataclass(frozen=True)
class SeedOperation:
    id: str
    query: str
    auth_mode: str = COGNITO
    as_user: str | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    operation_name: str | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"query": self.query, "variables": dict(self.variables)}
        if self.operation_name:
            body["operationName"] = self.operation_name
        return body

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.body(), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class SeedFile:
    users: tuple[SeedUser, ...] = ()
    operations: tuple[SeedOperation, ...] = ()
    user_pool: str | None = None

    def password_of(self, username: str) -> str:
        for user in self.users:
            if user.username == username:
                return user.password
        raise SeedFileError(f"operation runs as {username!r}, who is not in the seed's users")


def load_seed(path: Path) -> SeedFile:
    """Parse and check a seed file.

    Raises
    ------
    SeedFileError
        Unreadable JSON, missing fields, duplicate ids, unknown auth modes or users.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedFileError(f"{path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise SeedFileError(f"{path}: expected a JSON object")
    try:
        users = tuple(
            SeedUser(str(u["username"]), str(u["password"]), tuple(u.get("groups") or ()),
                     dict(u.get("attributes") or {}))
            for u in raw.get("users") or ()
        )
        operations = tuple(
            SeedOperation(id=str(o["id"]), query=str(o["query"]),
                          auth_mode=str(o.get("authMode", COGNITO)), as_user=o.get("as"),
                          variables=dict(o.get("variables") or {}),
                          operation_name=o.get("operationName"))
            for o in raw.get("operations") or ()
        )
    except (KeyError, TypeError) as exc:
        raise SeedFileError(f"{path}: missing or malformed field {exc}") from exc
    seed = SeedFile(users, operations, raw.get("userPool"))
    _check(seed, path)
    return seed


def _check(seed: SeedFile, path: Path) -> None:
    ids = [o.id for o in seed.operations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SeedFileError(f"{path}: duplicate operation ids {duplicates}")
    for op in seed.operations:
        if op.auth_mode not in _MODES:
            raise SeedFileError(f"{path}: operation {op.id}: authMode must be one of {_MODES}")
        if op.auth_mode == COGNITO:
            if not op.as_user:
                raise SeedFileError(f"{path}: operation {op.id}: Cognito needs \"as\": user")
            seed.password_of(op.as_user)


@dataclass(frozen=True)
class SeedAuth:
    """How seed operations authenticate against the local API."""

    region: str
    api_key: str | None
    access_key_id: str
    secret_access_key: str
    id_token_for: Callable[[str, str], str]  # (username, password) -> Cognito ID token


@dataclass(frozen=True)
class SeedReport:
    applied: tuple[str, ...]
    skipped: tuple[str, ...]
    failed: tuple[str, ...]


class SeedRunner:
    """Run the seed file's operations that have not been applied yet, in file order."""

    def __init__(self, seed: SeedFile, record_file: Path, graphql_url: str,
                 credentials: SeedAuth, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._seed = seed
        self._record_file = record_file
        self._url = graphql_url
        self._creds = credentials
        self._ssl = ssl_context

    def applied_ids(self) -> set[str]:
        data = read_json(self._record_file, {}) or {}
        return set((data.get("operations") or {}).keys())

    async def run(self) -> SeedReport:
        applied, skipped, failed = [], [], []
        done = self.applied_ids()
        for op in self._seed.operations:
            if op.id in done:
                skipped.append(op.id)
                continue
            try:
                response = await asyncio.to_thread(self._execute, op)
            except Exception as exc:  # one bad operation must not stop the runtime
                logger.error("seed: operation %s failed: %s", op.id, exc)
                failed.append(op.id)
                continue
            if response.get("errors"):
                logger.error("seed: operation %s returned errors: %s", op.id,
                             json.dumps(response["errors"]))
                failed.append(op.id)
                continue
            self._record(op)
            applied.append(op.id)
            logger.info("seed: applied %s", op.id)
        return SeedReport(tuple(applied), tuple(skipped), tuple(failed))

    def _record(self, op: SeedOperation) -> None:
        data = read_json(self._record_file, {}) or {}
        data.setdefault("operations", {})[op.id] = {
            "appliedAt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "sha256": op.digest(),
        }
        write_json_atomic(self._record_file, data)

    def _execute(self, op: SeedOperation) -> dict[str, Any]:
        body = json.dumps(op.body()).encode()
        headers = self._auth_headers(op, body)
        request = urllib.request.Request(self._url, data=body, headers=headers, method="POST")  # noqa: S310 - our own endpoint
        try:
            with urllib.request.urlopen(request, timeout=60, context=self._ssl) as resp:  # noqa: S310
                result: dict[str, Any] = json.loads(resp.read())
                return result
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            return {"errors": [{"message": f"HTTP {exc.code}: {detail}"}]}

    def _auth_headers(self, op: SeedOperation, body: bytes) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        if op.auth_mode == "API_KEY":
            if not self._creds.api_key:
                raise SeedFileError(f"operation {op.id}: the API has no API key")
            headers["x-api-key"] = self._creds.api_key
        elif op.auth_mode == "AWS_IAM":
            headers.update(_sigv4_headers(self._url, body, self._creds))
        else:
            assert op.as_user is not None
            headers["authorization"] = self._creds.id_token_for(
                op.as_user, self._seed.password_of(op.as_user))
        return headers


def _sigv4_headers(url: str, body: bytes, creds: SeedAuth) -> dict[str, str]:
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"content-type": "application/json",
                                  "host": urlsplit(url).netloc})
    SigV4Auth(Credentials(creds.access_key_id, creds.secret_access_key), "appsync",
              creds.region).add_auth(request)
    return dict(request.headers.items())


def seed_users_table(seed: SeedFile) -> Sequence[dict[str, Any]]:
    """The `users` entry of runtime.json."""
    return [{"username": u.username, "password": u.password, "groups": list(u.groups)}
            for u in seed.users]
