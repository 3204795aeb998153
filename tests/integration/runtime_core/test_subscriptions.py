"""Subscription preparation at `start` and per-subscriber rendering (engine side)."""

from __future__ import annotations

import pytest

from appsync_local.auth import AuthMode, RequestAuth
from appsync_local.engine import GraphQLRequestError

from .conftest import Runtime

API_KEY = RequestAuth(AuthMode.API_KEY, None)
COGNITO = RequestAuth(AuthMode.AMAZON_COGNITO_USER_POOLS, {"sub": "u1"}, ("admins",))


async def test_prepare_coerces_arguments_and_lists_mutations(runtime: Runtime) -> None:
    sub = await runtime.engine.prepare_subscription(
        {"query": "subscription S($id: ID) { onCreateTodo(id: $id) { id title } }",
         "variables": {"id": "42"}}, API_KEY, {"host": runtime.host})
    assert sub.field_name == "onCreateTodo"
    assert sub.arguments == {"id": "42"}  # omitted `title` is absent: it does not filter
    assert sub.mutations == ("createTodo", "publishTodo")


async def test_render_applies_the_subscriber_selection(runtime: Runtime) -> None:
    sub = await runtime.engine.prepare_subscription(
        {"query": "subscription { onCreateTodo { id name: title done owner { name } } }"},
        API_KEY, {})
    # Given a payload projected from a mutation that selected only id and title
    rendered = sub.render({"id": "1", "title": "hello"})
    # Then unselected fields come out null, aliases are the subscriber's own
    assert rendered == {"data": {"onCreateTodo": {"id": "1", "name": "hello", "done": None,
                                                  "owner": None}}}


async def test_render_non_null_field_missing_from_payload(runtime: Runtime) -> None:
    sub = await runtime.engine.prepare_subscription(
        {"query": "subscription { onCreateTodo { id title } }"}, API_KEY, {})
    rendered = sub.render({"id": "1"})  # the mutation did not select `title: String!`
    assert rendered["data"] == {"onCreateTodo": None}
    assert rendered["errors"][0]["message"] == (
        "Cannot return null for non-nullable type: 'String' within parent 'Todo' "
        "(/onCreateTodo/title)")
    assert rendered["errors"][0]["path"] == ["onCreateTodo", "title"]


async def test_render_checks_the_subscriber_mode_on_fields(runtime: Runtime) -> None:
    sub = await runtime.engine.prepare_subscription(
        {"query": "subscription { onCreateTodo { id secret } }"}, API_KEY, {})
    rendered = sub.render({"id": "1", "secret": "s"})
    assert rendered["data"] == {"onCreateTodo": {"id": "1", "secret": None}}
    assert rendered["errors"][0]["errorType"] == "Unauthorized"


async def test_subscription_field_auth(runtime: Runtime) -> None:
    with pytest.raises(GraphQLRequestError) as exc:
        await runtime.engine.prepare_subscription(
            {"query": "subscription { onGuarded { id } }"}, API_KEY, {})
    assert exc.value.errors[0]["errorType"] == "Unauthorized"
    assert exc.value.errors[0]["message"] == (
        "Not Authorized to access onGuarded on type Subscription")
    sub = await runtime.engine.prepare_subscription(
        {"query": "subscription { onGuarded { id } }"}, COGNITO, {})
    assert sub.mutations == ("createTodo",)


async def test_subscription_resolver_can_reject(runtime: Runtime) -> None:
    with pytest.raises(GraphQLRequestError) as exc:
        await runtime.engine.prepare_subscription(
            {"query": 'subscription { onCreateTodo(title: "forbidden") { id } }'}, API_KEY, {})
    assert exc.value.errors[0]["errorType"] == "Lambda:Unhandled"
    assert exc.value.errors[0]["message"] == "You may not watch forbidden todos"


async def test_non_subscription_and_invalid_documents(runtime: Runtime) -> None:
    with pytest.raises(GraphQLRequestError) as exc:
        await runtime.engine.prepare_subscription({"query": "{ boom }"}, API_KEY, {})
    assert exc.value.errors[0]["errorType"] == "UnsupportedOperation"
    with pytest.raises(GraphQLRequestError) as exc:
        await runtime.engine.prepare_subscription(
            {"query": "subscription { onCreateTodo { id _version } }"}, API_KEY, {})
    assert exc.value.errors[0]["message"] == (
        "Validation error of type FieldUndefined: Field '_version' in type 'Todo' is "
        "undefined @ 'onCreateTodo/_version'")
    with pytest.raises(GraphQLRequestError) as exc:
        await runtime.engine.prepare_subscription(
            {"query": "subscription S($id: ID!) { onCreateTodo(id: $id) { id } }"}, API_KEY, {})
    assert "coerced Null value" in exc.value.errors[0]["message"]
