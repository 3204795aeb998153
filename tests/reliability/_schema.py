"""schema.graphql as data: root fields, their auth directives, documents built from it.

Everything the suites send is generated from the schema file, so a field added by a
colleague is fuzzed and put through the auth matrix without anyone touching the suites
(and the auth matrix then *fails* until its table says who may call the new field).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    get_named_type,
)

from appsync_local.schema import build_appsync_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "schema.graphql"
ROOT_KINDS = {"Query": "query", "Mutation": "mutation", "Subscription": "subscription"}

# The API's default mode (infra/template.yaml: AuthenticationType) and the modes the
# aws_* directives name (reference 3.2).
DEFAULT_MODE = "COGNITO"
DIRECTIVE_MODES = {
    "aws_api_key": "API_KEY",
    "aws_iam": "IAM",
    "aws_cognito_user_pools": "COGNITO",
    "aws_auth": "COGNITO",
    "aws_oidc": "OIDC",
    "aws_lambda": "LAMBDA",
}


@functools.cache
def schema() -> GraphQLSchema:
    return build_appsync_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RootField:
    type_name: str  # Query / Mutation / Subscription
    name: str
    field: GraphQLField

    @property
    def key(self) -> str:
        return f"{self.type_name}.{self.name}"

    @property
    def kind(self) -> str:
        return ROOT_KINDS[self.type_name]


def root_fields(*type_names: str) -> list[RootField]:
    s = schema()
    out = []
    for type_name in type_names or tuple(ROOT_KINDS):
        root = s.get_type(type_name)
        if isinstance(root, GraphQLObjectType):
            out.extend(RootField(type_name, name, f) for name, f in root.fields.items())
    return out


@dataclass(frozen=True)
class AuthRule:
    """Which modes may resolve a field, per AppSync's rule (reference 3.3): the field's own
    auth directives replace the type's; with neither, the default mode alone."""

    modes: frozenset[str]
    cognito_groups: frozenset[str] | None = None

    def allows(self, mode: str, groups: frozenset[str] = frozenset()) -> bool:
        if mode not in self.modes:
            return False
        if mode == "COGNITO" and self.cognito_groups is not None:
            return bool(self.cognito_groups & groups)
        return True


def _directives_rule(node: Any) -> AuthRule | None:
    if node is None:
        return None
    modes: set[str] = set()
    groups: set[str] | None = None
    for directive in node.directives or ():
        mode = DIRECTIVE_MODES.get(directive.name.value)
        if mode is None:
            continue
        modes.add(mode)
        for arg in directive.arguments or ():
            if arg.name.value == "cognito_groups":
                groups = (groups or set()) | {v.value for v in arg.value.values}
    if not modes:
        return None
    return AuthRule(frozenset(modes), frozenset(groups) if groups is not None else None)


def auth_rule(type_name: str, field_name: str) -> AuthRule:
    parent = schema().get_type(type_name)
    assert isinstance(parent, GraphQLObjectType)
    return (_directives_rule(parent.fields[field_name].ast_node)
            or _directives_rule(parent.ast_node)
            or AuthRule(frozenset({DEFAULT_MODE})))


# ------------------------------------------------------------------ documents
def full_selection(gtype: GraphQLType, depth: int = 3) -> str:
    """Every field of the returned type, nested objects down to ``depth``."""
    named = get_named_type(gtype)
    if not isinstance(named, GraphQLObjectType):
        return ""
    parts = []
    for name, f in named.fields.items():
        inner = get_named_type(f.type)
        if isinstance(inner, GraphQLObjectType):
            if depth > 1:
                parts.append(f"{name} {full_selection(f.type, depth - 1)}")
        else:
            parts.append(name)
    return "{ " + " ".join(parts) + " }"


def selected_pairs(gtype: GraphQLType, depth: int = 3) -> Iterator[tuple[str, str]]:
    """(type, field) of every field ``full_selection`` selects (each is auth-checked)."""
    named = get_named_type(gtype)
    if not isinstance(named, GraphQLObjectType):
        return
    for name, f in named.fields.items():
        inner = get_named_type(f.type)
        if isinstance(inner, GraphQLObjectType):
            if depth > 1:
                yield named.name, name
                yield from selected_pairs(f.type, depth - 1)
        else:
            yield named.name, name


def document(root: RootField, args: dict[str, Any], depth: int = 3) -> str:
    """An operation calling ``root`` with every given argument passed as a variable."""
    decls = ", ".join(f"${name}: {root.field.args[name].type}" for name in args)
    call = ", ".join(f"{name}: ${name}" for name in args)
    head = f"{root.kind} Op" + (f"({decls})" if decls else "")
    field = root.name + (f"({call})" if call else "")
    return f"{head} {{ {field} {full_selection(root.field.type, depth)} }}"


# ------------------------------------------------------------------ values
SCALAR_SAMPLES: dict[str, Any] = {
    "ID": "rel-sample-id",
    "String": "sample",
    "Int": 1,
    "Float": 0.5,
    "Boolean": False,
    "AWSDateTime": "2024-01-01T00:00:00.000Z",
    "AWSDate": "2024-01-01",
    "AWSTime": "12:00:00",
    "AWSTimestamp": 1_700_000_000_000,
    "AWSJSON": "{}",
    "AWSEmail": "someone@example.com",
    "AWSURL": "https://example.com/",
    "AWSPhone": "+1 206 555 0100",
    "AWSIPAddress": "127.0.0.1",
}


def sample_value(gtype: GraphQLType, overrides: dict[str, Any] | None = None) -> Any:
    """A valid value of an input type: required fields filled, optional ones left out."""
    if isinstance(gtype, GraphQLNonNull):
        return sample_value(gtype.of_type, overrides)
    if isinstance(gtype, GraphQLList):
        return []
    if isinstance(gtype, GraphQLEnumType):
        return next(iter(gtype.values))
    if isinstance(gtype, GraphQLScalarType):
        return SCALAR_SAMPLES[gtype.name]
    if isinstance(gtype, GraphQLInputObjectType):
        out = {}
        for name, f in gtype.fields.items():
            if overrides and name in overrides:
                out[name] = overrides[name]
            elif isinstance(f.type, GraphQLNonNull):
                out[name] = sample_value(f.type, overrides)
        return out
    raise TypeError(f"not an input type: {gtype}")


def sample_args(root: RootField, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Required arguments with valid sample values. ``overrides`` is by name at any level:
    a top-level argument or an input-object field of that name takes the given value
    (optional ones are added when named)."""
    overrides = overrides or {}
    out: dict[str, Any] = {}
    for name, arg in root.field.args.items():
        if name in overrides:
            out[name] = overrides[name]
        elif isinstance(arg.type, GraphQLNonNull):
            out[name] = sample_value(arg.type, overrides)
    return out
