"""Hypothesis strategies for bad input, built from schema.graphql.

* ``graphql_bodies``: a root field of the schema (any, including fields added later),
  with a random selection (subsets, unknown fields, aliases, fragments, deep nesting),
  arguments as variables or literals whose values are right, wrong-typed, null, huge, full
  of control characters or of DynamoDB key separators, and unknown arguments.
* ``malformed_bodies``: bytes that are not a GraphQL request (broken/truncated JSON,
  other JSON types, wrong field types, oversized, deeply nested JSON).

Nothing is excluded: JSON nested past the runtime's 64-level limit and past Python's
recursion limit (DEFECT-1) and non-finite numbers - NaN, Infinity, 1e400 - (DEFECT-2) are
generated like any other input since both were fixed; test_known_defects.py keeps a
targeted regression test for each.
"""

from __future__ import annotations

import json
import string
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLType,
    get_named_type,
)
from hypothesis import strategies as st

from . import _schema

# Deepest JSON generated: beyond the runtime's limit (64) and Python's recursion limit (~1000),
# where DEFECT-1 used to answer 500 / close 1011.
MAX_JSON_DEPTH = 3000

CONTROL = "".join(chr(c) for c in [*range(0, 32), 127, *range(0x80, 0xA0)]) + "\u2028\u2029\ufeff"

# ------------------------------------------------------------------ values
nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=CONTROL, min_size=1, max_size=20),
    st.text(alphabet=string.printable + "#{}[]\"\\$@`'", max_size=60),
    st.sampled_from([
        "", " ", "ROOM#x", "ROOM#x#TAG#y", "MSG#01", "CLIENT#a", "USER#u", "__proto__",
        "' OR '1'='1", "{\"$ne\": null}", "<script>alert(1)</script>", "\ud800", "\udfff",
        "😀" * 10, "\u202e" + "evil", "a" * 64, "a" * 65, "null", "undefined", "NaN",
    ]),
    # huge: over every documented limit (text 2000, name 80), up to 200k characters
    st.integers(min_value=2001, max_value=200_000).map(lambda n: "x" * n),
)

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
# NaN/Infinity (json.dumps writes them; not RFC 8259 JSON) and a literal beyond a double:
# refused as malformed since DEFECT-2 was fixed.
any_floats = st.floats()
edge_ints = st.one_of(
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.sampled_from([0, -1, 1, 100, 101, 2**31 - 1, -(2**31), 2**31, 2**53, -(2**63), 2**64]),
)

json_values = st.recursive(
    st.none() | st.booleans() | edge_ints | any_floats | nasty_text,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


WORDS = ["lovely", "garden", "party", "sunny", "friends", "music", "coffee", "Paris", "Rome", "Tokyo", "happy", "great", "wonderful", "thanks", "hate", "stupid", "awful", "terrible", "idiot", "rain", "bonjour", "merci", "gracias", "danke", "東京", "café", "naïve", "😀", "#hashtag", "@user"]
sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=30).map(" ".join)
# The writes whose half-done state the table check would catch.
WRITES = ("postMessage", "editMessage", "deleteMessage", "joinRoom", "leaveRoom", "createRoom")
# Argument/input-field names whose plausible values reach deeper than random text does.
NAME_HINTS: dict[str, st.SearchStrategy[Any]] = {
    "clientId": st.one_of(st.uuids().map(lambda u: u.hex), st.uuids().map(str),
                          st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True)),
    "text": sentences,
    "name": sentences.map(lambda t: t[:80]),
    "description": sentences,
    "language": st.sampled_from(["en", "fr", "de", "es", "zh-TW", "xx", "EN", "en-GB"]),
    "preferredLanguage": st.sampled_from(["en", "fr", "de", "es", "zh-TW", "xx"]),
    "tag": st.sampled_from(WORDS),
    "username": st.sampled_from(["rel-member", "rel-outsider", "nobody"]),
    "negativityThreshold": st.floats(min_value=0.4, max_value=1.1),
    "limit": st.integers(-1, 101),
}


def typed_value(gtype: GraphQLType, known_ids: list[str], *, strict: bool = False,
                name: str | None = None) -> st.SearchStrategy[Any]:
    """Values of ``gtype``: ``strict`` ones always coerce (nasty only inside strings and
    numbers); otherwise sometimes null where not allowed, or anything at all."""
    typed = _typed(gtype, known_ids, 0, strict, name)
    return typed if strict else st.one_of(typed, json_values)


