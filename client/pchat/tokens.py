"""Cognito sign-in for people: USER_PASSWORD_AUTH, refresh before expiry, tokens on disk.

The same boto3 ``cognito-idp`` calls work against real Cognito and against the local
runtime's user pool (moto, ``userPool.endpoint``). Tokens are cached per pool, app client
and user in files readable by their owner only (0600, in a 0700 directory), so ``pchat``
commands in other processes reuse a sign-in. Nothing here logs a token or a password.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import UserPoolConfig
from .errors import AuthError, OfflineError

REFRESH_MARGIN_S = 300.0  # refresh this long before expiry: a long request must not outlive it
_SAFE = re.compile(r"[^A-Za-z0-9_.@-]")


@dataclass(frozen=True)
class Tokens:
    username: str
    id_token: str = field(repr=False)
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float  # epoch seconds

    def expires_within(self, seconds: float, now: float) -> bool:
        return self.expires_at - now <= seconds


class TokenCache:
    """One JSON file per (pool, client, user) plus a pointer to the last signed-in user."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load(self, pool: UserPoolConfig, username: str) -> Tokens | None:
        try:
            raw = json.loads(self._path(pool, username).read_text(encoding="utf-8"))
            return Tokens(raw["username"], raw["idToken"], raw["accessToken"],
                          raw["refreshToken"], float(raw["expiresAt"]))
        except (OSError, ValueError, KeyError):
            return None  # absent or corrupt: the user signs in again

    def save(self, pool: UserPoolConfig, tokens: Tokens) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.directory.chmod(0o700)  # even if it existed: it holds credentials
        body = json.dumps({"username": tokens.username, "idToken": tokens.id_token,
                           "accessToken": tokens.access_token,
                           "refreshToken": tokens.refresh_token, "expiresAt": tokens.expires_at})
        _write_private(self._path(pool, tokens.username), body)
        _write_private(self._current(pool), tokens.username)

    def delete(self, pool: UserPoolConfig, username: str) -> None:
        self._path(pool, username).unlink(missing_ok=True)
        if self.current_user(pool) == username:
            self._current(pool).unlink(missing_ok=True)

    def current_user(self, pool: UserPoolConfig) -> str | None:
        try:
            return self._current(pool).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def _prefix(self, pool: UserPoolConfig) -> str:
        # The endpoint is part of the key: two local runtimes may reuse a pool id.
        digest = hashlib.sha256(f"{pool.endpoint}|{pool.id}|{pool.client_id}".encode())
        return digest.hexdigest()[:16]

    def _path(self, pool: UserPoolConfig, username: str) -> Path:
        return self.directory / f"{self._prefix(pool)}-{_SAFE.sub('_', username)}.json"

    def _current(self, pool: UserPoolConfig) -> Path:
        return self.directory / f"{self._prefix(pool)}.current"


