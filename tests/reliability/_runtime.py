"""The reliability suites' runtime: tests/runtime_process.py with the suites' own seed users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.runtime_process import (
    JAR_DIR,
    REPO,
    TEMPLATE,
    RuntimeProcess,
    skip_unless_prerequisites,
)

__all__ = ["JAR_DIR", "REPO", "SEED", "TEMPLATE", "RelRuntime", "skip_unless_prerequisites"]

SEED = Path(__file__).resolve().parent / "seed.json"


class RelRuntime(RuntimeProcess):
    """A runtime seeded with the reliability suites' users (tests/reliability/seed.json)."""

    def __init__(self, state_dir: Path, *, seed: Path = SEED, **options: Any) -> None:
        super().__init__(state_dir, seed=seed, **options)
