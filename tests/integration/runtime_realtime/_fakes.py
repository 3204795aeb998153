"""A small fake of core's Engine port (DESIGN.md), so the protocol layer is tested on its own.

It does what the real engine promises for subscriptions, with graphql-core directly:
parse + validate, reject non-subscriptions with UnsupportedOperation, coerce arguments,
read @aws_subscribe, and render a subscriber's selection over a published payload.
It counts prepares and renders so tests can check the hub's grouping.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    build_schema,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values, get_variable_values

from appsync_local.realtime.ports import GraphQLRequestError, MutationListener, RequestAuth

FIXTURES = Path(__file__).parent / "fixtures"
_DIRECTIVES = """
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT
"""


def load_schema(name: str = "events.graphql") -> GraphQLSchema:
    return build_schema(_DIRECTIVES + (FIXTURES / name).read_text())


@dataclass
class FakePrepared:
    schema: GraphQLSchema
    document: DocumentNode
    variables: dict[str, Any]
    operation_name: str | None
    field_name: str
    arguments: dict[str, Any]
    mutations: tuple[str, ...]
    engine: FakeEngine

    def render(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.engine.render_calls += 1
        result = execute_sync(
            self.schema,
            self.document,
            root_value={self.field_name: payload},
            variable_values=self.variables,
            operation_name=self.operation_name,
        )
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [{"message": e.message, "path": e.path} for e in result.errors]
        return out


@dataclass
class FakeEngine:
    schema: GraphQLSchema = field(default_factory=load_schema)
    listeners: list[MutationListener] = field(default_factory=list)
    prepare_calls: int = 0
    render_calls: int = 0
    auth_seen: list[RequestAuth] = field(default_factory=list)
    headers_seen: list[Mapping[str, str]] = field(default_factory=list)
    # When set, prepare_subscription waits for it (tests of stop-while-preparing).
    gate: asyncio.Event | None = None

    def add_mutation_listener(self, cb: MutationListener) -> None:
        self.listeners.append(cb)

    async def publish(self, field_name: str, payload: dict[str, Any]) -> None:
        for cb in self.listeners:
            result = cb(field_name, payload)
            if inspect.isawaitable(result):
                await result

    async def prepare_subscription(
        self, data: dict[str, Any], auth: RequestAuth, headers: Mapping[str, str]
    ) -> FakePrepared:
        self.prepare_calls += 1
        self.auth_seen.append(auth)
        self.headers_seen.append(headers)
        if self.gate is not None:
            await self.gate.wait()
        try:
            document = parse(data["query"])
        except GraphQLError as exc:
            raise GraphQLRequestError([{"message": exc.message}]) from exc
        problems = validate(self.schema, document)
        if problems:
            raise GraphQLRequestError([{"message": e.message} for e in problems])
        operation = get_operation_ast(document, data.get("operationName"))
        if operation is None:
            raise GraphQLRequestError([{"message": "Unknown operation"}])
        if operation.operation is not OperationType.SUBSCRIPTION:
            raise GraphQLRequestError(
                [
                    {
                        "errorType": "UnsupportedOperation",
                        "message": f"{operation.operation.value.capitalize()} operations "
                        "not supported through the realtime channel",
                    }
                ]
            )
        variables = get_variable_values(
            self.schema, operation.variable_definitions or (), data.get("variables") or {}
        )
        if isinstance(variables, list):
            raise GraphQLRequestError([{"message": e.message} for e in variables])
        node = operation.selection_set.selections[0]
        assert isinstance(node, FieldNode)
        subscription_type = self.schema.subscription_type
        assert subscription_type is not None
        definition = subscription_type.fields[node.name.value]
        return FakePrepared(
            schema=self.schema,
            document=document,
            variables=data.get("variables") or {},
            operation_name=data.get("operationName"),
            field_name=node.name.value,
            arguments=get_argument_values(definition, node, variables),
            mutations=_subscribed_mutations(definition),
            engine=self,
        )


def _subscribed_mutations(definition: Any) -> tuple[str, ...]:
    for directive in definition.ast_node.directives:
        if directive.name.value == "aws_subscribe":
            values = directive.arguments[0].value.values
            return tuple(v.value for v in values)
    return ()
