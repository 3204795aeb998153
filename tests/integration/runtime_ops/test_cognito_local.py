"""Local Cognito (moto server): boto3 talks to it unchanged; identities survive restarts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from appsync_local.api_model import UserPoolClientSpec, UserPoolGroupSpec, UserPoolSpec
from appsync_local.auth import AuthConfig, Authenticator, AuthMode, UserPoolProvider
from appsync_local.cognito_local import CognitoLocal, SeedUser, initiate_password_auth

REGION = "eu-west-1"
POOL = UserPoolSpec(
    logical_id="Pool", user_pool_id="placeholder", pool_name="ops-test-users",
    properties={
        "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireNumbers": True}},
        "UsernameConfiguration": {"CaseSensitive": False},
        "DeletionProtection": "ACTIVE",
    },
)
CLIENT = UserPoolClientSpec(
    logical_id="PoolClient", client_id="placeholder", user_pool_id="placeholder",
    user_pool_logical_id="Pool", client_name="web",
    # Deliberately without USER_PASSWORD_AUTH: the local pool always enables it.
    properties={"GenerateSecret": False, "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH",
                                                               "ALLOW_REFRESH_TOKEN_AUTH"]},
)
GROUPS = [
    UserPoolGroupSpec(logical_id="Readers", group_name="readers", user_pool_id="placeholder",
                      user_pool_logical_id="Pool", properties={"Description": "r"}),
    UserPoolGroupSpec(logical_id="Admins", group_name="admins", user_pool_id="placeholder",
                      user_pool_logical_id="Pool", properties={"Precedence": 1}),
]
USERS = [
    SeedUser("ann", "Password-Ann-1", ("readers", "admins"), {"email": "ann@example.com"}),
    SeedUser("ben", "Password-Ben-2"),
]


@pytest.fixture
def cognito(tmp_path: Path) -> Iterator[CognitoLocal]:
    local = CognitoLocal(tmp_path / "cognito", REGION)
    local.start()
    yield local
    local.stop()


def provision(local: CognitoLocal) -> None:
    local.provision([POOL], [CLIENT], GROUPS)
    local.ensure_users("Pool", USERS)


def login(local: CognitoLocal, username: str, password: str) -> dict[str, str]:
    pool = local.info.pools["Pool"]
    client_id = pool.client_ids["PoolClient"]
    return initiate_password_auth(local.info.endpoint, REGION, client_id, username, password)


def test_boto3_initiate_auth_returns_jwts_with_groups(cognito: CognitoLocal) -> None:
    # Given the pool, client, groups and users
    provision(cognito)
    pool = cognito.info.pools["Pool"]
    # When ann signs in with USER_PASSWORD_AUTH through a plain boto3 client
    idp = boto3.client("cognito-idp", endpoint_url=cognito.info.endpoint, region_name=REGION,
                       config=Config(signature_version=UNSIGNED))
    result = idp.initiate_auth(
        ClientId=pool.client_ids["PoolClient"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": "Password-Ann-1"},
    )["AuthenticationResult"]
    # Then the tokens carry the AWS issuer, the client and the groups
    id_claims = jwt.decode(result["IdToken"], options={"verify_signature": False})
    access_claims = jwt.decode(result["AccessToken"], options={"verify_signature": False})
    assert id_claims["iss"] == pool.issuer == (
        f"https://cognito-idp.{REGION}.amazonaws.com/{pool.pool_id}")
    assert id_claims["aud"] == access_claims["client_id"] == pool.client_ids["PoolClient"]
    assert sorted(id_claims["cognito:groups"]) == ["admins", "readers"]
    assert sorted(access_claims["cognito:groups"]) == ["admins", "readers"]
    assert id_claims["cognito:username"] == "ann"
    assert result["RefreshToken"]
    assert set(pool.groups) == {"readers", "admins"}


def test_wrong_password_is_refused(cognito: CognitoLocal) -> None:
    provision(cognito)
    with pytest.raises(cognito.admin_client().exceptions.NotAuthorizedException):
        login(cognito, "ann", "not-the-password")


def test_core_authenticator_accepts_tokens_through_the_jwks_url(cognito: CognitoLocal) -> None:
    # Given core's Authenticator configured with what CognitoLocal provides
    provision(cognito)
    pool = cognito.info.pools["Pool"]
    config = AuthConfig(
        default_mode=AuthMode.AMAZON_COGNITO_USER_POOLS, region=REGION,
        user_pools=(UserPoolProvider(pool.pool_id, REGION, frozenset(pool.client_ids.values()),
                                     jwks_url=pool.jwks_url),),
    )
    token = login(cognito, "ann", "Password-Ann-1")["IdToken"]
    # When a request carries the ID token
    auth = Authenticator(config).authenticate_http({"authorization": token}, b"{}",
                                                   host="localhost")
    # Then the signature verifies against the served JWKS and the identity has the groups
    assert auth.mode is AuthMode.AMAZON_COGNITO_USER_POOLS
    assert auth.identity is not None
    assert auth.identity["username"] == "ann"
    assert sorted(auth.groups) == ["admins", "readers"]


def test_restart_keeps_ids_subs_passwords_and_signed_up_users(tmp_path: Path) -> None:
    # Given a first run with seeded users and one user who signed up by herself
    first = CognitoLocal(tmp_path / "cognito", REGION)
    first.start()
    try:
        provision(first)
        pool = first.info.pools["Pool"]
        unsigned = boto3.client("cognito-idp", endpoint_url=first.info.endpoint,
                                region_name=REGION, config=Config(signature_version=UNSIGNED))
        unsigned.sign_up(ClientId=pool.client_ids["PoolClient"], Username="cleo",
                         Password="Password-Cleo-3")
        first.admin_client().admin_confirm_sign_up(UserPoolId=pool.pool_id, Username="cleo")
        subs = {u: _sub(login(first, u, p)) for u, p in
                [("ann", "Password-Ann-1"), ("cleo", "Password-Cleo-3")]}
        old_token = login(first, "ann", "Password-Ann-1")["IdToken"]
        ids = (pool.pool_id, dict(pool.client_ids))
    finally:
        first.stop()
    # When the runtime starts again on the same state directory
    second = CognitoLocal(tmp_path / "cognito", REGION)
    second.start()
    try:
        provision(second)
        pool = second.info.pools["Pool"]
        # Then ids, subs, passwords and groups are unchanged, and old tokens still verify
        assert (pool.pool_id, dict(pool.client_ids)) == ids
        assert _sub(login(second, "ann", "Password-Ann-1")) == subs["ann"]
        assert _sub(login(second, "cleo", "Password-Cleo-3")) == subs["cleo"]
        claims = jwt.decode(login(second, "ann", "Password-Ann-1")["IdToken"],
                            options={"verify_signature": False})
        assert sorted(claims["cognito:groups"]) == ["admins", "readers"]
        keys = jwt.PyJWKClient(pool.jwks_url)
        jwt.decode(old_token, keys.get_signing_key_from_jwt(old_token).key,
                   algorithms=["RS256"], options={"verify_aud": False})
    finally:
        second.stop()
    assert (tmp_path / "cognito" / "users.json").stat().st_mode & 0o077 == 0


def test_seed_users_are_idempotent(cognito: CognitoLocal) -> None:
    provision(cognito)
    assert cognito.ensure_users("Pool", USERS) == []
    users = cognito.admin_client().list_users(UserPoolId=cognito.info.pools["Pool"].pool_id)
    assert sorted(u["Username"] for u in users["Users"]) == ["ann", "ben"]


def _sub(tokens: dict[str, str]) -> str:
    return str(jwt.decode(tokens["IdToken"], options={"verify_signature": False})["sub"])