def _typed(gtype: GraphQLType, known: list[str], depth: int, strict: bool,
           name: str | None = None) -> st.SearchStrategy[Any]:
    if isinstance(gtype, GraphQLNonNull):
        inner = _typed(gtype.of_type, known, depth, strict, name)
        return inner if strict or not depth else st.one_of(inner, st.just(None))
    if isinstance(gtype, GraphQLList):
        return st.lists(_typed(gtype.of_type, known, depth + 1, strict, name), max_size=12)
    hint = _id_hint(name, known)
    if hint is None and name in NAME_HINTS:
        hint = NAME_HINTS[name]
    if hint is not None and isinstance(gtype, GraphQLScalarType):
        # well-formed cases use plausible values; the others mix in anything of the type
        return hint if strict else st.one_of(hint, _scalar(gtype.name, known, strict))
    if isinstance(gtype, GraphQLEnumType):
        values = st.sampled_from(list(gtype.values))
        return values if strict else st.one_of(values, nasty_text)
    if isinstance(gtype, GraphQLScalarType):
        return _scalar(gtype.name, known, strict)
    if isinstance(gtype, GraphQLInputObjectType):
        fields = {n: _typed(f.type, known, depth + 1, strict, n)
                  for n, f in gtype.fields.items()}
        required = [n for n, f in gtype.fields.items() if isinstance(f.type, GraphQLNonNull)]
        optional = {n: s for n, s in fields.items() if n not in required}
        if not strict:
            optional["unknownField"] = json_values
        return st.fixed_dictionaries({n: fields[n] for n in required}, optional=optional)
    return json_values


def _id_hint(name: str | None, known: list[str]) -> st.SearchStrategy[Any] | None:
    """Room arguments get room ids, message arguments message ids (known ids are
    'room:<id>' / 'message:<id>')."""
    kind = {"roomId": "room", "id": "room", "messageId": "message"}.get(name or "")
    ids = [k.split(":", 1)[1] for k in known if k.startswith(f"{kind}:")]
    return st.sampled_from(ids) if kind and ids else None


def _scalar(name: str, known: list[str], strict: bool) -> st.SearchStrategy[Any]:
    ids = st.sampled_from([k.split(":", 1)[1] for k in known]) if known else st.nothing()
    if name == "ID":
        return st.one_of(ids, ids, ids, nasty_text) if strict else \
            st.one_of(ids, ids, nasty_text, edge_ints)
    if name == "String":
        return st.one_of(
            st.sampled_from(["What a lovely garden party", "garden", "en", "fr", "PUBLIC"]),
            ids, nasty_text)
    if name == "Int":
        return st.integers(-(2**31), 2**31 - 1) if strict else edge_ints
    if name == "Float":
        return st.one_of(finite_floats, st.sampled_from([0.5, 0.6, 1.0, 0.49, 1.01]))
    if name == "Boolean":
        return st.booleans()
    if name == "AWSTimestamp":
        return st.integers(-(2**31), 2**31 - 1) if strict else \
            st.one_of(edge_ints, st.integers(min_value=0, max_value=2**53))
    if name == "AWSDateTime":
        valid = st.one_of(
            st.datetimes().map(lambda d: d.isoformat() + "Z"),
            st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000+02:00",
                             "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"]))
        return valid if strict else st.one_of(
            valid, st.sampled_from(["2024-02-30T00:00:00Z", "1970-01-01", "yesterday"]),
            nasty_text)
    return nasty_text


# ------------------------------------------------------------------ literals
def literal(value: Any) -> str:
    """A GraphQL literal for a JSON-ish value (strings JSON-escaped, enums as strings)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        names = [k for k in value if k and (k[0].isalpha() or k[0] == "_")
                 and all(c.isalnum() or c == "_" for c in k)]
        return "{" + ", ".join(f"{k}: {literal(value[k])}" for k in names) + "}"
    return json.dumps(str(value))


# ------------------------------------------------------------------ selections
@st.composite
def selection(draw: st.DrawFn, gtype: GraphQLType, depth: int = 0, strict: bool = False) -> str:
    """A random selection of ``gtype``'s fields; not ``strict``: sometimes invalid."""
    named = get_named_type(gtype)
    if not isinstance(named, GraphQLObjectType):
        # a leaf: nothing; sometimes an (invalid) sub-selection
        return "" if strict else draw(st.sampled_from(["", "", "", "{ id }"]))
    names = list(named.fields)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names),
                           unique=True))
    parts = []
    for name in chosen:
        f = named.fields[name]
        alias = draw(st.sampled_from(["", "", "", f"a{len(parts)}: "] +
                                     ([] if strict else ["__typename: "])))
        inner = ""
        if isinstance(get_named_type(f.type), GraphQLObjectType):
            inner = draw(selection(f.type, depth + 1, strict)) if depth < 4 else \
                "{ __typename }"
        parts.append(f"{alias}{name} {inner}".strip())
    extras = ["", "", "", "__typename", f"... on {named.name} {{ __typename }}"]
    if not strict:
        extras += ["unknownField", "... on Query { __typename }", "id(arg: 1)"]
    extra = draw(st.sampled_from(extras))
    if extra:
        parts.append(extra)
    return "{ " + " ".join(parts) + " }"


