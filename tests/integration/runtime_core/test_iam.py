"""AWS_IAM mode: SigV4 verified against local credentials (HTTP and real-time forms)."""

from __future__ import annotations

import json
import time

import pytest
from botocore.credentials import Credentials
from gql.transport.appsync_auth import AppSyncIAMAuthentication
from gql.transport.exceptions import TransportQueryError

from appsync_local.auth import AuthError, AuthMode

from ._client import gql_execute, post_raw
from .conftest import IAM_KEY_ID, IAM_SECRET, Runtime


def _iam(runtime: Runtime, secret: str = IAM_SECRET, key_id: str = IAM_KEY_ID
         ) -> AppSyncIAMAuthentication:
    return AppSyncIAMAuthentication(host=runtime.host, region_name="us-east-1",
                                    credentials=Credentials(key_id, secret))


async def test_signed_request_reaches_iam_only_field_with_iam_identity(runtime: Runtime) -> None:
    auth = _iam(runtime)
    assert await gql_execute(runtime.url, auth, "{ iamOnly }") == {"iamOnly": "iam ok"}
    identity = json.loads((await gql_execute(runtime.url, auth, "{ whoami }"))["whoami"])
    assert identity["identity"] == {
        "accountId": "000000000000",
        "cognitoIdentityAuthProvider": None,
        "cognitoIdentityAuthType": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "sourceIp": ["127.0.0.1"],
        "userArn": "arn:aws:iam::000000000000:user/integration",
        "username": IAM_KEY_ID,
    }


async def test_api_key_cannot_read_iam_only_field(runtime: Runtime) -> None:
    from gql.transport.appsync_auth import AppSyncApiKeyAuthentication

    auth = AppSyncApiKeyAuthentication(host=runtime.host, api_key=runtime.api_key)
    with pytest.raises(TransportQueryError) as exc:
        await gql_execute(runtime.url, auth, "{ iamOnly }")
    assert exc.value.errors[0]["message"] == "Not Authorized to access iamOnly on type Query"  # type: ignore[index]


def _signed_headers(runtime: Runtime, body: str, secret: str = IAM_SECRET) -> dict[str, str]:
    return {k: str(v) for k, v in _iam(runtime, secret).get_headers(
        body, {"content-type": "application/json"}).items()}


async def test_wrong_secret_is_403_invalid_signature(runtime: Runtime) -> None:
    body = json.dumps({"query": "{ iamOnly }"})
    headers = _signed_headers(runtime, body, secret="wrong-secret")
    status, resp_headers, payload = await post_raw(runtime.url, body, headers)
    assert status == 403
    assert resp_headers["x-amzn-errortype"] == "InvalidSignatureException"
    assert payload["errors"][0]["errorType"] == "InvalidSignatureException"
    assert payload["errors"][0]["message"].startswith(
        "The request signature we calculated does not match")


async def test_tampered_body_and_unknown_key_and_stale_date(runtime: Runtime) -> None:
    body = json.dumps({"query": "{ iamOnly }"})
    headers = _signed_headers(runtime, body)
    status, _, _ = await post_raw(runtime.url, body.replace("iamOnly", "whoami"), headers)
    assert status == 403
    unknown = {k: str(v) for k, v in _iam(runtime, key_id="AKIANOBODY").get_headers(
        body, {"content-type": "application/json"}).items()}
    status, h, _ = await post_raw(runtime.url, body, unknown)
    assert (status, h["x-amzn-errortype"]) == (403, "UnrecognizedClientException")
    # A captured request replayed later than the allowed skew window
    req = {"x-amz-date": headers["X-Amz-Date"], "host": runtime.host,
           "content-type": "application/json", "authorization": headers["Authorization"]}
    later = time.time() + 3600
    authn = runtime.authenticator
    authn._clock = lambda: later  # type: ignore[method-assign]
    try:
        with pytest.raises(AuthError) as exc:
            authn.authenticate_http(req, body.encode(), host=runtime.host)
    finally:
        authn._clock = time.time  # type: ignore[method-assign]
    assert exc.value.status == 403 and "Signature expired" in exc.value.message


def test_realtime_connect_and_start_forms(runtime: Runtime) -> None:
    # Given the exact headers gql's real-time transport builds
    iam = _iam(runtime)
    connect = iam.get_headers()  # POST https://{host}/graphql/connect, body "{}"
    data = json.dumps({"query": "subscription { onCreateTodo { id } }", "variables": {}})
    start = iam.get_headers(data)  # POST https://{host}/graphql, body = payload.data
    authn = runtime.authenticator
    # Then both verify in their own form ...
    ok = authn.authenticate_realtime(connect, body="{}", path="/graphql/connect")
    assert ok.mode is AuthMode.AWS_IAM and ok.identity and ok.identity["accountId"]
    assert authn.authenticate_realtime(start, body=data, path="/graphql").mode is AuthMode.AWS_IAM
    # ... and not in the other one
    with pytest.raises(AuthError):
        authn.authenticate_realtime(connect, body="{}", path="/graphql")
    with pytest.raises(AuthError):
        authn.authenticate_realtime(start, body=data + " ", path="/graphql")


def test_realtime_api_key_and_jwt_headers(runtime: Runtime) -> None:
    authn = runtime.authenticator
    ok = authn.authenticate_realtime({"host": runtime.host, "x-api-key": runtime.api_key},
                                     body="{}", path="/graphql/connect")
    assert ok.mode is AuthMode.API_KEY and ok.identity is None
    token = runtime.cognito.tokens("alice")["AccessToken"]
    ok = authn.authenticate_realtime({"host": runtime.host, "Authorization": token},
                                     body="{}", path="/graphql/connect", source_ip="10.0.0.1")
    assert ok.mode is AuthMode.AMAZON_COGNITO_USER_POOLS and ok.groups == ("admins",)
    assert ok.identity and ok.identity["sourceIp"] == ["10.0.0.1"]
    with pytest.raises(AuthError) as exc:
        authn.authenticate_realtime({"host": runtime.host, "x-api-key": runtime.expired_key},
                                    body="{}", path="/graphql/connect")
    assert exc.value.status == 401