def _write_private(path: Path, text: str) -> None:
    """Atomic write of a file only its owner can read (created 0600, never wider)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class CognitoSession:
    """A signed-in user of one user pool. ``id_token()`` always returns a fresh token.

    ``idp`` is a boto3 ``cognito-idp`` client (injected in tests; created on first use).
    """

    def __init__(self, pool: UserPoolConfig, region: str, *, cache: TokenCache | None = None,
                 idp: Any = None, clock: Callable[[], float] = time.time,
                 refresh_margin_s: float = REFRESH_MARGIN_S) -> None:
        self.pool = pool
        self.region = region
        self._cache = cache
        self._idp = idp
        self._clock = clock
        self._margin = refresh_margin_s
        self._tokens: Tokens | None = None

    @property
    def username(self) -> str | None:
        return self._tokens.username if self._tokens else None

    def login(self, username: str, password: str) -> Tokens:
        """Sign in with USER_PASSWORD_AUTH. Raises AuthError, OfflineError."""
        params = {"USERNAME": username, "PASSWORD": password, **self._secret_hash(username)}
        result = self._initiate("USER_PASSWORD_AUTH", params)
        tokens = self._tokens_from(username, result, refresh_token=None)
        self._store(tokens)
        return tokens

    def resume(self, username: str | None = None) -> Tokens:
        """Load a cached sign-in (``username`` or the last one). Raises AuthError."""
        if self._cache is None:
            raise AuthError("no token cache configured: sign in with login()")
        username = username or self._cache.current_user(self.pool)
        tokens = self._cache.load(self.pool, username) if username else None
        if tokens is None:
            who = f" as {username}" if username else ""
            raise AuthError(f"not signed in{who}: run `pchat login {username or 'USER'}`")
        self._tokens = tokens
        return tokens

    def id_token(self) -> str:
        """The current ID token, refreshed first when it expires within the margin.

        Blocking (one HTTPS call when a refresh is due): call through asyncio.to_thread
        from async code. Raises AuthError, OfflineError.
        """
        if self._tokens is None:
            raise AuthError("not signed in: run `pchat login USER`")
        if self._tokens.expires_within(self._margin, self._clock()):
            self._refresh()
        return self._tokens.id_token

    def cached_id_token(self) -> str:
        """The token as it is, without a network call (for synchronous header building)."""
        if self._tokens is None:
            raise AuthError("not signed in: run `pchat login USER`")
        return self._tokens.id_token

    def logout(self) -> None:
        if self._tokens is not None and self._cache is not None:
            self._cache.delete(self.pool, self._tokens.username)
        self._tokens = None

    def _refresh(self) -> None:
        assert self._tokens is not None
        username = self._tokens.username
        params = {"REFRESH_TOKEN": self._tokens.refresh_token, **self._secret_hash(username)}
        try:
            result = self._initiate("REFRESH_TOKEN_AUTH", params)
        except AuthError as exc:
            raise AuthError(f"the session of {username} has expired: run `pchat login "
                            f"{username}` ({exc})") from exc
        self._store(self._tokens_from(username, result, refresh_token=self._tokens.refresh_token))

    def _initiate(self, flow: str, params: dict[str, str]) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

        try:
            response = self._client().initiate_auth(
                ClientId=self.pool.client_id, AuthFlow=flow, AuthParameters=params)
        except EndpointConnectionError as exc:
            raise OfflineError(f"Cognito is not reachable: {exc}") from exc
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            raise AuthError(_auth_message(code, exc)) from exc
        except BotoCoreError as exc:
            raise OfflineError(f"Cognito call failed: {exc}") from exc
        if "AuthenticationResult" not in response:
            challenge = response.get("ChallengeName", "a challenge")
            raise AuthError(f"Cognito asks for {challenge}; complete it in the web UI first")
        result: dict[str, Any] = response["AuthenticationResult"]
        return result

    def _tokens_from(self, username: str, result: dict[str, Any],
                     refresh_token: str | None) -> Tokens:
        return Tokens(username=username, id_token=result["IdToken"],
                      access_token=result["AccessToken"],
                      refresh_token=result.get("RefreshToken") or refresh_token or "",
                      expires_at=self._clock() + float(result.get("ExpiresIn", 3600)))

    def _store(self, tokens: Tokens) -> None:
        self._tokens = tokens
        if self._cache is not None:
            self._cache.save(self.pool, tokens)

    def _secret_hash(self, username: str) -> dict[str, str]:
        if not self.pool.client_secret:
            return {}
        digest = hmac.new(self.pool.client_secret.encode(),
                          (username + self.pool.client_id).encode(), hashlib.sha256).digest()
        return {"SECRET_HASH": base64.b64encode(digest).decode()}

    def _client(self) -> Any:
        if self._idp is None:
            import boto3
            from botocore import UNSIGNED
            from botocore.config import Config as BotoConfig

            # InitiateAuth is an unauthenticated call: no AWS credentials needed or sent.
            self._idp = boto3.client(
                "cognito-idp", region_name=self.region, endpoint_url=self.pool.endpoint,
                config=BotoConfig(signature_version=UNSIGNED, retries={"max_attempts": 2},
                                  connect_timeout=5, read_timeout=15))
        return self._idp


def _auth_message(code: str, exc: Exception) -> str:
    if code in ("NotAuthorizedException", "UserNotFoundException"):
        return "wrong username or password (or the refresh token was revoked)"
    if code == "UserNotConfirmedException":
        return "this account is not confirmed yet"
    if code == "PasswordResetRequiredException":
        return "a password reset is required for this account"
    if code == "InvalidParameterException":
        return (f"Cognito refused the request: {exc} "
                "(is USER_PASSWORD_AUTH enabled on the app client?)")
    return f"Cognito refused the sign-in ({code or 'unknown error'})"
