"""`python -m bench --quick` end to end: every benchmark runs and the report is complete.

Slow (about two minutes: it starts three servers and the chat runtime) and needs
DynamoDB Local, so it is marked `slow`; `make soak` / `pytest -m slow` run it.
Only structure is checked, never timings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SECTIONS = {"fanout", "pipeline", "coldstart", "nlp", "cost"}

pytestmark = [pytest.mark.slow, pytest.mark.dynamodb_local]


def test_quick_run_writes_a_complete_report(tmp_path: Path) -> None:
    from appsync_local.dynamodb_local import missing_requirements

    if reason := missing_requirements(REPO / ".cache" / "dynamodb-local"):
        pytest.skip(f"needs DynamoDB Local: {reason}")
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out-dir", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=900, check=False)
    assert (tmp_path / "latest.json").exists(), done.stderr[-3000:]
    data = json.loads((tmp_path / "latest.json").read_text())
    assert data["quick"] is True
    assert set(data["sections"]) == SECTIONS
    for name, section in data["sections"].items():
        assert section["method"], name
        assert section["status"] in ("ok", "partial", "skipped"), (name, section["reason"])
        if section["status"] != "skipped":
            assert section["figures"], name
        for figure in section["figures"]:
            assert figure["unit"] and figure["system"] and len(figure["values"]) >= 1, figure
    # Side-by-side baselines from the same run exist where the brief asks for them.
    systems = {f["system"] for s in data["sections"].values() for f in s["figures"]}
    assert {"ours", "ceiling", "hello-world", "2019"} <= systems
    assert data["machine"]["nproc"] and data["versions"]["python"]
    md = (tmp_path / "latest.md").read_text()
    assert md.startswith("# Positive Chat benchmarks") and "## Summary" in md
    assert done.returncode == 0, done.stderr[-3000:]
