"""Direct Lambda resolvers run by the worker pool: event, context, errors, batching, isolation."""

from __future__ import annotations

import json
import os
import time

import pytest
from gql.transport.appsync_auth import AppSyncApiKeyAuthentication
from gql.transport.exceptions import TransportQueryError

from ._client import gql_execute, post_raw
from .conftest import Runtime


def _auth(runtime: Runtime) -> AppSyncApiKeyAuthentication:
    return AppSyncApiKeyAuthentication(host=runtime.host, api_key=runtime.api_key)


async def _errors(runtime: Runtime, query: str) -> tuple[dict, list[dict]]:  # type: ignore[type-arg]
    with pytest.raises(TransportQueryError) as exc:
        await gql_execute(runtime.url, _auth(runtime), query)
    return exc.value.data or {}, exc.value.errors or []


async def test_direct_lambda_event_shape(runtime: Runtime) -> None:
    # Given a query with variables, an alias and an inline fragment
    status, _, body = await post_raw(runtime.url, {
        "query": "query Q($n: Int) { lastEvent listTodos(limit: $n) { id } }",
        "variables": {"n": 1}},
        {"x-api-key": runtime.api_key, "X-Forwarded-For": "1.2.3.4", "X-Custom": "Yes"})
    assert status == 200
    event = json.loads(body["data"]["lastEvent"])
    # Then the handler received AppSync's context object (reference 5.1)
    assert set(event) == {"arguments", "identity", "source", "request", "prev", "info", "stash"}
    assert event["arguments"] == {} and event["identity"] is None and event["source"] is None
    assert event["prev"] is None and event["stash"] == {}
    assert event["request"]["domainName"] is None
    headers = event["request"]["headers"]
    assert headers["x-api-key"] == runtime.api_key and headers["x-custom"] == "Yes"
    assert all(k == k.lower() for k in headers)
    assert event["info"] == {"fieldName": "lastEvent", "parentTypeName": "Query",
                             "variables": {"n": 1}, "selectionSetList": [],
                             "selectionSetGraphQL": ""}


async def test_selection_set_and_source_for_nested_fields(runtime: Runtime) -> None:
    from graphql import parse

    from appsync_local.lambda_event import selection_set_graphql, selection_set_list

    doc = parse("{ getTodo(id: 1) { id t: title ... on Todo { done } owner { name } ...F } }"
                " fragment F on Todo { email }")
    field = doc.definitions[0].selection_set.selections[0]  # type: ignore[attr-defined]
    frags = {"F": doc.definitions[1]}
    assert selection_set_list([field], frags) == ["id", "t", "done", "owner", "owner/name",
                                                  "email"]
    assert selection_set_graphql([field]) == (
        "{\n  id\n  t: title\n  ... on Todo {\n    done\n  }\n  owner {\n    name\n  }\n"
        "  ...F\n}")


async def test_lambda_context_object(runtime: Runtime) -> None:
    result = await gql_execute(runtime.url, _auth(runtime), "{ contextInfo }")
    ctx = json.loads(result["contextInfo"])
    fn = runtime.engine.model.functions["TodoFunction"]
    assert ctx["function_name"] == fn.function_name
    assert ctx["function_version"] == "$LATEST"
    assert ctx["invoked_function_arn"] == fn.arn
    assert ctx["memory_limit_in_mb"] == "256"  # a string, as in the real Python runtime
    assert len(ctx["aws_request_id"]) == 36
    assert ctx["log_group_name"] == f"/aws/lambda/{fn.function_name}"
    assert "[$LATEST]" in ctx["log_stream_name"]
    assert 0 < ctx["remaining_ms"] <= 5000
    assert ctx["cwd"] == str(fn.code_uri)


async def test_unhandled_exception_becomes_lambda_unhandled(runtime: Runtime) -> None:
    data, errors = await _errors(runtime, "{ boom }")
    assert data == {"boom": None}
    assert errors[0]["errorType"] == "Lambda:Unhandled"
    assert errors[0]["message"] == "kaboom: the todo store is on fire"
    assert errors[0]["data"] is None and errors[0]["errorInfo"] is None
    data, errors = await _errors(runtime, 'mutation { failTodo(title: "x") { id } }')
    assert errors[0]["message"] == "cannot create 'x'"


async def test_unserializable_result_is_an_error(runtime: Runtime) -> None:
    _, errors = await _errors(runtime, "{ unserializable }")
    assert errors[0]["errorType"] == "Lambda:Unhandled"
    assert "Unable to marshal response" in errors[0]["message"]


async def test_timeout_kills_the_worker_and_the_next_call_works(runtime: Runtime) -> None:
    started = time.monotonic()
    _, errors = await _errors(runtime, "{ slow }")
    assert time.monotonic() - started < 2.5  # Timeout is 1 s; the handler sleeps 3 s
    assert errors[0]["errorType"] == "Lambda:Unhandled"
    assert errors[0]["message"].endswith("Task timed out after 1.00 seconds")
    result = await gql_execute(runtime.url, _auth(runtime), '{ envOther(name: "SECRET_B") }')
    assert result == {"envOther": "only-in-other"}


