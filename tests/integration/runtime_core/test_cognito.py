"""Cognito user pools mode with real RS256 tokens from a moto cognito-idp server."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication, AppSyncJWTAuthentication
from gql.transport.exceptions import TransportQueryError
from moto.utilities.utils import load_resource

from ._client import gql_execute, post_raw
from .conftest import Runtime


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


async def test_access_token_identity_matches_appsync(runtime: Runtime) -> None:
    # Given alice's access token from moto (USER_PASSWORD_AUTH), sent raw as gql does
    token = runtime.cognito.tokens("alice")["AccessToken"]
    auth = AppSyncJWTAuthentication(host=runtime.host, jwt=token)
    # When the resolver echoes the identity AppSync put in its event
    result = await gql_execute(runtime.url, auth, "{ whoami }")
    # Then it is the Cognito identity object of reference 5.1
    identity = json.loads(result["whoami"])["identity"]
    claims = _claims(token)
    assert identity == {
        "sub": claims["sub"],
        "issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{runtime.cognito.pool_id}",
        "username": "alice",
        "claims": claims,
        "sourceIp": ["127.0.0.1"],
        "defaultAuthStrategy": "ALLOW",
        "groups": ["admins"],
    }


async def test_id_token_is_accepted_and_username_comes_from_it(runtime: Runtime) -> None:
    token = runtime.cognito.tokens("bob")["IdToken"]
    result = await gql_execute(runtime.url, AppSyncJWTAuthentication(host=runtime.host, jwt=token),
                               "{ whoami }")
    identity = json.loads(result["whoami"])["identity"]
    assert identity["username"] == "bob" and identity["groups"] is None


async def test_cognito_groups_rule(runtime: Runtime) -> None:
    alice = AppSyncJWTAuthentication(host=runtime.host,
                                     jwt=runtime.cognito.tokens("alice")["AccessToken"])
    assert await gql_execute(runtime.url, alice, "{ adminOnly }") == {"adminOnly": "admin ok"}
    bob = AppSyncJWTAuthentication(host=runtime.host,
                                   jwt=runtime.cognito.tokens("bob")["AccessToken"])
    with pytest.raises(TransportQueryError) as exc:
        await gql_execute(runtime.url, bob, "{ adminOnly }")
    assert exc.value.data == {"adminOnly": None}
    assert exc.value.errors == [{
        "path": ["adminOnly"], "data": None, "errorType": "Unauthorized", "errorInfo": None,
        # gql prints the document before sending it, so the field is on line 2
        "locations": [{"line": 2, "column": 3, "sourceName": None}],
        "message": "Not Authorized to access adminOnly on type Query"}]


async def test_default_mode_only_fields_reject_other_modes(runtime: Runtime) -> None:
    token = runtime.cognito.tokens("alice")["AccessToken"]
    headers = {"authorization": token}
    # Root field without directive: default mode (API_KEY) only
    status, _, body = await post_raw(runtime.url, {"query": '{ getTodo(id: "1") { id } }'},
                                     headers)
    assert status == 200 and body["data"] == {"getTodo": None}
    assert body["errors"][0]["message"] == "Not Authorized to access getTodo on type Query"
    # Allowed root field returning an un-annotated type: its fields are checked too
    _, _, body = await post_raw(runtime.url, {"query": "{ getPlain { x } }"}, headers)
    assert body["data"] == {"getPlain": {"x": None}}
    assert body["errors"][0]["path"] == ["getPlain", "x"]
    assert body["errors"][0]["message"] == "Not Authorized to access x on type Plain"


async def test_field_directive_replaces_type_directives(runtime: Runtime) -> None:
    # Todo allows API_KEY at type level, but Todo.secret is @aws_cognito_user_pools only
    auth = AppSyncApiKeyAuthentication(host=runtime.host, api_key=runtime.api_key)
    with pytest.raises(TransportQueryError) as exc:
        await gql_execute(runtime.url, auth, '{ getTodo(id: "3") { id secret } }')
    assert exc.value.data == {"getTodo": {"id": "3", "secret": None}}
    assert exc.value.errors[0]["errorType"] == "Unauthorized"  # type: ignore[index]


def _moto_signing_key() -> Any:
    # moto signs every token with this published key (kid "dummy"): we use it to mint an
    # *expired* token that is otherwise exactly what moto issues.
    return jwt.PyJWK.from_dict(load_resource("cognitoidp/resources/jwks-private.json")).key


async def _status_and_message(runtime: Runtime, token: str) -> tuple[int, str]:
    status, _, body = await post_raw(runtime.url, {"query": "{ whoami }"},
                                     {"authorization": token})
    assert body["errors"][0]["errorType"] == "UnauthorizedException"
    return status, body["errors"][0]["message"]


async def test_forged_signature_is_rejected(runtime: Runtime) -> None:
    claims = _claims(runtime.cognito.tokens("alice")["AccessToken"])
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "dummy"})
    assert await _status_and_message(runtime, forged) == (
        401, "Valid authorization header not provided.")


async def test_expired_token_is_rejected(runtime: Runtime) -> None:
    claims = _claims(runtime.cognito.tokens("alice")["AccessToken"])
    claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    expired = jwt.encode(claims, _moto_signing_key(), algorithm="RS256",
                         headers={"kid": "dummy"})
    assert await _status_and_message(runtime, expired) == (401, "Token has expired.")


async def test_token_of_a_client_not_in_the_template_is_rejected(runtime: Runtime) -> None:
    token = runtime.cognito.tokens("alice", runtime.cognito.rogue_client_id)["AccessToken"]
    assert _claims(token)["client_id"] == runtime.cognito.rogue_client_id
    assert await _status_and_message(runtime, token) == (
        401, "Valid authorization header not provided.")


async def test_malformed_bearer_and_foreign_issuer(runtime: Runtime) -> None:
    good = runtime.cognito.tokens("alice")["AccessToken"]
    assert await _status_and_message(runtime, "not-a-jwt") == (401, "Unable to parse JWT token.")
    status, _ = await _status_and_message(runtime, f"Bearer {good}")
    assert status == 401
    claims = _claims(good)
    claims["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"
    foreign = jwt.encode(claims, _moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"})
    assert (await _status_and_message(runtime, foreign))[0] == 401
