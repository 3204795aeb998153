"""Lambda event filtering (`FilterCriteria`) for stream records.

A record is delivered when any filter's pattern matches the record *as it appears in the
event* (so `dynamodb.NewImage.x.S`). Records that match no filter are consumed without an
invocation, as on AWS. Supported pattern syntax: exact values, `prefix`, `suffix`,
`equals-ignore-case`, `anything-but` (values or `{"prefix": …}`), `numeric`, `exists`.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from typing import Any

from ._stream_records import lambda_record

_MISSING = object()
_NUMERIC: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


class FilterPatternError(ValueError):
    """A FilterCriteria pattern uses syntax this emulator does not know."""


_OPERATORS = frozenset({"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric",
                        "exists"})


class RecordFilter:
    def __init__(self, criteria: Mapping[str, Any] | None) -> None:
        """Parse the patterns now, so a typo fails the start, not every poll.

        Raises
        ------
        FilterPatternError
            A pattern is not JSON, not an object, or uses an unsupported operator.
        """
        self._patterns = [
            _parse(f.get("Pattern", "{}")) for f in (criteria or {}).get("Filters", []) or []
        ]
        for pattern in self._patterns:
            _validate(pattern)

    def matches(self, record: Mapping[str, Any]) -> bool:
        """For a GetRecords record as boto3 parses it."""
        if not self._patterns:
            return True
        return self.matches_event(lambda_record(record, ""))

    def matches_event(self, event_record: Mapping[str, Any]) -> bool:
        """For a record already in its Lambda event form (what the shard reader holds)."""
        return not self._patterns or any(_match(p, event_record) for p in self._patterns)


def _parse(pattern: str | Mapping[str, Any]) -> Mapping[str, Any]:
    try:
        parsed = json.loads(pattern) if isinstance(pattern, str) else pattern
    except ValueError as exc:
        raise FilterPatternError(f"filter pattern is not JSON: {pattern!r}") from exc
    if not isinstance(parsed, Mapping):
        raise FilterPatternError(f"filter pattern must be a JSON object: {pattern!r}")
    return parsed


def _validate(pattern: Mapping[str, Any]) -> None:
    for key, rule in pattern.items():
        if isinstance(rule, Mapping):
            _validate(rule)
        elif isinstance(rule, list):
            for item in rule:
                if isinstance(item, Mapping) and (len(item) != 1 or next(iter(item))
                                                  not in _OPERATORS):
                    raise FilterPatternError(f"unsupported filter operator in {key!r}: {item}")
        else:
            raise FilterPatternError(f"filter values must be lists or objects: {key!r}")


def _match(pattern: Mapping[str, Any], value: Any) -> bool:
    for key, rule in pattern.items():
        field = value.get(key, _MISSING) if isinstance(value, Mapping) else _MISSING
        if isinstance(rule, Mapping):
            if field is _MISSING or not _match(rule, field):
                return False
        elif isinstance(rule, list):
            if not any(_match_rule(r, field) for r in rule):
                return False
        else:
            raise FilterPatternError(f"filter values must be lists or objects: {key!r}")
    return True


def _match_rule(rule: Any, field: Any) -> bool:
    if isinstance(rule, Mapping):
        return _match_operator(rule, field)
    if field is _MISSING:
        return False
    values = field if isinstance(field, list) else [field]
    return any(v == rule for v in values)


def _match_operator(rule: Mapping[str, Any], field: Any) -> bool:
    (op, arg), = rule.items()
    if op == "exists":
        return (field is not _MISSING) == bool(arg)
    if field is _MISSING:
        return False
    values = field if isinstance(field, list) else [field]
    return any(_apply(op, arg, v) for v in values)


def _apply(op: str, arg: Any, value: Any) -> bool:
    if op == "prefix":
        return isinstance(value, str) and value.startswith(arg)
    if op == "suffix":
        return isinstance(value, str) and value.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.casefold() == str(arg).casefold()
    if op == "anything-but":
        if isinstance(arg, Mapping):
            return not _apply(*next(iter(arg.items())), value)
        return value not in (arg if isinstance(arg, list) else [arg])
    if op == "numeric":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        pairs = zip(arg[::2], arg[1::2], strict=True)
        return all(_NUMERIC[cmp](number, float(bound)) for cmp, bound in pairs)
    raise FilterPatternError(f"unsupported filter operator {op!r}")
