"""HTTP endpoint with API keys: request-level 401s, shapes, validation wording, limits."""

from __future__ import annotations

import pytest
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication
from gql.transport.exceptions import TransportQueryError

from ._client import gql_execute, post_raw
from .conftest import CONFIG_KEY, Runtime


async def test_template_key_and_config_key_work_with_gql(runtime: Runtime) -> None:
    for key in (runtime.api_key, CONFIG_KEY):
        auth = AppSyncApiKeyAuthentication(host=runtime.host, api_key=key)
        result = await gql_execute(runtime.url, auth, 'query { getTodo(id: "7") { id title } }')
        assert result == {"getTodo": {"id": "7", "title": "todo 7"}}


async def test_missing_key_is_401_unauthorized(runtime: Runtime) -> None:
    status, _, body = await post_raw(runtime.url, {"query": "{ boom }"})
    assert status == 401
    assert body == {"errors": [{"errorType": "UnauthorizedException",
                                "message": "Missing authorization header"}]}


@pytest.mark.parametrize("which", ["expired", "unknown"])
async def test_expired_or_unknown_key_is_401(runtime: Runtime, which: str) -> None:
    key = runtime.expired_key if which == "expired" else "da2-notakey"
    status, _, body = await post_raw(runtime.url, {"query": "{ boom }"}, {"x-api-key": key})
    assert status == 401
    assert body == {"errors": [{"errorType": "UnauthorizedException",
                                "message": "You are not authorized to make this call."}]}
    # gql parses the JSON error body (as it does against AWS) and raises a query error
    auth = AppSyncApiKeyAuthentication(host=runtime.host, api_key=key)
    with pytest.raises(TransportQueryError) as exc:
        await gql_execute(runtime.url, auth, "{ boom }")
    assert exc.value.errors == body["errors"]


async def test_validation_errors_are_worded_like_appsync(runtime: Runtime) -> None:
    headers = {"x-api-key": runtime.api_key}
    cases = {
        '{ getTodo(id: "1") { id nope } }':
            "Validation error of type FieldUndefined: Field 'nope' in type 'Todo' is "
            "undefined @ 'getTodo/nope'",
        "{ getTodo { id } }":
            "Validation error of type MissingFieldArgument: Missing field argument id "
            "@ 'getTodo'",
        '{ listTodos(limit: "x") { id } }':
            "Validation error of type WrongType: argument 'limit' with value "
            "'StringValue{value='x'}' is not a valid 'Int' @ 'listTodos'",
        '{ getTodo(id: "1") }':
            "Validation error of type SubSelectionRequired: Sub selection required for type "
            "Todo of field getTodo @ 'getTodo'",
        "query Q($x: Nope) { boom }":
            "Validation error of type UnknownType: Unknown type Nope",
    }
    for query, message in cases.items():
        status, _, body = await post_raw(runtime.url, {"query": query}, headers)
        assert status == 200
        assert body["data"] is None
        (error,) = [e for e in body["errors"] if e["message"] == message] or [body["errors"]]
        assert error["path"] is None and "errorType" not in error
        assert error["locations"][0]["sourceName"] is None


async def test_variable_and_syntax_errors(runtime: Runtime) -> None:
    headers = {"x-api-key": runtime.api_key}
    _, _, body = await post_raw(runtime.url, {
        "query": "query G($id: ID!) { getTodo(id: $id) { id } }", "variables": {}}, headers)
    assert body["data"] is None
    assert body["errors"][0]["message"] == \
        "Variable 'id' has coerced Null value for NonNull type 'ID!'"
    _, _, body = await post_raw(runtime.url, {"query": "{ getTodo(id: 1) { id }"}, headers)
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith("Invalid Syntax : offending token '<EOF>'")


async def test_gql_raises_query_error_with_appsync_shape(runtime: Runtime) -> None:
    auth = AppSyncApiKeyAuthentication(host=runtime.host, api_key=runtime.api_key)
    with pytest.raises(TransportQueryError) as exc:
        await gql_execute(runtime.url, auth, "{ boom }")
    (error,) = exc.value.errors or []
    assert error["errorType"] == "Lambda:Unhandled"
    assert exc.value.data == {"boom": None}


async def test_subscription_over_http_is_refused(runtime: Runtime) -> None:
    status, _, body = await post_raw(runtime.url, {"query": "subscription { onCreateTodo { id } }"},
                                     {"x-api-key": runtime.api_key})
    assert status == 200 and body["data"] is None
    assert body["errors"][0]["errorType"] == "UnsupportedOperation"


async def test_malformed_and_oversized_bodies(runtime: Runtime) -> None:
    headers = {"x-api-key": runtime.api_key}
    # AppSync's published answers (graphql/graphql-over-http#81): 400s, with its wording
    unparsable = {"errors": [{"errorType": "MalformedHttpRequestException",
                              "message": "Unable to parse GraphQL query."}]}
    for raw in (b"{not json", b"meow", b"{}", b"{}}", b"[]", {"variables": {}},
                {"query": None}, {"query": ""}, {"query": 1}):
        status, _, body = await post_raw(runtime.url, raw, headers)
        assert (status, body) == (400, unparsable), raw
    status, _, body = await post_raw(runtime.url, b"", headers)
    assert (status, body) == (400, {"errors": [{"errorType": "MalformedHttpRequestException",
                                                "message": "Request body is empty."}]})
    status, _, body = await post_raw(runtime.url, {"query": "{ boom }" + " " * 300_000}, headers)
    assert status == 413 and "limit" in body["errors"][0]["message"]


async def test_trailing_slash_and_cors_preflight(runtime: Runtime) -> None:
    status, headers, body = await post_raw(runtime.url + "/",
                                           {"query": '{ getTodo(id: "1") { id } }'},
                                           {"x-api-key": runtime.api_key})
    assert status == 200 and body == {"data": {"getTodo": {"id": "1"}}}
    assert headers.get("x-amzn-requestid")
    import aiohttp

    async with aiohttp.ClientSession() as s, s.options(runtime.url) as resp:
        assert resp.status == 200
        assert resp.headers["access-control-allow-origin"] == "*"
