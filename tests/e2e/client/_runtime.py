"""The real local runtime (`python -m appsync_local run`) as a restartable subprocess.

Started exactly as `make run` starts it, but on a fixed free port and a temporary state
dir, so a restart keeps both the data and the URLs a client has in its config.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
JAR_DIR = REPO / ".cache" / "dynamodb-local"
READY_TIMEOUT_S = 240.0  # a cold first start compiles DynamoDB Local's launcher
STOP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def skip_unless_prerequisites() -> None:
    """Skip (with the fix) only when a machine prerequisite is missing: Java or the jar.

    Anything else that stops the runtime from starting is a failure, reported with its log.
    """
    from appsync_local.dynamodb_local import missing_requirements

    reason = missing_requirements(JAR_DIR)
    if reason:
        pytest.skip(f"the local runtime needs DynamoDB Local: {reason} "
                    "(install Java 17: apt-get install -y default-jre-headless; "
                    "then `make dynamodb-local`)")


class LocalRuntime:
    def __init__(self, state_dir: Path, port: int) -> None:
        self.state_dir = state_dir
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    @property
    def config_path(self) -> Path:
        return self.state_dir / "runtime.json"

    def start(self) -> dict[str, Any]:
        args = [sys.executable, "-m", "appsync_local", "run",
                "--template", str(REPO / "infra" / "template.yaml"),
                "--env-vars", str(REPO / "infra" / "env.local.json"),
                "--port", str(self.port), "--state-dir", str(self.state_dir),
                "--dynamodb-local-dir", str(JAR_DIR),
                "--seed", str(REPO / "infra" / "seed.local.json")]
        log = self.state_dir.parent / f"runtime-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as handle:
            self.proc = subprocess.Popen(args, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.config_path.exists():
            if self.proc.poll() is not None:
                pytest.fail(f"the local runtime exited with {self.proc.returncode}:\n"
                            f"{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"the local runtime was not ready after {READY_TIMEOUT_S} s:\n"
                            f"{self.log_tail()}")
            time.sleep(0.2)
        return json.loads(self.config_path.read_text())  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, chars: int = 6000) -> str:
        return self.logs[-1].read_text(errors="replace")[-chars:] if self.logs else ""