deep_nesting = st.integers(min_value=2, max_value=600).map(
    lambda n: "{ rooms { items " + "{ owner " * n + "{ id }" + " }" * n + " } }")


# ------------------------------------------------------------------ requests
@st.composite
def graphql_bodies(draw: st.DrawFn, known_ids: list[str]) -> dict[str, Any]:
    """A request for one root field of the schema, right or wrong in many ways."""
    # Subscriptions over HTTP only ever get UnsupportedOperation: rarely worth a case.
    roots = (_schema.root_fields("Query") * 8 + _schema.root_fields("Mutation") * 16
             + [f for f in _schema.root_fields("Mutation") if f.name in WRITES] * 24
             + _schema.root_fields("Subscription"))
    root = draw(st.sampled_from(roots))
    # Most cases are well-formed (right types, every required argument) so that they
    # reach the resolvers with nasty values; the rest are broken in one or more ways.
    strict = draw(st.integers(0, 9)) < 6
    decls, call, variables = [], [], {}
    for name, arg in root.field.args.items():
        required = isinstance(arg.type, GraphQLNonNull)
        if strict:
            how = "var" if required or draw(st.booleans()) else "omit"
        else:
            how = draw(st.sampled_from(["var", "var", "var", "literal", "omit", "wrong-decl"]))
        if how == "omit":
            continue
        value = draw(typed_value(arg.type, known_ids, strict=strict, name=name))
        if how == "literal":
            call.append(f"{name}: {literal(value)}")
            continue
        declared = str(arg.type) if how == "var" else draw(st.sampled_from(
            ["String", "Int!", "[ID]", "Boolean", "Unknown", "AWSJSON"]))
        decls.append(f"${name}: {declared}")
        call.append(f"{name}: ${name}")
        if strict or draw(st.integers(0, 9)):  # sometimes declared but not sent
            variables[name] = value
    if not strict and draw(st.integers(0, 7)) == 0:
        call.append(f"unknownArg: {literal(draw(json_values))}")
    if draw(st.integers(0, 9)) == 0:  # a variable nobody declared
        variables["undeclared"] = draw(json_values)
    keyword = root.kind if strict or draw(st.integers(0, 7)) else draw(
        st.sampled_from(["query", "mutation", "subscription", "fragment", ""]))
    head = f"{keyword} Fuzz" + (f"({', '.join(decls)})" if decls else "")
    field = root.name + (f"({', '.join(call)})" if call else "")
    chosen = draw(selection(root.field.type, strict=strict))
    body: dict[str, Any] = {"query": f"{head} {{ {field} {chosen} }}", "variables": variables}
    mangle = draw(st.integers(0, 14)) if not strict else -1
    if mangle == 0:
        body["query"] = draw(deep_nesting)
    elif mangle == 1:
        body["query"] = body["query"][: draw(st.integers(0, len(body["query"])))]
    elif mangle == 2:
        body["operationName"] = draw(st.one_of(st.just("Fuzz"), st.just("Other"), json_values))
    elif mangle == 3:
        body["query"] += " query Second { me { id } }"
    return body


def _nested_json(depth: int) -> bytes:
    return b'{"query": "{ rooms { items { id } } }", "variables": {"v": ' + \
        b"[" * depth + b"]" * depth + b"}}"


