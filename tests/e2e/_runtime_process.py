"""`python -m appsync_local run` as a subprocess: start, wait for READY, inspect, stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 240.0  # first start compiles DynamoDB Local's launcher and warms Java
STOP_TIMEOUT_S = 60.0


@dataclass
class RuntimeProcess:
    template: Path
    state_dir: Path
    seed: Path | None = None
    env_vars: Path | None = None
    extra_args: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def start(self) -> None:
        args = [sys.executable, "-m", "appsync_local", "run", "--template", str(self.template),
                "--port", "0", "--state-dir", str(self.state_dir),
                "--dynamodb-local-dir", str(REPO / ".cache" / "dynamodb-local")]
        if self.seed:
            args += ["--seed", str(self.seed)]
        if self.env_vars:
            args += ["--env-vars", str(self.env_vars)]
        args += self.extra_args
        self.log_path = self.state_dir.parent / f"{self.state_dir.name}-{time.time_ns()}.log"
        self.state_dir.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})

    @property
    def runtime_json(self) -> Path:
        return self.state_dir / "runtime.json"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def wait_ready(self) -> dict[str, Any]:
        """Wait for runtime.json (written only once the runtime is ready)."""
        assert self.proc is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.runtime_json.exists():
            if self.proc.poll() is not None:
                pytest.fail(f"runtime exited with {self.proc.returncode}:\n{self.log()[-6000:]}")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"runtime not ready after {READY_TIMEOUT_S} s:\n{self.log()[-6000:]}")
            time.sleep(0.2)
        return json.loads(self.runtime_json.read_text())  # type: ignore[no-any-return]

    def descendants(self) -> dict[int, str]:
        """pid -> command line of every process below the runtime (ps, recursively)."""
        assert self.proc is not None
        out = subprocess.run(["ps", "-ww", "-e", "-o", "pid=,ppid=,args="], capture_output=True,
                             text=True, check=True).stdout
        children: dict[int, list[tuple[int, str]]] = {}
        for line in out.splitlines():
            parts = line.split(None, 2)
            args = parts[2] if len(parts) > 2 else ""
            children.setdefault(int(parts[1]), []).append((int(parts[0]), args))
        found: dict[int, str] = {}
        todo = [self.proc.pid]
        while todo:
            for pid, args in children.get(todo.pop(), []):
                found[pid] = args
                todo.append(pid)
        return found

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                pytest.fail(f"runtime ignored signal {sig} for {STOP_TIMEOUT_S} s:\n"
                            f"{self.log()[-4000:]}")
        return self.proc.returncode


def alive(pids: dict[int, str]) -> dict[int, str]:
    """The subset of ``pids`` still running (zombies count as gone)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,stat="], capture_output=True, text=True,
                         check=True).stdout
    running = {int(p) for p, stat in (line.split() for line in out.splitlines())
               if not stat.startswith("Z")}
    return {pid: args for pid, args in pids.items() if pid in running}
