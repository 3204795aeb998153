"""Subscription preparation (at ``start``) and per-subscriber rendering of published payloads."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.language import FragmentDefinitionNode, InlineFragmentNode

from .auth import AuthMode, RequestAuth
from .auth.rules import AuthRules
from .errors import (
    GraphQLRequestError,
    format_execution_error,
    locations,
    request_error,
    unauthorized,
)
from .validation_messages import variable_message

logger = logging.getLogger(__name__)


_NO_AUTH = RequestAuth(AuthMode.API_KEY, None)  # only when built without prepare_subscription


@dataclass(frozen=True)
class _RenderContext:
    auth: RequestAuth


class Renderer:
    """Executes a subscriber's selection over a published payload (no resolvers run)."""

    def __init__(self, schema: GraphQLSchema, rules: AuthRules) -> None:
        self._schema = schema
        self._rules = rules

    def _resolve(self, source: Any, info: GraphQLResolveInfo[Any], **_args: Any) -> Any:
        ctx: _RenderContext = info.context
        parent, name = info.parent_type.name, info.field_name
        # The subscriber's own mode must be allowed on each field it selected (ref. 3.3).
        if not self._rules.allows(parent, name, ctx.auth):
            raise unauthorized(name, parent)
        return source.get(name) if isinstance(source, Mapping) else None

    def render(self, sub: PreparedSubscription, payload: Any) -> dict[str, Any]:
        result = execute_sync(
            self._schema, sub.document, root_value={sub.field_name: payload},
            context_value=_RenderContext(sub.auth or _NO_AUTH), variable_values=sub.variables,
            operation_name=sub.operation_name, field_resolver=self._resolve)
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [format_execution_error(e, self._schema.type_map)
                             for e in result.errors]
        return out


@dataclass
class PreparedSubscription:
    field_name: str
    arguments: dict[str, Any]  # coerced argument values, for equality filtering
    mutations: tuple[str, ...]  # from @aws_subscribe
    document: DocumentNode
    variables: dict[str, Any]
    operation_name: str | None
    auth: RequestAuth | None = None
    _renderer: Renderer | None = field(default=None, repr=False, compare=False)

    def render(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The ``data`` message payload for this subscriber: its selection over ``payload``.

        Fields the mutation did not select come out null (non-null ones null their parent
        with an error), as on AppSync (reference 4.1).
        """
        assert self._renderer is not None
        return self._renderer.render(self, payload)


def select_operation(doc: DocumentNode, name: str | None) -> OperationDefinitionNode:
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(ops) == 1:
            return ops[0]
        raise GraphQLRequestError([request_error(
            "Must provide operation name if query contains multiple operations.")])
    for op in ops:
        if op.name is not None and op.name.value == name:
            return op
    raise GraphQLRequestError([request_error(f"Unknown operation named '{name}'.")])


def coerce_variables(schema: GraphQLSchema, op: OperationDefinitionNode,
                     variables: dict[str, Any]) -> Any:
    coerced = get_variable_values(schema, op.variable_definitions or (), variables)
    if isinstance(coerced, list):
        raise GraphQLRequestError([request_error(variable_message(e), e.locations)
                                   for e in coerced])
    return coerced


def root_field(op: OperationDefinitionNode,
               fragments: Mapping[str, FragmentDefinitionNode]) -> FieldNode:
    pending = list(op.selection_set.selections)
    while pending:
        sel = pending.pop(0)
        if isinstance(sel, FieldNode):
            return sel
        if isinstance(sel, InlineFragmentNode):
            pending[:0] = list(sel.selection_set.selections)
        else:
            frag = fragments.get(sel.name.value)  # type: ignore[attr-defined]
            if frag is not None:
                pending[:0] = list(frag.selection_set.selections)
    raise GraphQLRequestError([request_error("Subscription has no field")])


def subscription_parts(schema: GraphQLSchema, doc: DocumentNode, op: OperationDefinitionNode,
                       variables: dict[str, Any]) -> tuple[FieldNode, dict[str, Any],
                                                           dict[str, FragmentDefinitionNode]]:
    """The root field node, its coerced arguments, and the document's fragments."""
    if op.operation is not OperationType.SUBSCRIPTION:
        raise GraphQLRequestError([{
            "errorType": "UnsupportedOperation",
            "message": f"{op.operation.value.capitalize()} operations are not supported "
                       "through the realtime channel",
        }])
    fragments = {d.name.value: d for d in doc.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    coerced = coerce_variables(schema, op, variables)
    node = root_field(op, fragments)
    sub_type = schema.subscription_type
    assert sub_type is not None  # validation passed, so the schema has one
    try:
        args = get_argument_values(sub_type.fields[node.name.value], node, coerced)
    except GraphQLError as exc:
        raise GraphQLRequestError([request_error(exc.message, exc.locations)]) from exc
    return node, args, fragments


def unauthorized_start(node: FieldNode, type_name: str) -> GraphQLRequestError:
    return GraphQLRequestError([{
        "path": [node.name.value], "data": None, "errorType": "Unauthorized",
        "errorInfo": None, "locations": locations([node.loc.source.get_location(
            node.loc.start)] if node.loc else None),
        "message": f"Not Authorized to access {node.name.value} on type {type_name}",
    }])
