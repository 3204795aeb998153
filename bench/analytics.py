"""Fold in bench/results/analytics-*.json (analytics query latencies, measured elsewhere).

Those files come from the analytics volume test (tests/integration/analytics/, see
docs/analytics.md); this module only reads them, keeps their summaries and says when and
on what they were measured, since they are not from this run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._machine import REPO

RESULTS = REPO / "bench" / "results"


def collect(results_dir: Path = RESULTS) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(results_dir.glob("analytics-*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            found.append({"file": path.name, "error": f"unreadable: {exc}"})
            continue
        if not isinstance(data, dict):
            found.append({"file": path.name, "error": "not a JSON object"})
            continue
        seeding = data.get("seeding") or {}
        found.append({
            "file": path.name,
            "generated_at": data.get("generated_at"),
            "backend": data.get("backend"),
            "host": data.get("host"),
            "messages": (seeding.get("config") or {}).get("messages", seeding.get("posts")),
            "rooms": seeding.get("rooms"),
            "summary": data.get("summary") if isinstance(data.get("summary"), dict) else None,
            "other_keys": sorted(k for k in data if k not in ("summary", "queries")),
        })
    return found
