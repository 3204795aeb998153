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


def loads_strict(text: str | bytes) -> Any:
    """Parse client JSON. Raises ValueError for anything a client may not send."""
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError as exc:
        raise ValueError("the JSON document is nested too deeply") from exc
