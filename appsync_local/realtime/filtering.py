"""AppSync basic (argument) filtering of published events (reference 4.2).

Each argument the subscriber supplied is compared by equality with the TOP-LEVEL field of
the same name in the mutation's published payload (not with the mutation's arguments);
all supplied arguments must match (AND); arguments the subscriber omitted do not filter.

Explicit null (``onEvent(topic: null)``) is not verified against AWS (reference 4.2 [U]).
The emulator treats it as a filter that matches events whose field is null or absent:
GraphQL distinguishes "null" from "omitted", and reading null as "no filter" would turn a
subscription meant to be narrow into one that receives everything.

List-typed payloads have no top-level fields; AWS does not fire argument filtering for
them (reference 3.4), so every subscriber of such a mutation receives the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def matches_arguments(arguments: Mapping[str, Any], payload: Any) -> bool:
    """True when every supplied subscription argument equals the payload's field."""
    if not isinstance(payload, Mapping):
        return True
    return all(payload.get(name) == value for name, value in arguments.items())
