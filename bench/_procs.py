"""Servers under test as subprocesses: start, wait until ready, measure CPU, stop.

Every server binds 127.0.0.1 only. CPU time is read from /proc for the server and all of
its descendants, because "CPU per delivery" stays comparable between systems when the
wall clock does not (other engineers' tests share these two cores).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._machine import REPO

CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    """Progress on stderr: a full run takes a while, and a stuck step must be visible."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def die_with_parent() -> None:
    """preexec_fn: SIGTERM this child when the bench process dies, even by SIGKILL.

    Servers are started in their own session (so a Ctrl-C aimed at the bench reaches them
    only through the bench's own cleanup); without this a killed bench would leave them
    running on a shared machine.
    """
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class ServerStartError(RuntimeError):
    """A server under test did not become ready; carries the tail of its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of `pid` and its live descendants (0 when gone)."""
    total = 0.0
    for proc in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # fields[11], fields[12] = utime, stime (the 14th/15th fields of stat).
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def cpu_by_role(pid: int) -> dict[str, float]:
    """CPU seconds of `pid`'s process tree grouped by what each process is.

    Tells where a runtime's CPU goes (its own event loop, the Lambda workers, DynamoDB
    Local's JVM, the Node worker for APPSYNC_JS, moto), i.e. what limits the pipeline.
    """
    roles: dict[str, float] = {}
    for proc in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{proc}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except (OSError, IndexError):
            continue
        role = _role(proc == pid, cmdline)
        roles[role] = roles.get(role, 0.0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return roles


def _role(is_root: bool, cmdline: str) -> str:
    if is_root:
        return "runtime process (HTTP, engine, real-time hub, stream poller)"
    if "java" in cmdline.split(" ", 1)[0] or "DynamoDBLocal" in cmdline:
        return "DynamoDB Local (JVM)"
    if "_lambda_worker" in cmdline:
        handler = cmdline.rsplit(" ", 2)[-2] if cmdline.strip() else "?"
        return f"Lambda workers: {handler.strip()}"
    if "worker.mjs" in cmdline:
        return "APPSYNC_JS Node worker"
    if "moto" in cmdline:
        return "local Cognito / moto"
    return "other"


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its live descendants, in MB."""
    total_kb = 0
    for proc in [pid, *_descendants(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class Server:
    """A started server process; `info` is what it reported once ready."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, timeout_s: float = 30.0) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_runtime(name: str, template: Path, state_dir: Path, *, in_memory: bool,
                  env_vars: Path | None = None, seed: Path | None = None,
                  timeout_s: float = 240.0) -> Server:
    """`python -m appsync_local run` exactly as users start it, on a free loopback port.

    `--log-level WARNING`: at INFO uvicorn logs one access line per request; that is a
    console choice, not part of the serving path, and the peer logs nothing per request.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "appsync_local", "run", "--template", str(template),
            "--host", "127.0.0.1", "--port", "0", "--state-dir", str(state_dir),
            "--dynamodb-local-dir", str(REPO / ".cache" / "dynamodb-local"),
            "--log-level", "WARNING"]
    if in_memory:
        args.append("--in-memory")
    if env_vars is not None:
        args += ["--env-vars", str(env_vars)]
    if seed is not None:
        args += ["--seed", str(seed)]
    log_path = state_dir.parent / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                                start_new_session=True, preexec_fn=die_with_parent)
    server = Server(name, proc, log_path)
    runtime_json = state_dir / "runtime.json"
    deadline = time.monotonic() + timeout_s
    while not runtime_json.exists():
        if proc.poll() is not None:
            raise ServerStartError(f"{name} exited with {proc.returncode}:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            server.stop()
            raise ServerStartError(f"{name} not ready after {timeout_s} s:\n{server.log_tail()}")
        time.sleep(0.2)
    server.info = json.loads(runtime_json.read_text())
    return server


def start_json_line_server(name: str, args: list[str], log_dir: Path, *,
                           cwd: Path | None = None, timeout_s: float = 60.0) -> Server:
    """A server that prints one JSON line with "ready": true on stdout when it listens."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, cwd=cwd or REPO, stdout=subprocess.PIPE, stderr=log,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                                start_new_session=True, preexec_fn=die_with_parent)
    server = Server(name, proc, log_path)
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    # readline blocks; the servers write their ready line within seconds or die.
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    buffer = b""
    while b"\n" not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or proc.poll() is not None:
            server.stop()
            raise ServerStartError(f"{name} not ready (exit {proc.returncode}):\n"
                                   f"{server.log_tail()}")
        if selector.select(timeout=min(remaining, 0.5)):
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                continue
            buffer += chunk
    selector.close()
    line = buffer.split(b"\n", 1)[0]
    server.info = json.loads(line)
    if not server.info.get("ready"):
        server.stop()
        raise ServerStartError(f"{name} said {line!r}")
    return server
