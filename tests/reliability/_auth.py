"""Credentials of every kind the suites send, good and bad, as raw headers.

* Cognito ID tokens come from the local identity provider (moto) through boto3, as a
  user's client gets them.
* An *expired* token is minted exactly like moto mints its tokens (moto signs with a key
  published in its package, ``cognitoidp/resources/jwks-private.json``, kid ``dummy``),
  with ``exp`` in the past - the way tests/integration/runtime_core/test_cognito.py does.
* A *forged* token carries a valid user's claims signed with a fresh RSA key.
* SigV4 is gql's own ``AppSyncIAMAuthentication`` (what the stream publisher uses); a
  *bad* SigV4 is the same signature made with a wrong secret key.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import boto3
import jwt
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives.asymmetric import rsa
from gql.transport.appsync_auth import AppSyncIAMAuthentication

from ._runtime import RelRuntime


@functools.cache
def _token(endpoint: str, region: str, client_id: str, username: str, password: str) -> str:
    idp = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint,
                       aws_access_key_id="local", aws_secret_access_key="local")
    result = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": password})
    return str(result["AuthenticationResult"]["IdToken"])


def id_token(rt: RelRuntime, username: str) -> str:
    """A real ID token (1 h validity; cached per runtime start and user)."""
    pool = rt.info["userPool"]
    return _token(pool["endpoint"], rt.info["region"], pool["clientId"], username,
                  rt.password(username))


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _moto_signing_key() -> Any:
    from moto.utilities.utils import load_resource

    return jwt.PyJWK.from_dict(load_resource("cognitoidp/resources/jwks-private.json")).key


def expired_token(rt: RelRuntime, username: str) -> str:
    """The user's real claims, properly signed by the provider's key, expired an hour ago."""
    claims = claims_of(id_token(rt, username))
    now = int(time.time())
    claims.update(iat=now - 7200, auth_time=now - 7200, exp=now - 3600)
    return jwt.encode(claims, _moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"})


def forged_token(rt: RelRuntime, username: str) -> str:
    """The user's real, unexpired claims signed with a key nobody trusts."""
    claims = claims_of(id_token(rt, username))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, other, algorithm="RS256", headers={"kid": "dummy"})


def iam_auth(rt: RelRuntime, *, wrong_secret: bool = False) -> AppSyncIAMAuthentication:
    keys = rt.info["iam"]
    secret = keys["secretAccessKey"] + ("x" if wrong_secret else "")
    return AppSyncIAMAuthentication(host=rt.host, region_name=rt.info["region"],
                                    credentials=Credentials(keys["accessKeyId"], secret))


def sigv4_headers(rt: RelRuntime, body: str | bytes, *, wrong_secret: bool = False,
                  content_type: str = "application/json") -> dict[str, str]:
    """Headers of a SigV4-signed POST /graphql over the exact ``body`` bytes (service
    ``appsync``, as gql's HTTP transport signs; bytes so that invalid UTF-8 can be signed)."""
    keys = rt.info["iam"]
    secret = keys["secretAccessKey"] + ("x" if wrong_secret else "")
    request = AWSRequest(method="POST", url=f"https://{rt.host}/graphql",
                         data=body.encode() if isinstance(body, str) else body,
                         headers={"content-type": content_type, "host": rt.host})
    SigV4Auth(Credentials(keys["accessKeyId"], secret), "appsync",
              rt.info["region"]).add_auth(request)
    return {k: str(v) for k, v in request.headers.items()}
