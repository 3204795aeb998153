"""The real local runtime (`python -m appsync_local run`) as a subprocess, for every suite
that needs one (e2e, browser, reliability).

Started as `make run` starts it (by default the repository's template, env vars and seed),
on a fixed free port and a private state dir, so a restart keeps the data, the URLs a
client has in its config and the Cognito users. It can be stopped politely (SIGTERM, the
exit code is returned) or crashed: ``kill9()`` SIGKILLs the runtime and DynamoDB Local (its
Java child) and reaps whatever else it had started, by pid.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "infra" / "template.yaml"
ENV_LOCAL = REPO / "infra" / "env.local.json"
SEED_LOCAL = REPO / "infra" / "seed.local.json"
JAR_DIR = REPO / ".cache" / "dynamodb-local"
READY_TIMEOUT_S = 240.0  # a cold first start compiles DynamoDB Local's launcher and warms Java
STOP_TIMEOUT_S = 60.0
REAP_TIMEOUT_S = 15.0


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


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (ppid, state, command line), from ps."""
    out = subprocess.run(["ps", "-ww", "-e", "-o", "pid=,ppid=,stat=,args="],
                         capture_output=True, text=True, check=True).stdout
    table: dict[int, tuple[int, str, str]] = {}
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) >= 3:
            table[int(parts[0])] = (int(parts[1]), parts[2], parts[3] if len(parts) > 3 else "")
    return table


def descendants(root_pid: int) -> dict[int, str]:
    """pid -> command line of every live process below ``root_pid`` (zombies left out)."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: dict[int, str] = {}
    todo = [root_pid]
    while todo:
        for pid in children.get(todo.pop(), []):
            if not table[pid][1].startswith("Z"):
                found[pid] = table[pid][2]
            todo.append(pid)
    return found


def alive(pids: Iterable[int]) -> set[int]:
    """The subset of ``pids`` still running (zombies count as gone)."""
    table = _process_table()
    return {p for p in pids if p in table and not table[p][1].startswith("Z")}


class RuntimeProcess:
    """One runtime process on a fixed port and state dir; restartable, killable."""

    def __init__(self, state_dir: Path, *, template: Path = TEMPLATE,
                 env_vars: Path | None = ENV_LOCAL, seed: Path | None = SEED_LOCAL,
                 port: int | None = None, extra_args: Sequence[str] = ()) -> None:
        self.state_dir = state_dir
        self.template = template
        self.env_vars = env_vars
        self.seed = seed
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []
        self.info: dict[str, Any] = {}

    @property
    def config_path(self) -> Path:
        """runtime.json: written only once the runtime is ready, removed when it stops."""
        return self.state_dir / "runtime.json"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self) -> None:
        """Start the process; :meth:`wait_ready` waits for it."""
        assert not self.running, "already running"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # A crashed run leaves its runtime.json; the new process removes it too, but we
        # must not read it before then (it names the dead run's store endpoint).
        self.config_path.unlink(missing_ok=True)
        args = [sys.executable, "-m", "appsync_local", "run", "--template", str(self.template),
                "--port", str(self.port), "--state-dir", str(self.state_dir),
                "--dynamodb-local-dir", str(JAR_DIR)]
        if self.env_vars is not None:
            args += ["--env-vars", str(self.env_vars)]
        if self.seed is not None:
            args += ["--seed", str(self.seed)]
        args += self.extra_args
        # Unique per start: several RuntimeProcess objects may share a state dir (restarts).
        log = self.state_dir.parent / f"{self.state_dir.name}-runtime-{time.time_ns()}.log"
        self.logs.append(log)
        with log.open("wb") as handle:
            self.proc = subprocess.Popen(args, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def wait_ready(self) -> dict[str, Any]:
        """Wait for runtime.json and return it; fail with the log if the runtime exits or
        is not ready in time."""
        assert self.proc is not None
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
        self.info = json.loads(self.config_path.read_text())
        return self.info

    def start(self) -> dict[str, Any]:
        self.spawn()
        return self.wait_ready()

    def ensure_running(self) -> dict[str, Any]:
        return self.info if self.running else self.start()

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Send ``sig`` and wait; after STOP_TIMEOUT_S the process is SIGKILLed (its exit
        code then says so). Returns the exit code (None if it was never started)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def descendants(self) -> dict[int, str]:
        assert self.proc is not None
        return descendants(self.proc.pid)

    def dynamodb_local_pid(self) -> int | None:
        for pid, args in self.descendants().items():
            if "DynamoDBLocal" in args and "java" in args.split(None, 1)[0]:
                return pid
        return None

    def kill9(self, *, simultaneous: bool = False, settle_s: float = 1.0) -> dict[str, Any]:
        """SIGKILL the runtime and DynamoDB Local (Java); reap our other children by pid.

        Default ("frozen, then killed"): SIGSTOP the runtime (no request reaches a worker
        any more, no answer leaves), wait ``settle_s`` (the invocation a Lambda worker has
        in hand finishes), SIGKILL DynamoDB Local, then SIGKILL the runtime; its workers end
        when their pipe closes. ``simultaneous``: SIGKILL both at once, while DynamoDB Local
        may be committing. DynamoDB Local acknowledges a transaction a few ms before its
        SQLite commit is durable (docs/reliability.md, DEFECT-3), so a simultaneous kill
        can lose the last acknowledged write - which DynamoDB itself never does; the
        default schedule keeps that emulator gap out of what the crash suite measures.
        (SIGKILLing the runtime first is no alternative: DynamoDB Local is started with a
        parent-death signal, so it would get a SIGTERM at that instant.)

        Returns what was killed (for the test's report).
        """
        assert self.proc is not None and self.running
        children = self.descendants()
        java = self.dynamodb_local_pid()
        assert java is not None, f"DynamoDB Local is not among the runtime's children: {children}"
        others = set(children) - {java}
        if not simultaneous:
            self.proc.send_signal(signal.SIGSTOP)
            time.sleep(settle_s)
        os.kill(java, signal.SIGKILL)
        self.proc.send_signal(signal.SIGKILL)  # also ends a stopped process
        self.proc.wait(STOP_TIMEOUT_S)
        deadline = time.monotonic() + REAP_TIMEOUT_S
        while alive(others | {java}) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = alive(others)
        for pid in left:  # our own children that did not notice their parent died
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not alive({java}), f"DynamoDB Local {java} survived SIGKILL"
        return {"runtime": self.proc.pid, "dynamodb_local": java, "simultaneous": simultaneous,
                "children": len(children), "reaped_by_us": sorted(left)}

    # ---------------------------------------------------------------- logs
    def log(self) -> str:
        """Everything every start of this runtime logged."""
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    def log_tail(self, chars: int = 6000) -> str:
        return self.logs[-1].read_text(errors="replace")[-chars:] if self.logs else ""

    # ---------------------------------------------------------------- conveniences
    @property
    def graphql_url(self) -> str:
        return str(self.info["graphqlUrl"])

    @property
    def realtime_url(self) -> str:
        return str(self.info["realtimeUrl"])

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def password(self, username: str) -> str:
        return str(next(u["password"] for u in self.info["users"] if u["username"] == username))

    def dynamodb(self) -> Any:
        import boto3

        return boto3.client(
            "dynamodb", endpoint_url=self.info["dynamodbEndpoint"], region_name=self.info["region"],
            aws_access_key_id=self.info["iam"]["accessKeyId"],
            aws_secret_access_key=self.info["iam"]["secretAccessKey"])