async def test_crashed_worker_is_reported_and_replaced(runtime: Runtime) -> None:
    _, errors = await _errors(runtime, "{ crash }")
    assert errors[0]["errorType"] == "Lambda:Unhandled"
    assert "Runtime exited" in errors[0]["message"]
    result = await gql_execute(runtime.url, _auth(runtime), '{ envOther(name: "SECRET_B") }')
    assert result == {"envOther": "only-in-other"}


async def test_batching_sends_one_list_event(runtime: Runtime) -> None:
    result = await gql_execute(runtime.url, _auth(runtime),
                               "{ listTodos(limit: 4) { id owner { id name } } }")
    owners = [t["owner"] for t in result["listTodos"]]
    # The batch handler saw all four sources in one invocation, answers in order
    assert owners == [{"id": f"o-{i}", "name": "batch of 4"} for i in range(4)]


async def test_batches_are_split_by_max_batch_size(runtime: Runtime) -> None:
    result = await gql_execute(runtime.url, _auth(runtime),
                               "{ listTodos(limit: 13) { owner { name } } }")
    names = [t["owner"]["name"] for t in result["listTodos"]]
    assert names == ["batch of 10"] * 10 + ["batch of 3"] * 3  # MaxBatchSize: 10


async def test_environment_is_per_function(runtime: Runtime) -> None:
    os.environ["APPSYNC_CORE_TEST_HOST_ONLY"] = "leak"
    try:
        q = ('{ a: envTodo(name: "SECRET_A") b: envTodo(name: "SECRET_B") '
             'c: envOther(name: "SECRET_A") d: envOther(name: "SECRET_B") '
             'e: envTodo(name: "APPSYNC_CORE_TEST_HOST_ONLY") f: envTodo(name: "SHARED") '
             'g: envTodo(name: "AWS_ENDPOINT_URL_DYNAMODB") h: envTodo(name: "POOL") '
             'i: envOther(name: "AWS_LAMBDA_FUNCTION_NAME") }')
        result = await gql_execute(runtime.url, _auth(runtime), q)
    finally:
        del os.environ["APPSYNC_CORE_TEST_HOST_ONLY"]
    assert result == {
        "a": "overridden-for-todo",  # --env-vars TodoFunction entry
        "b": None, "c": None, "d": "only-in-other",
        "e": None,  # nothing from the runtime's own environment
        "f": "from-parameters",  # --env-vars "Parameters" entry applies to all
        "g": "http://127.0.0.1:1",  # caller-supplied endpoint
        "h": runtime.cognito.pool_id,  # !Ref UserPool resolved to the physical id
        "i": "other-fn",
    }


async def test_none_data_source_echoes_arguments_and_publishes(runtime: Runtime) -> None:
    seen: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    runtime.engine.add_mutation_listener(lambda name, payload: seen.append((name, payload)))
    result = await gql_execute(runtime.url, _auth(runtime),
                               'mutation { p: publishTodo(id: "n1", title: "hello") '
                               "{ t: title id } }")
    assert result == {"p": {"t": "hello", "id": "n1"}}
    assert ("publishTodo", {"title": "hello", "id": "n1"}) in seen


async def test_mutation_payload_is_projected_to_its_selection(runtime: Runtime) -> None:
    seen: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    runtime.engine.add_mutation_listener(lambda name, payload: seen.append((name, payload)))
    await gql_execute(runtime.url, _auth(runtime),
                      'mutation { c: createTodo(title: "proj", meta: "{\\"a\\":1}") '
                      "{ id title meta owner { name } } }")
    (payload,) = [p for n, p in seen if n == "createTodo" and p.get("title") == "proj"]
    # Keyed by field name, only what the mutation selected (no createdAt, no done)
    assert set(payload) == {"id", "title", "meta", "owner"}
    assert payload["meta"] == '{"a":1}' and payload["owner"] == {"name": "batch of 1"}
    # A failed mutation publishes nothing
    before = len(seen)
    with pytest.raises(TransportQueryError):
        await gql_execute(runtime.url, _auth(runtime), 'mutation { failTodo(title: "z") { id } }')
    assert len(seen) == before


async def test_non_null_violation_uses_appsync_wording(runtime: Runtime) -> None:
    # badOutput returns createdAt "yesterday at noon": an invalid AWSDateTime from a Lambda
    data, errors = await _errors(runtime, "{ badOutput { id createdAt } }")
    assert data == {"badOutput": {"id": "1", "createdAt": None}}
    assert errors[0]["path"] == ["badOutput", "createdAt"]
    assert "Can't serialize value (/badOutput/createdAt)" in errors[0]["message"]


async def test_field_without_executable_resolver(runtime: Runtime) -> None:
    data, errors = await _errors(runtime, "{ noResolver }")
    assert data == {"noResolver": None}
    assert errors[0]["errorType"] == "UnsupportedOperation"
