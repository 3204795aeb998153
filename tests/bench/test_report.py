"""The benchmark report's structure, from synthetic sections (fast; no servers).

Timings are never asserted: only that every figure carries its method, spread and
baseline, and that both files say the same thing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench import report
from bench._model import Section
from bench._stats import percentile, spread


def _run() -> dict[str, Any]:
    return {"generated_at": "2026-01-01T00:00:00Z", "quick": True, "command": "python -m bench",
            "duration_s": 1.0,
            "machine": {"nproc": 2, "memory_gb": 24.0, "cpu_model": "test CPU",
                        "kernel": "6", "loadavg_start": [1.0, 1.0, 1.0],
                        "loadavg_end": [1.0, 1.0, 1.0]},
            "versions": {"python": "3.11", "node": None, "java": None, "packages": {"x": "1"},
                         "git_commit": "abc", "git_dirty": False}}


def _sections() -> list[Section]:
    fan = Section("fanout", "Fan-out", "method text")
    for system, values in (("ours", [10.0, 12.0, 11.0]), ("peer", [5.0, 6.0, math.nan])):
        fan.figure(f"fanout.{system}.n100.burst_deliveries_per_s", "rate", "deliveries/s",
                   system, better="higher", subscribers=100).values.extend(values)
    fan.pair("fanout.n100.burst_rate.ours_over_peer", "ours/peer",
             "fanout.ours.n100.burst_deliveries_per_s", "fanout.peer.n100.burst_deliveries_per_s")
    skipped = Section("nlp", "NLP", "method", status="skipped", reason="no models")
    return [fan, skipped]


def test_both_files_hold_every_section_with_spread_and_paired_ratio(tmp_path: Path) -> None:
    json_path, md_path = report.write(tmp_path, _run(), _sections(), analytics=[])

    data = json.loads(json_path.read_text())
    assert data["schema"] == report.SCHEMA
    assert set(data["sections"]) == {"fanout", "nlp"}
    figure = data["sections"]["fanout"]["figures"][0]
    assert {"median", "min", "max", "q1", "q3", "n", "values", "unit", "system"} <= set(figure)
    ratio = data["sections"]["fanout"]["ratios"][0]
    assert ratio["values"][2] is None  # a NaN repeat is null, never a fake number
    assert data["sections"]["nlp"]["status"] == "skipped"
    row = next(r for r in data["summary"] if r["ours"] and r["ours"]["key"].startswith("fanout.ours.n100"))
    assert row["baselines"][0]["ratio"]["key"] == "fanout.n100.burst_rate.ours_over_peer"

    md = md_path.read_text()
    assert "## Summary" in md and "## Fan-out" in md
    assert "nlp: skipped (no models)" in md
    assert "test CPU" in md


def test_statistics_helpers() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert math.isnan(percentile([], 99))
    assert spread([3.0, 1.0, math.nan, 2.0])["median"] == 2.0
    assert spread([])["n"] == 0
