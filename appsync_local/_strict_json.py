"""Strict JSON for what clients send: what AppSync would refuse must not get further.

Python's json accepts ``NaN``/``Infinity`` and turns ``1e400`` (valid JSON) into ``inf``;
neither can be passed on (the APPSYNC_JS worker's JSON cannot carry them). Deeply nested
documents raise RecursionError rather than ValueError. All of these become ValueError
here, so callers answer them as malformed requests.
"""

from __future__ import annotations

import json
import math
from typing import Any


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text[:32]} is out of range")
    return value


# Nesting limit for client JSON (variables, headers, frames). Far above any real request;
# deeper documents would reach Lambda workers that must re-encode and recurse over them
# (a 494-level variable once crashed a worker: found by tests/reliability fuzzing).
MAX_DEPTH = 64


def loads_strict(text: str | bytes) -> Any:
    """Parse client JSON. Raises ValueError for anything a client may not send."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError as exc:
        raise ValueError("the JSON document is nested too deeply") from exc
    _check_depth(value)
    return value


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"the JSON document is nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
