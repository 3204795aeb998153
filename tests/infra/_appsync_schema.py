"""schema.graphql as AppSync sees it: graphql-core plus the AWS scalars and directives."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, build_schema

# AppSync provides these; the deployed schema must not declare them (reference 3.1, 3.2).
PRELUDE = """
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_api_key on FIELD_DEFINITION | OBJECT
directive @aws_iam on FIELD_DEFINITION | OBJECT
directive @aws_oidc on FIELD_DEFINITION | OBJECT
directive @aws_lambda on FIELD_DEFINITION | OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String!]) on FIELD_DEFINITION | OBJECT
directive @aws_auth(cognito_groups: [String!]!) on FIELD_DEFINITION
"""

# Auth directive -> AppSync authentication type.
AUTH_DIRECTIVES = {
    "aws_api_key": "API_KEY",
    "aws_iam": "AWS_IAM",
    "aws_oidc": "OPENID_CONNECT",
    "aws_lambda": "AWS_LAMBDA",
    "aws_cognito_user_pools": "AMAZON_COGNITO_USER_POOLS",
    "aws_auth": "AMAZON_COGNITO_USER_POOLS",
}


@lru_cache(maxsize=1)
def load(path: str) -> GraphQLSchema:
    with open(path, encoding="utf-8") as handle:
        return build_schema(PRELUDE + handle.read())


def directive_names(node: Any) -> set[str]:
    return {d.name.value for d in (node.directives or ())} if node is not None else set()


def auth_modes(field: Any, parent: Any, default_mode: str) -> set[str]:
    """AppSync's rule: field directives replace the type's; none at all -> the default mode."""
    for node in (field.ast_node, parent.ast_node):
        modes = {AUTH_DIRECTIVES[d] for d in directive_names(node) if d in AUTH_DIRECTIVES}
        if modes:
            return modes
    return {default_mode}


def type_auth_modes(named_type: Any, default_mode: str) -> set[str]:
    modes = {
        AUTH_DIRECTIVES[d] for d in directive_names(named_type.ast_node) if d in AUTH_DIRECTIVES
    }
    return modes or {default_mode}


def root(operation_type: GraphQLObjectType | None) -> GraphQLObjectType:
    """schema.query_type / mutation_type / subscription_type, which this schema defines."""
    assert operation_type is not None, "schema.graphql must define Query, Mutation and Subscription"
    return operation_type
