"""AppSync's directive-based authorization rules (reference 3.3).

For each ``Type.field``: the field's own auth directives if it has any, else the
type's, else the API's default mode only. A field-level set *replaces* the type-level
set (no union), and the default mode is not implied once any directive is present.
``cognito_groups`` restricts Cognito callers to members of one of the listed groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLObjectType, GraphQLSchema

from ..schema import directive_args
from ._types import AuthMode, RequestAuth

_DIRECTIVE_MODES = {
    "aws_api_key": AuthMode.API_KEY,
    "aws_iam": AuthMode.AWS_IAM,
    "aws_oidc": AuthMode.OPENID_CONNECT,
    "aws_lambda": AuthMode.AWS_LAMBDA,
    "aws_cognito_user_pools": AuthMode.AMAZON_COGNITO_USER_POOLS,
    "aws_auth": AuthMode.AMAZON_COGNITO_USER_POOLS,
}


@dataclass(frozen=True)
class FieldRule:
    modes: frozenset[AuthMode]
    # None = any Cognito user; otherwise the caller must be in one of these groups.
    cognito_groups: frozenset[str] | None = None
    explicit: bool = True  # False when the rule is just "the default mode"


def _rule_from(node: object) -> FieldRule | None:
    modes: set[AuthMode] = set()
    groups: set[str] | None = None
    for name, mode in _DIRECTIVE_MODES.items():
        args = directive_args(node, name)
        if args is None:
            continue
        modes.add(mode)
        if args.get("cognito_groups"):
            groups = (groups or set()) | set(args["cognito_groups"])
    return FieldRule(frozenset(modes), frozenset(groups) if groups is not None else None) \
        if modes else None


class AuthRules:
    def __init__(self, schema: GraphQLSchema, default_mode: AuthMode) -> None:
        self.default_mode = default_mode
        self._default = FieldRule(frozenset({default_mode}), None, explicit=False)
        self._rules: dict[tuple[str, str], FieldRule] = {}
        for t in schema.type_map.values():
            if not isinstance(t, GraphQLObjectType) or t.name.startswith("__"):
                continue
            type_rule = _rule_from(t.ast_node)
            for fname, f in t.fields.items():
                self._rules[(t.name, fname)] = (_rule_from(f.ast_node) or type_rule
                                                or self._default)

    def rule(self, type_name: str, field_name: str) -> FieldRule:
        return self._rules.get((type_name, field_name), self._default)

    def allows(self, type_name: str, field_name: str, auth: RequestAuth) -> bool:
        rule = self._rules.get((type_name, field_name), self._default)
        if auth.mode not in rule.modes:
            return False
        if auth.mode is not AuthMode.AMAZON_COGNITO_USER_POOLS:
            return True
        if rule.cognito_groups is not None:
            return bool(rule.cognito_groups.intersection(auth.groups))
        # A default-pool DefaultAction of DENY only lets through fields whose directives
        # name the caller's groups; unrestricted fields are denied.
        return auth.default_action != "DENY"
