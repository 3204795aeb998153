"""graphql-core's validation/coercion messages reworded the way AppSync (graphql-java) words them.

Only the common kinds are mapped (reference section 2); anything else keeps
graphql-core's message, which is still a correct description of the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, Node
from graphql.language import (
    ArgumentNode,
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    VariableNode,
)

_PREFIX = "Validation error of type"


def _java_value(v: Any) -> str:
    """graphql-java's ``toString`` of a literal, as it appears in WrongType messages."""
    if isinstance(v, StringValueNode):
        return f"StringValue{{value='{v.value}'}}"
    if isinstance(v, IntValueNode):
        return f"IntValue{{value={v.value}}}"
    if isinstance(v, FloatValueNode):
        return f"FloatValue{{value={v.value}}}"
    if isinstance(v, BooleanValueNode):
        return f"BooleanValue{{value={str(v.value).lower()}}}"
    if isinstance(v, EnumValueNode):
        return f"EnumValue{{name='{v.value}'}}"
    if isinstance(v, NullValueNode):
        return "NullValue{}"
    if isinstance(v, VariableNode):
        return f"VariableReference{{name='{v.name.value}'}}"
    if isinstance(v, ListValueNode):
        return "ArrayValue{values=[" + ", ".join(_java_value(x) for x in v.values) + "]}"
    if isinstance(v, ObjectValueNode):
        fields = ", ".join(f"ObjectField{{name='{f.name.value}', value={_java_value(f.value)}}}"
                           for f in v.fields)
        return f"ObjectValue{{objectFields=[{fields}]}}"
    return str(v)


class NodeIndex:
    """Where each AST node sits: its enclosing field path and, for values, the argument."""

    def __init__(self, doc: DocumentNode) -> None:
        self.paths: dict[int, str] = {}
        self.args: dict[int, ArgumentNode] = {}
        for d in doc.definitions:
            if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode):
                self._walk(d, [], None)

    def _walk(self, node: Any, path: list[str], arg: ArgumentNode | None) -> None:
        if isinstance(node, FieldNode):
            path = [*path, node.name.value]
        if isinstance(node, ArgumentNode):
            arg = node
        self.paths[id(node)] = "/".join(path)
        if arg is not None:
            self.args[id(node)] = arg
        for key in node.keys:
            child = getattr(node, key, None)
            if isinstance(child, Node) and key != "loc":
                self._walk(child, path, arg)
            elif isinstance(child, tuple | list):
                for c in child:
                    if isinstance(c, Node):
                        self._walk(c, path, arg)

    def at(self, node: Node | None) -> str:
        p = self.paths.get(id(node), "") if node is not None else ""
        return f" @ '{p}'" if p else ""


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], GraphQLError, NodeIndex], str]]


def _first(err: GraphQLError) -> Node | None:
    return err.nodes[0] if err.nodes else None


def _wrong_type(expected: str, err: GraphQLError, idx: NodeIndex) -> str:
    node = _first(err)
    arg = idx.args.get(id(node)) if node is not None else None
    if arg is None:
        return f"{_PREFIX} WrongType: {err.message}"
    return (f"{_PREFIX} WrongType: argument '{arg.name.value}' with value "
            f"'{_java_value(arg.value)}' is not a valid '{expected}'{idx.at(node)}")


