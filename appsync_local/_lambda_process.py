"""Process plumbing for the Lambda pool: one worker subprocess, and per-function slots.

Both are loop-agnostic: worker replies are read by a thread and delivered to the
awaiting coroutine's own loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import threading
from collections import deque
from typing import IO, Any

logger = logging.getLogger("appsync_local.lambda")
# Lambda's 6 MB response limit plus space for our small reply envelope.
MAX_REPLY_BYTES = 6 * 1024 * 1024 + 64


def _deliver(loop: asyncio.AbstractEventLoop, fut: asyncio.Future[Any], value: Any) -> None:
    def _set() -> None:
        if not fut.done():
            fut.set_result(value)

    with contextlib.suppress(RuntimeError):  # the loop may be closed already
        loop.call_soon_threadsafe(_set)


class WorkerProcess:
    def __init__(self, argv: list[str], *, env: dict[str, str], cwd: str,
                 log_prefix: str) -> None:
        # S603: argv is our own interpreter + worker script, never request data.
        self._proc = subprocess.Popen(  # noqa: S603
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, cwd=cwd, start_new_session=True,
        )
        self._prefix = log_prefix
        self._lock = threading.Lock()
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[Any]] | None = None
        self._backlog: deque[dict[str, Any]] = deque()
        self._dead = False
        threading.Thread(target=self._read_replies, name=f"lambda-{log_prefix}-out",
                         daemon=True).start()
        threading.Thread(target=self._read_logs, name=f"lambda-{log_prefix}-log",
                         daemon=True).start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        return not self._dead and self._proc.poll() is None

    async def wait_ready(self, timeout_s: float) -> dict[str, Any]:
        return await asyncio.wait_for(self._next_reply(), timeout_s)

    async def call(self, line: str, timeout_s: float) -> dict[str, Any]:
        fut = self._next_reply()
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.write(line.encode() + b"\n")
            stdin.flush()
        except (BrokenPipeError, OSError):
            self._dead = True
            return {"type": "crash", "detail": "worker is not running"}
        return await asyncio.wait_for(fut, timeout_s)

    def _next_reply(self) -> asyncio.Future[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[dict[str, Any]] = loop.create_future()
        with self._lock:
            if self._backlog:
                fut.set_result(self._backlog.popleft())
            else:
                self._waiter = (loop, fut)
        return fut

    def _publish(self, msg: dict[str, Any]) -> None:
        with self._lock:
            waiter, self._waiter = self._waiter, None
            if waiter is None:
                self._backlog.append(msg)
                return
        _deliver(waiter[0], waiter[1], msg)

    def _read_replies(self) -> None:
        out: IO[bytes] | None = self._proc.stdout
        assert out is not None
        while True:
            line = out.readline(MAX_REPLY_BYTES + 1)
            if not line:
                break
            if len(line) > MAX_REPLY_BYTES and not line.endswith(b"\n"):
                # Drain the oversized reply, then report it like Lambda does.
                while line and not line.endswith(b"\n"):
                    line = out.readline(1 << 20)
                self._publish({"type": "too_large"})
                continue
            try:
                self._publish(json.loads(line))
            except ValueError:
                self._publish({"type": "crash", "detail": "malformed worker reply"})
        code = self._proc.wait()
        self._dead = True
        self._publish({"type": "crash", "detail": f"exit status {code}"})

    def _read_logs(self) -> None:
        err = self._proc.stderr
        assert err is not None
        for raw in iter(err.readline, b""):
            logger.info("[%s] %s", self._prefix, raw.decode("utf-8", "replace").rstrip())

    def kill(self) -> None:
        self._dead = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, signal.SIGKILL)

    def close(self) -> None:
        """Ask the worker to exit (stdin EOF), then make sure it does."""
        self._dead = True
        with contextlib.suppress(OSError):
            if self._proc.stdin:
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            self.kill()
            self._proc.wait(timeout=5.0)


class WorkerSlots:
    """At most ``size`` workers for one function; callers queue for a free one.

    ``acquire`` returns an idle worker, or ``None`` meaning "you own a free slot: start
    a worker". ``release(None)`` gives back a slot whose worker died or never started.
    """

    def __init__(self, size: int) -> None:
        self._size = max(1, size)
        self._lock = threading.Lock()
        self._idle: list[WorkerProcess] = []
        self._all: set[WorkerProcess] = set()
        self._count = 0
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any]]] = deque()

    async def acquire(self) -> WorkerProcess | None:
        loop = asyncio.get_running_loop()
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
                self._count -= 1
            if self._count < self._size:
                self._count += 1
                return None
            fut: asyncio.Future[Any] = loop.create_future()
            self._waiters.append((loop, fut))
        try:
            return await fut  # type: ignore[no-any-return]
        except asyncio.CancelledError:
            with self._lock:
                if (loop, fut) in self._waiters:
                    self._waiters.remove((loop, fut))
                    raise
            # Handed over concurrently with the cancellation: pass it on.
            if fut.done() and not fut.cancelled():
                self.release(fut.result())
            raise

    def register(self, worker: WorkerProcess) -> None:
        with self._lock:
            self._all.add(worker)

    def release(self, worker: WorkerProcess | None) -> None:
        with self._lock:
            self._all = {w for w in self._all if w.alive}
            if self._waiters:
                loop, fut = self._waiters.popleft()
                self._handover(loop, fut, worker)
                return
            if worker is not None:
                self._idle.append(worker)
            else:
                self._count -= 1

    def _handover(self, loop: asyncio.AbstractEventLoop, fut: asyncio.Future[Any],
                  worker: WorkerProcess | None) -> None:
        def _set() -> None:
            if fut.done():  # cancelled meanwhile: give the slot to the next waiter
                self.release(worker)
            else:
                fut.set_result(worker)

        try:
            loop.call_soon_threadsafe(_set)
        except RuntimeError:  # the waiter's loop is gone; keep the worker for others
            if worker is not None:
                self._idle.append(worker)
            else:
                self._count -= 1

    def drain(self) -> list[WorkerProcess]:
        """Every worker (idle or busy), for shutdown."""
        with self._lock:
            workers, self._all, self._idle = list(self._all), set(), []
            return workers
