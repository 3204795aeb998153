"""AppSync's AWS scalars (reference 3.1): input validation/parsing and output serialisation.

Values keep their wire form (strings, ints) on both sides, except AWSJSON, which
resolvers receive parsed (maps/lists) and which is re-serialised to a JSON string.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from graphql import GraphQLScalarType, IntValueNode, StringValueNode, ValueNode

_OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?"
_DATE_RE = re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}}){_OFFSET}?$")
_TIME_RE = re.compile(rf"^{_TIME}{_OFFSET}?$")
# AWSDateTime requires the offset (unlike AWSDate/AWSTime).
_DATETIME_RE = re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}})T{_TIME}{_OFFSET}$")
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)
_PHONE_STRIP = re.compile(r"[\s\-().]")


class ScalarError(ValueError):
    """An invalid scalar value; the message is what clients see."""


def _real_date(m: re.Match[str]) -> bool:
    try:
        dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


def _date(v: str) -> str:
    m = _DATE_RE.match(v)
    if m is None or not _real_date(m):
        raise ScalarError(f"Unable to parse `{v}` as a valid Date Object.")
    return v


def _time(v: str) -> str:
    if _TIME_RE.match(v) is None:
        raise ScalarError(f"Unable to parse `{v}` as a valid Time Object.")
    return v


def _datetime(v: str) -> str:
    m = _DATETIME_RE.match(v)
    if m is None or not _real_date(m):
        raise ScalarError(f"Unable to parse `{v}` as a valid DateTime Object.")
    return v


def _email(v: str) -> str:
    if len(v) > 254 or _EMAIL_RE.match(v) is None:
        raise ScalarError(f"Unable to parse `{v}` as a valid Email Object.")
    return v


def _url(v: str) -> str:
    try:
        parts = urlsplit(v)
    except ValueError:
        parts = None
    # AppSync: a scheme is mandatory; `//` inside the path is rejected (reference 3.1).
    if (parts is None or not parts.scheme or any(c.isspace() for c in v)
            or "//" in parts.path or (v.startswith(f"{parts.scheme}://") and not parts.netloc)):
        raise ScalarError(f"Unable to parse `{v}` as a valid URL Object.")
    return v


def _phone(v: str) -> str:
    digits = _PHONE_STRIP.sub("", v)
    if digits.startswith("+"):
        ok = digits[1:].isdigit() and 7 <= len(digits) - 1 <= 15
    else:
        # No country code: AppSync treats the number as North American (NANP).
        ok = digits.isdigit() and (len(digits) == 10 or (len(digits) == 11 and digits[0] == "1"))
    if not ok:
        raise ScalarError(f"Unable to parse `{v}` as a valid Phone Object.")
    return v


def _ip(v: str) -> str:
    try:
        if "/" in v:
            ipaddress.ip_network(v, strict=False)
        else:
            ipaddress.ip_address(v)
    except ValueError:
        raise ScalarError(f"Unable to parse `{v}` as a valid IPAddress Object.") from None
    return v


def _string_scalar(check: Callable[[str], str]) -> tuple[Callable[[Any], Any], ...]:
    def coerce_input(value: Any) -> str:
        if not isinstance(value, str):
            raise ScalarError(f"Unable to parse `{value!r}` as a string.")
        return check(value)

    def coerce_literal(node: ValueNode) -> str:
        if not isinstance(node, StringValueNode):
            raise ScalarError("Expected a string literal.")
        return check(node.value)

    def coerce_output(value: Any) -> str:
        if not isinstance(value, str):
            raise ScalarError(f"Unable to serialize `{value!r}` as a string.")
        return check(value)

    return coerce_output, coerce_input, coerce_literal


def _timestamp_input(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScalarError(f"Unable to parse `{value!r}` as a valid timestamp.")
    if isinstance(value, float) and not value.is_integer():
        raise ScalarError(f"Unable to parse `{value!r}` as a valid timestamp.")
    return int(value)


def _timestamp_literal(node: ValueNode) -> int:
    if not isinstance(node, IntValueNode):
        raise ScalarError("Expected an integer literal (seconds since the epoch).")
    return int(node.value)


def _timestamp_output(value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return _timestamp_input(value)


def _json_input(value: Any) -> Any:
    if not isinstance(value, str):
        raise ScalarError(f"Unable to parse `{value!r}` as a valid JSON string.")
    try:
        return json.loads(value)
    except ValueError:
        raise ScalarError(f"Unable to parse `{value}` as valid JSON.") from None


def _json_literal(node: ValueNode) -> Any:
    # `{a:1}` as a GraphQL object literal is *not* AWSJSON: only a string holding JSON.
    if not isinstance(node, StringValueNode):
        raise ScalarError("AWSJSON literals must be strings containing JSON.")
    return _json_input(node.value)


def _json_output(value: Any) -> str:
    # A Lambda may return the JSON text itself or the structure; both serialise the same.
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        raise ScalarError(f"Unable to serialize `{value!r}` as JSON.") from None


_STRING_CHECKS: dict[str, Callable[[str], str]] = {
    "AWSDate": _date,
    "AWSTime": _time,
    "AWSDateTime": _datetime,
    "AWSEmail": _email,
    "AWSURL": _url,
    "AWSPhone": _phone,
    "AWSIPAddress": _ip,
}
AWS_SCALARS: tuple[str, ...] = (*_STRING_CHECKS, "AWSTimestamp", "AWSJSON")


def _literal_parser(lit: Callable[[ValueNode], Any]) -> Callable[..., Any]:
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        return lit(node)

    return parse_literal


def install_aws_scalars(types: dict[str, Any]) -> None:
    """Give the prelude's placeholder scalar types their AppSync behaviour (in place)."""
    for name in AWS_SCALARS:
        scalar = types[name]
        assert isinstance(scalar, GraphQLScalarType)
        if name in _STRING_CHECKS:
            out, inp, lit = _string_scalar(_STRING_CHECKS[name])
        elif name == "AWSTimestamp":
            out, inp, lit = _timestamp_output, _timestamp_input, _timestamp_literal
        else:
            out, inp, lit = _json_output, _json_input, _json_literal
        # Plain exceptions (not GraphQLError) so graphql-core adds locations and context.
        # setattr: graphql-core declares these as methods; instances may override them.
        for attr, fn in (("serialize", out), ("coerce_output_value", out),
                         ("parse_value", inp), ("coerce_input_value", inp),
                         ("coerce_input_literal", lit)):
            setattr(scalar, attr, fn)
        setattr(scalar, "parse_literal", _literal_parser(lit))  # noqa: B010