malformed_bodies = st.one_of(
    st.binary(max_size=200),
    st.just(b""),
    st.sampled_from([b"{", b"}", b"null", b"[]", b"[{}]", b"123", b'"query"', b"{}",
                     b'{"query": null}', b'{"query": 1}', b'{"query": ["{ me { id } }"]}',
                     b'{"query": "{ me { id } }", "variables": []}',
                     b'{"query": "{ me { id } }", "variables": "x"}',
                     b'{"query": "{ me { id } }", "operationName": {}}',
                     b'{"query": "{ me { id } }", "extensions": "x"}',
                     b'{"query": "{ me { id } }",}', b"{'query': '{ me { id } }'}",
                     b'{"query": "{ me { id } }"} trailing',
                     '{"query": "{ me { id } }", "v": "\u0000"}'.encode(),
                     b'\xff\xfe{"query": "{ me { id } }"}',
                     b'{"query": "' + b"\\ud800" + b'"}']),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    # valid JSON cut anywhere
    st.tuples(st.sampled_from([b'{"query": "mutation($i: PostMessageInput!){ postMessage('
                               b'input: $i){ status } }", "variables": {"i": {"roomId": "r",'
                               b' "text": "hi", "clientId": "abcdefgh"}}}']),
              st.integers(0, 150)).map(lambda t: t[0][: t[1]]),
    st.integers(min_value=1, max_value=MAX_JSON_DEPTH).map(_nested_json),
    st.sampled_from([b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e999"]).map(
        lambda number: b'{"query": "{ rooms { items { id } } }", "variables": {"v": '
                       + number + b"}}"),
    # just under / over the 5 MB request limit
    st.sampled_from([4_900_000, 5_300_000]).map(
        lambda n: b'{"query": "{ me { id } }", "pad": "' + b"x" * n + b'"}'),
)


# ------------------------------------------------------------------ WebSocket frames
op_ids = st.one_of(st.sampled_from(["1", "2", "x"]), st.text(max_size=20), edge_ints,
                   st.just(""), st.none(), st.integers(1, 200_000).map(lambda n: "i" * n),
                   st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@st.composite
def start_payload_data(draw: st.DrawFn, known_ids: list[str]) -> Any:
    """What a start's ``payload.data`` carries: usually a JSON string of a request."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(json_values)  # not a string
    if choice == 1:
        return draw(st.text(max_size=60))  # a string, rarely JSON
    if choice == 2:
        return json.dumps(draw(json_values))  # JSON, rarely a request
    body = draw(graphql_bodies(known_ids))
    if choice == 3:  # aim at a real subscription field, valid-ish
        sub = draw(st.sampled_from(_schema.root_fields("Subscription")))
        args = {name: draw(typed_value(a.type, known_ids, strict=True, name=name))
                for name, a in sub.field.args.items()}
        decl = ", ".join(f"${n}: {sub.field.args[n].type}" for n in args)
        call = ", ".join(f"{n}: ${n}" for n in args)
        body = {"query": f"subscription S{f'({decl})' if decl else ''} "
                         f"{{ {sub.name}{f'({call})' if call else ''} "
                         f"{draw(selection(sub.field.type, strict=True))} }}",
                "variables": args}
    return json.dumps(body)


def ws_frames(known_ids: list[str], auth_headers: list[Any]) -> st.SearchStrategy[Any]:
    """One client frame of the AppSync dialect, malformed in some way (or not at all).
    ``auth_headers``: start authorizations to pick from (good and bad)."""
    authorization = st.one_of(st.sampled_from(auth_headers), json_values, st.none())
    start = st.builds(
        lambda op_id, data, auth, keep_payload: {
            "id": op_id, "type": "start",
            **({"payload": {"data": data, "extensions": {"authorization": auth}}}
               if keep_payload else {})},
        op_ids, start_payload_data(known_ids), authorization, st.booleans())
    start_bad_payload = st.builds(lambda op_id, payload: {"id": op_id, "type": "start",
                                                          "payload": payload},
                                  op_ids, json_values)
    other = st.builds(lambda t, op_id, payload: {"type": t, "id": op_id, "payload": payload},
                      st.one_of(st.sampled_from(["stop", "connection_init", "ka", "data",
                                                 "complete", "subscribe", "ping", "error",
                                                 "connection_terminate", "START", ""]),
                                st.text(max_size=12), json_values),
                      op_ids, json_values)
    return st.one_of(
        start.map(json.dumps), start.map(json.dumps), start_bad_payload.map(json.dumps),
        other.map(json.dumps),
        st.text(max_size=200),                       # not JSON
        json_values.map(json.dumps),                 # JSON, not a frame
        st.binary(max_size=200),                     # a binary frame
        st.integers(1, MAX_JSON_DEPTH).map(lambda n: "[" * n + "]" * n),
        st.sampled_from([1_000_000, 3_000_000]).map(
            lambda n: json.dumps({"type": "start", "id": "big", "payload": {"data": "x" * n}})),
    )
