"""Cognito sign-in, refresh before expiry and the private token cache, against moto's
Cognito (real InitiateAuth semantics and real JWTs, in process)."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from pchat import AuthError, CognitoSession, TokenCache, UserPoolConfig
from pchat.auth import UserPoolCredentials

REGION = "us-east-1"


@pytest.fixture
def pool() -> Iterator[UserPoolConfig]:
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name=REGION)
        pool_id = idp.create_user_pool(PoolName="chat")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="cli",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool_id, Username="alice")
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username="alice", Password="Secret-Alice-1", Permanent=True
        )
        yield UserPoolConfig(id=pool_id, client_id=client_id)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def claims(jwt: str) -> dict[str, object]:
    body = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))  # type: ignore[no-any-return]


def test_login_caches_tokens_privately_and_another_session_resumes(
    pool: UserPoolConfig, tmp_path: Path
) -> None:
    cache = TokenCache(tmp_path / "tokens")
    tokens = CognitoSession(pool, REGION, cache=cache).login("alice", "Secret-Alice-1")
    assert claims(tokens.id_token)["cognito:username"] == "alice"
    files = list((tmp_path / "tokens").iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE((tmp_path / "tokens").stat().st_mode) == 0o700
    assert tokens.id_token not in repr(tokens)
    # Another process (a new session on the same cache) picks up the sign-in
    other = CognitoSession(pool, REGION, cache=cache)
    assert other.resume().username == "alice"
    assert other.id_token() == tokens.id_token


def test_the_token_is_refreshed_shortly_before_it_expires(
    pool: UserPoolConfig, tmp_path: Path
) -> None:
    clock = Clock()
    cache = TokenCache(tmp_path)
    session = CognitoSession(pool, REGION, cache=cache, clock=clock, refresh_margin_s=300)
    first = session.login("alice", "Secret-Alice-1")
    clock.now = first.expires_at - 600  # well before the margin: no call
    assert session.id_token() == first.id_token
    clock.now = first.expires_at - 200  # inside the margin: refreshed
    session.id_token()
    refreshed = cache.load(pool, "alice")
    assert refreshed is not None and refreshed.expires_at > first.expires_at
    assert refreshed.refresh_token == first.refresh_token  # Cognito does not rotate it


def test_a_revoked_refresh_token_asks_the_user_to_sign_in_again(
    pool: UserPoolConfig, tmp_path: Path
) -> None:
    clock = Clock()
    cache = TokenCache(tmp_path)
    session = CognitoSession(pool, REGION, cache=cache, clock=clock)
    tokens = session.login("alice", "Secret-Alice-1")
    cache.save(pool, replace(tokens, refresh_token="revoked", expires_at=clock.now))
    session.resume("alice")
    with pytest.raises(AuthError, match="pchat login alice"):
        session.id_token()


def test_a_wrong_password_is_an_auth_error(pool: UserPoolConfig) -> None:
    with pytest.raises(AuthError, match="wrong username or password"):
        CognitoSession(pool, REGION).login("alice", "nope")


def test_resuming_without_a_sign_in_says_what_to_run(pool: UserPoolConfig, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="pchat login bob"):
        CognitoSession(pool, REGION, cache=TokenCache(tmp_path)).resume("bob")


def test_logout_forgets_the_tokens(pool: UserPoolConfig, tmp_path: Path) -> None:
    cache = TokenCache(tmp_path)
    session = CognitoSession(pool, REGION, cache=cache)
    session.login("alice", "Secret-Alice-1")
    session.logout()
    assert cache.load(pool, "alice") is None and cache.current_user(pool) is None


async def test_requests_carry_the_raw_jwt_without_bearer(pool: UserPoolConfig) -> None:
    session = CognitoSession(pool, REGION)
    tokens = session.login("alice", "Secret-Alice-1")
    credentials = UserPoolCredentials(session)
    await credentials.refresh()
    headers = credentials.appsync_auth("api.example:443").get_headers('{"query":"{me{id}}"}')
    assert headers == {"host": "api.example:443", "Authorization": tokens.id_token}
