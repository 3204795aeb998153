"""AppSync schema building: the prelude AppSync injects, SDL restrictions, directive lookups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    ScalarTypeDefinitionNode,
    Source,
    TypeDefinitionNode,
    build_ast_schema,
    concat_ast,
    parse,
)
from graphql.language import ListValueNode, StringValueNode

from .scalars import AWS_SCALARS, install_aws_scalars

AWS_DIRECTIVES = (
    "aws_subscribe", "aws_api_key", "aws_iam", "aws_oidc", "aws_lambda",
    "aws_cognito_user_pools", "aws_auth", "aws_publish", "deprecated",
)

# Reference 3.1 / 3.2: AppSync provides these; deployed schemas must not declare them.
PRELUDE = "\n".join(f"scalar {name}" for name in AWS_SCALARS) + """
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String!]!) on FIELD_DEFINITION
directive @aws_publish(subscriptions: [String!]!) on FIELD_DEFINITION
"""


class SchemaError(ValueError):
    """The schema is not one AppSync would accept."""


def build_appsync_schema(sdl: str, *, source_name: str = "schema.graphql") -> GraphQLSchema:
    """Build an executable schema from an AppSync SDL document.

    Raises
    ------
    SchemaError
        Syntax errors, custom scalars, ``AWS``-prefixed types, redeclared AppSync
        directives, or an ``@aws_subscribe`` naming a missing mutation.
    """
    try:
        user_doc = parse(Source(sdl, source_name))
    except GraphQLError as exc:
        raise SchemaError(f"{source_name}: {exc.message} {_loc(exc)}") from exc
    _check_sdl(user_doc, source_name)
    try:
        schema = build_ast_schema(concat_ast([parse(Source(PRELUDE, "appsync-prelude")),
                                              user_doc]))
    except (GraphQLError, TypeError) as exc:
        raise SchemaError(f"{source_name}: {exc}") from exc
    install_aws_scalars(schema.type_map)
    _check_subscriptions(schema)
    return schema


def _loc(exc: GraphQLError) -> str:
    locs = exc.locations or []
    return f"(line {locs[0].line}, column {locs[0].column})" if locs else ""


def _check_sdl(doc: DocumentNode, source_name: str) -> None:
    for node in doc.definitions:
        if isinstance(node, ScalarTypeDefinitionNode):
            raise SchemaError(
                f"{source_name}: custom scalar '{node.name.value}' is not supported by AppSync; "
                f"use one of the built-in or AWS scalars ({', '.join(AWS_SCALARS)})")
        if isinstance(node, TypeDefinitionNode) and node.name.value.startswith("AWS"):
            raise SchemaError(f"{source_name}: type name '{node.name.value}' is reserved: "
                              "AppSync does not allow names starting with 'AWS'")
        if isinstance(node, DirectiveDefinitionNode) and node.name.value in AWS_DIRECTIVES:
            raise SchemaError(f"{source_name}: directive @{node.name.value} is provided by "
                              "AppSync; remove its declaration")


def directive_args(node: Any, name: str) -> dict[str, Any] | None:
    """Arguments of directive ``@name`` on an SDL node (string lists only), or None."""
    for d in getattr(node, "directives", None) or ():
        if d.name.value == name:
            out: dict[str, Any] = {}
            for arg in d.arguments or ():
                v = arg.value
                if isinstance(v, ListValueNode):
                    out[arg.name.value] = [x.value for x in v.values
                                           if isinstance(x, StringValueNode)]
                elif isinstance(v, StringValueNode):
                    out[arg.name.value] = [v.value]
            return out
    return None


def subscription_mutations(schema: GraphQLSchema) -> dict[str, tuple[str, ...]]:
    """``{subscription field: mutations listed in its @aws_subscribe}``."""
    sub = schema.subscription_type
    out: dict[str, tuple[str, ...]] = {}
    for name, f in (sub.fields.items() if sub else ()):
        args = directive_args(f.ast_node, "aws_subscribe")
        if args is not None:
            out[name] = tuple(args.get("mutations", ()))
    return out


def published_mutations(schema: GraphQLSchema) -> frozenset[str]:
    return frozenset(m for ms in subscription_mutations(schema).values() for m in ms)


def _check_subscriptions(schema: GraphQLSchema) -> None:
    mutation = schema.mutation_type
    names: Mapping[str, GraphQLField] = mutation.fields if mutation else {}
    for field, mutations in subscription_mutations(schema).items():
        bad = [m for m in mutations if m not in names]
        if bad:
            # AppSync's deploy-time wording (reference 3.4).
            raise SchemaError(f"The mutations argument on the aws_subscribe directive has an "
                              f"invalid value: Subscription.{field} names {bad}")


def root_type_names(schema: GraphQLSchema) -> frozenset[str]:
    roots: list[GraphQLObjectType | None] = [
        schema.query_type, schema.mutation_type, schema.subscription_type]
    return frozenset(t.name for t in roots if t is not None)