_RULES: list[_Rule] = [
    (re.compile(r"^Cannot query field '(?P<f>\w+)' on type '(?P<t>\w+)'\."),
     lambda m, e, i: f"{_PREFIX} FieldUndefined: Field '{m['f']}' in type '{m['t']}' is "
                     f"undefined{i.at(_first(e))}"),
    (re.compile(r"^(?:Argument '[\w.]+\((?P<a>\w+):\)'|Field '\w+' argument '(?P<b>\w+)') "
                r"of type '.+' is required"),
     lambda m, e, i: f"{_PREFIX} MissingFieldArgument: Missing field argument "
                     f"{m['a'] or m['b']}{i.at(_first(e))}"),
    (re.compile(r"^Unknown argument '(?P<a>\w+)' on field"),
     lambda m, e, i: f"{_PREFIX} UnknownArgument: Unknown field argument {m['a']}"
                     f"{i.at(_first(e))}"),
    (re.compile(r"^Unknown type '(?P<t>\w+)'\."),
     lambda m, e, i: f"{_PREFIX} UnknownType: Unknown type {m['t']}"),
    (re.compile(r"^Field '(?P<f>\w+)' of type '(?P<t>[^']+)' must have a selection"),
     lambda m, e, i: f"{_PREFIX} SubSelectionRequired: Sub selection required for type "
                     f"{m['t'].strip('[]!')} of field {m['f']}{i.at(_first(e))}"),
    (re.compile(r"^Field '(?P<f>\w+)' must not have a selection since type '(?P<t>[^']+)'"),
     lambda m, e, i: f"{_PREFIX} SubSelectionNotAllowed: Sub selection not allowed on leaf "
                     f"type {m['t']} of field {m['f']}{i.at(_first(e))}"),
    (re.compile(r"^Variable '\$(?P<v>\w+)' is never used"),
     lambda m, e, i: f"{_PREFIX} UnusedVariable: Unused variable {m['v']}"),
    (re.compile(r"^Variable '\$(?P<v>\w+)' is not defined"),
     lambda m, e, i: f"{_PREFIX} UndefinedVariable: Undefined variable {m['v']}"
                     f"{i.at(_first(e))}"),
    (re.compile(r"^Variable '\$(?P<v>\w+)' of type '(?P<t>[^']+)' used in position expecting "
                r"type '(?P<x>[^']+)'"),
     lambda m, e, i: f"{_PREFIX} VariableTypeMismatch: Variable type '{m['t']}' doesn't match "
                     f"expected type '{m['x']}'{i.at(e.nodes[-1] if e.nodes else None)}"),
    (re.compile(r"^Unknown fragment '(?P<f>\w+)'"),
     lambda m, e, i: f"{_PREFIX} UndefinedFragment: Undefined fragment {m['f']}"
                     f"{i.at(_first(e))}"),
    (re.compile(r"^Fragment '(?P<f>\w+)' is never used"),
     lambda m, e, i: f"{_PREFIX} UnusedFragment: Unused fragment {m['f']}"),
    (re.compile(r"^Unknown directive '@(?P<d>\w+)'"),
     lambda m, e, i: f"{_PREFIX} UnknownDirective: Unknown directive {m['d']}"
                     f"{i.at(_first(e))}"),
    (re.compile(r"^(?:Expected value of type '(?P<type>[^']+)'|(?P<t2>\w+) cannot represent)"),
     lambda m, e, i: _wrong_type(m["type"] or m["t2"], e, i)),
    (re.compile(r"^Value '\w+' does not exist in '(?P<type>\w+)' enum"),
     lambda m, e, i: _wrong_type(m["type"], e, i)),
]


def validation_message(err: GraphQLError, idx: NodeIndex) -> str:
    for pattern, fmt in _RULES:
        m = pattern.match(err.message)
        if m is not None:
            return fmt(m, err, idx)
    return err.message


_SYNTAX = re.compile(r"^Syntax Error: .*?(?:found|Unexpected) (?P<tok>.+?)\.?$")


def syntax_message(err: GraphQLError) -> str:
    """graphql-java's wording for parse errors: ``Invalid Syntax : offending token ...``."""
    m = _SYNTAX.match(err.message)
    tok = m["tok"].strip("'\"") if m else "?"
    tok = "<EOF>" if tok == "<EOF>" else tok
    loc = err.locations[0] if err.locations else None
    where = f" at line {loc.line} column {loc.column}" if loc else ""
    return f"Invalid Syntax : offending token '{tok}'{where}"


_VAR_NULL = re.compile(
    r"^Variable '\$(?P<v>\w+)' (?:of (?:required|non-null) type '(?P<t>[^']+)' "
    r"(?:was not provided|must not be null)|has invalid value: Expected (?:a )?value of "
    r"non-null type '(?P<t2>[^']+)' (?:to be provided|not to be None))")
_VAR_INVALID = re.compile(r"^Variable '\$(?P<v>\w+)' (?:has|got) invalid value(?::| )\s*(?P<r>.*)$",
                          re.S)
_ENCOUNTERED = re.compile(r"encountered error '(?P<e>.*)'; found")


def variable_message(err: GraphQLError) -> str:
    m = _VAR_NULL.match(err.message)
    if m is not None:
        # Reference section 2 (aws/aws-appsync-community#322).
        return (f"Variable '{m['v']}' has coerced Null value for NonNull type "
                f"'{m['t'] or m['t2']}'")
    m = _VAR_INVALID.match(err.message)
    if m is not None:
        inner = _ENCOUNTERED.search(m["r"])
        return f"Variable '{m['v']}' has an invalid value: {inner['e'] if inner else m['r']}"
    return err.message
