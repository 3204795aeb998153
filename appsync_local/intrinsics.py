"""CloudFormation intrinsic functions evaluated locally (Ref, GetAtt, Sub, Join, If, ...).

Resource references are answered by callables the template loader supplies, so this
module knows nothing about resource types.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

NO_VALUE = object()  # AWS::NoValue: the enclosing key / list item disappears
_SUB_RE = re.compile(r"\$\{([^}]+)\}")


class TemplateError(ValueError):
    """The template cannot be interpreted locally."""


@dataclass
class IntrinsicContext:
    region: str
    account_id: str
    stack_name: str
    parameters: dict[str, Any]
    ref: Callable[[str], Any]  # logical id -> Ref value
    get_att: Callable[[str, str], Any]  # (logical id, attribute) -> value
    conditions: Mapping[str, Any] = field(default_factory=dict)  # raw condition definitions
    mappings: Mapping[str, Any] = field(default_factory=dict)
    _condition_cache: dict[str, bool] = field(default_factory=dict)

    def pseudo(self, name: str) -> Any:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/"
                            f"{self.stack_name}/00000000-0000-0000-0000-000000000000",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
            "AWS::NotificationARNs": [],
        }.get(name, NO_VALUE) if name.startswith("AWS::") else NO_VALUE

    def condition(self, name: str) -> bool:
        if name not in self._condition_cache:
            if name not in self.conditions:
                raise TemplateError(f"unknown condition {name!r}")
            self._condition_cache[name] = bool(resolve(self.conditions[name], self))
        return self._condition_cache[name]


def resolve(value: Any, ctx: IntrinsicContext) -> Any:
    """Evaluate every intrinsic inside ``value`` (recursively)."""
    if isinstance(value, list):
        items = [resolve(v, ctx) for v in value]
        return [v for v in items if v is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        fn = _FUNCTIONS.get(key)
        if fn is not None:
            return fn(arg, ctx)
    out = {}
    for k, v in value.items():
        r = resolve(v, ctx)
        if r is not NO_VALUE:
            out[k] = r
    return out


def _ref(arg: Any, ctx: IntrinsicContext) -> Any:
    name = resolve(arg, ctx)
    if name in ctx.parameters:
        return ctx.parameters[name]
    if isinstance(name, str) and name.startswith("AWS::"):
        return ctx.pseudo(name)
    return ctx.ref(name)


def _get_att(arg: Any, ctx: IntrinsicContext) -> Any:
    if isinstance(arg, str):
        logical, _, attr = arg.partition(".")
    else:
        logical, attr = resolve(arg[0], ctx), resolve(arg[1], ctx)
    return ctx.get_att(logical, attr)


def _sub(arg: Any, ctx: IntrinsicContext) -> Any:
    if isinstance(arg, list):
        text, variables = arg[0], resolve(arg[1], ctx) if len(arg) > 1 else {}
    else:
        text, variables = arg, {}

    def replace(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr.startswith("!"):  # ${!Literal} escapes to ${Literal}
            return "${" + expr[1:] + "}"
        if expr in variables:
            return str(variables[expr])
        if "." in expr and not expr.startswith("AWS::"):
            logical, _, attr = expr.partition(".")
            return str(ctx.get_att(logical, attr))
        return str(_ref(expr, ctx))

    return _SUB_RE.sub(replace, resolve(text, ctx))


def _join(arg: Any, ctx: IntrinsicContext) -> Any:
    sep, items = arg[0], resolve(arg[1], ctx)
    return str(sep).join(str(i) for i in items)


def _select(arg: Any, ctx: IntrinsicContext) -> Any:
    return resolve(arg[1], ctx)[int(resolve(arg[0], ctx))]


def _split(arg: Any, ctx: IntrinsicContext) -> Any:
    return str(resolve(arg[1], ctx)).split(arg[0])


def _if(arg: Any, ctx: IntrinsicContext) -> Any:
    name, when_true, when_false = arg
    return resolve(when_true if ctx.condition(name) else when_false, ctx)


def _equals(arg: Any, ctx: IntrinsicContext) -> Any:
    a, b = (resolve(x, ctx) for x in arg)
    return str(a) == str(b)


def _find_in_map(arg: Any, ctx: IntrinsicContext) -> Any:
    m, k1, k2 = (resolve(x, ctx) for x in arg)
    try:
        return ctx.mappings[m][k1][k2]
    except KeyError:
        raise TemplateError(f"Fn::FindInMap: no {m}/{k1}/{k2}") from None


def _unsupported(name: str) -> Callable[[Any, IntrinsicContext], Any]:
    def fn(arg: Any, ctx: IntrinsicContext) -> Any:
        raise TemplateError(f"{name} is not supported by the local runtime")

    return fn


_FUNCTIONS: dict[str, Callable[[Any, IntrinsicContext], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::Not": lambda a, c: not bool(resolve(a[0], c)),
    "Fn::And": lambda a, c: all(bool(resolve(x, c)) for x in a),
    "Fn::Or": lambda a, c: any(bool(resolve(x, c)) for x in a),
    "Condition": lambda a, c: c.condition(a),
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": lambda a, c: base64.b64encode(str(resolve(a, c)).encode()).decode(),
    "Fn::GetAZs": lambda a, c: [f"{c.region}a", f"{c.region}b", f"{c.region}c"],
    "Fn::ImportValue": _unsupported("Fn::ImportValue"),
}


class CfnLoader(yaml.SafeLoader):  # type: ignore[misc,unused-ignore]
    """YAML loader understanding the CloudFormation short forms (``!Ref``, ``!GetAtt``...)."""


# CloudFormation keeps `2010-09-09` (AWSTemplateFormatVersion) and similar as strings.
CfnLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct(tag: str, node: yaml.Node, loader: CfnLoader) -> Any:
    name = "Ref" if tag == "Ref" else ("Condition" if tag == "Condition" else f"Fn::{tag}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag == "GetAtt":
            logical, _, attr = str(value).partition(".")
            value = [logical, attr]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - YAML has no other node kinds
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node for !{name}")
    return {name: value}



def _tagged(tag: str, loader: CfnLoader, node: yaml.Node) -> Any:
    return _construct(tag, node, loader)


for _tag in ("Ref", "Condition", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals",
             "Not", "And", "Or", "FindInMap", "Base64", "GetAZs", "ImportValue", "Cidr"):
    CfnLoader.add_constructor(f"!{_tag}", functools.partial(_tagged, _tag))
