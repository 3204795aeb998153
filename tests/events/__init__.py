"""AppSync and DynamoDB stream events as JSON, named after the operation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent


def load_event(name: str, **overrides: Any) -> dict[str, Any]:
    """Load ``tests/events/<name>.json``; top-level keys can be overridden (deep-copied)."""
    event = json.loads((_HERE / f"{name}.json").read_text())
    for key, value in overrides.items():
        event[key] = copy.deepcopy(value)
    return event
