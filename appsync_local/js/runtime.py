"""Run APPSYNC_JS resolver code in one long-lived Node.js worker (``worker.mjs``).

Design choices (see docs/local-runtime.md, "APPSYNC_JS"):

* Code is loaded once per distinct string: its sha256 names a ``<sha>.mjs`` file in a private
  directory that the worker imports. Plain ``import()`` of a file keeps real line numbers in stack
  traces and needs no ``--experimental-vm-modules``. The directory also holds a generated
  ``node_modules/@aws-appsync/utils`` package pointing at the shim, so the bare import resolves
  with ordinary Node resolution: no loader hooks, no rewriting of the code.
* JSON lines with request ids over stdin/stdout, so any number of asyncio tasks can evaluate at
  once. The worker answers strictly in order; that lets the host tell which request is running.
* Two time limits. The worker bounds each handler with ``vm``'s watchdog (a runaway loop is
  interrupted and the worker lives on). If the worker stops answering anyway (a hang in a module's
  top-level code, say), the request at the head of the queue gets :class:`JsTimeoutError`, the
  process is killed, and the other in-flight requests are retried once on a fresh worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import os
import shutil
import tempfile
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from .results import (
    JsCodeError,
    JsResult,
    JsRuntimeError,
    JsTimeoutError,
    JsWorkerError,
    NodeNotFoundError,
)

log = logging.getLogger("appsync_local.js")

WORKER_SCRIPT = Path(__file__).with_name("worker.mjs")
MIN_NODE_MAJOR = 18
_LINE_LIMIT = 64 * 1024 * 1024  # a response line carries the whole result (Lambda allows 6 MB)
_INSTALL_HINT = (
    "Install Node.js >= 18 (Debian/Ubuntu: `apt-get install -y nodejs`; macOS: `brew install node`)"
    " or point APPSYNC_LOCAL_NODE / JsRuntime(node=...) at the node binary."
)

Handler = Literal["request", "response"]


def find_node(explicit: str | None = None) -> str:
    """Path of the node binary, or :class:`NodeNotFoundError` saying how to install it.

    An explicit choice (argument, then APPSYNC_LOCAL_NODE) is used alone: silently falling back to
    another node on PATH would hide a typo. Older Debian releases name the binary ``nodejs``.
    """
    chosen = explicit or os.environ.get("APPSYNC_LOCAL_NODE")
    for candidate in (chosen,) if chosen else ("node", "nodejs"):
        found = shutil.which(candidate)
        if found:
            return found
    where = f" ({chosen!r} not found)" if chosen else ""
    raise NodeNotFoundError(
        f"Node.js is needed to run APPSYNC_JS resolver code{where}. {_INSTALL_HINT}"
    )


def _json_default(value: Any) -> Any:
    # boto3 hands DynamoDB numbers and sets to resolvers as Decimal / set.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _WorkerDied(Exception):
    """Internal: the worker went away with this request in flight; the caller may retry."""


class _Worker:
    """One Node process and the requests in flight on it (in the order they were written)."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self._proc = proc
        self._pending: OrderedDict[int, tuple[asyncio.Future[dict[str, Any]], float]] = (
            OrderedDict()
        )
        self._ids = itertools.count(1)
        self._head_timer: asyncio.TimerHandle | None = None
        self.alive = True
        self._tasks = [
            asyncio.create_task(self._read_replies()),
            asyncio.create_task(self._forward_stderr()),
        ]

    @classmethod
    async def spawn(cls, node: str, module_dir: Path, startup_timeout_s: float) -> _Worker:
        proc = await asyncio.create_subprocess_exec(
            node,
            str(WORKER_SCRIPT),
            str(module_dir),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=_LINE_LIMIT,
        )
        assert proc.stdout is not None and proc.stderr is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), startup_timeout_s)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise JsWorkerError("the Node worker did not start in time", kind="worker") from None
        if not line:
            stderr = (await proc.stderr.read()).decode(errors="replace").strip()
            await proc.wait()
            raise JsWorkerError(f"the Node worker failed to start: {stderr}", kind="worker")
        hello = json.loads(line)
        major = int(str(hello.get("node", "0")).split(".")[0])
        if major < MIN_NODE_MAJOR:
            proc.kill()
            await proc.wait()
            raise NodeNotFoundError(f"Node.js {hello.get('node')} is too old. {_INSTALL_HINT}")
        return cls(proc)

    async def call(self, message: dict[str, Any], hang_timeout_s: float) -> dict[str, Any]:
        if not self.alive:
            raise _WorkerDied
        rid = next(self._ids)
        data = json.dumps({"id": rid, **message}, separators=(",", ":"), default=_json_default)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        # Registering and writing happen without an await in between, so the order of _pending is
        # the order in which the worker will process the requests.
        self._pending[rid] = (future, hang_timeout_s)
        if len(self._pending) == 1:
            self._arm_head_timer()
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data.encode() + b"\n")
            await self._proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            self._die()
        return await future

    def _arm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if self.alive and self._pending:
            rid, (_, hang_timeout_s) = next(iter(self._pending.items()))
            loop = asyncio.get_running_loop()
            self._head_timer = loop.call_later(hang_timeout_s, self._on_hang, rid)

    def _on_hang(self, rid: int) -> None:
        if not self._pending or next(iter(self._pending)) != rid:
            return
        future, hang_timeout_s = self._pending.pop(rid)
        if not future.done():
            future.set_exception(
                JsTimeoutError(
                    f"code.js: the worker did not answer within {hang_timeout_s:g} s; restarted it",
                    kind="timeout",
                )
            )
        log.warning("APPSYNC_JS worker unresponsive for %.1f s; killing it", hang_timeout_s)
        self._die()

    async def _read_replies(self) -> None:
        assert self._proc.stdout is not None
        try:
            while line := await self._proc.stdout.readline():
                reply = json.loads(line)
                entry = self._pending.pop(reply.get("id"), None)
                if entry is not None and not entry[0].done():
                    entry[0].set_result(reply)
                self._arm_head_timer()
        except (ValueError, asyncio.LimitOverrunError) as exc:
            log.error("APPSYNC_JS worker sent an unreadable reply: %s", exc)
        finally:
            self._die()

    async def _forward_stderr(self) -> None:
        # console.* output of resolver code (the worker prefixes it with [Type.field handler]).
        assert self._proc.stderr is not None
        with contextlib.suppress(ValueError, asyncio.LimitOverrunError):
            while line := await self._proc.stderr.readline():
                log.info("%s", line.decode(errors="replace").rstrip())

    def _die(self) -> None:
        if not self.alive:
            return
        self.alive = False
        if self._head_timer is not None:
            self._head_timer.cancel()
        for future, _ in self._pending.values():
            if not future.done():
                future.set_exception(_WorkerDied())
        self._pending.clear()
        if self._proc.returncode is None:
            self._proc.kill()

    async def close(self) -> None:
        self._die()
        with contextlib.suppress(ProcessLookupError):
            await self._proc.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class JsRuntime:
    """Evaluates APPSYNC_JS ``request``/``response`` handlers; one Node worker per instance.

    Usage: ``js = JsRuntime()``, then ``await js.evaluate(code, "request", ctx)`` from any number
    of tasks, and ``await js.close()`` on shutdown (or ``async with JsRuntime() as js``).
    """

    def __init__(
        self,
        *,
        node: str | None = None,
        timeout_s: float = 5.0,
        grace_s: float = 5.0,
        work_dir: str | Path | None = None,
        startup_timeout_s: float = 20.0,
    ) -> None:
        self._node_hint = node
        self.timeout_s = timeout_s
        self.grace_s = grace_s  # extra time before an unresponsive worker is killed
        self._startup_timeout_s = startup_timeout_s
        self._own_dir = work_dir is None
        self._dir: Path | None = Path(work_dir) if work_dir is not None else None
        self._installed: set[str] = set()
        self._worker: _Worker | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    async def __aenter__(self) -> JsRuntime:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Start the worker now (otherwise the first evaluation does); raises NodeNotFoundError."""
        await self._current_worker()

    async def evaluate(
        self,
        code: str,
        function: Handler,
        ctx: dict[str, Any],
        *,
        auth_type: str | None = None,
        timeout_s: float | None = None,
    ) -> JsResult:
        """Run ``function`` ("request" or "response") of ``code`` with the context ``ctx``.

        ``ctx`` is the AppSync context as JSON: arguments, identity, source, result, error, prev,
        stash, info, request. ``auth_type`` is the request's AuthMode value (e.g. "API_KEY") that
        ``util.authType()`` reports; without it the mode is guessed from ``identity``.
        Raises :class:`JsRuntimeError` for code defects and timeouts.
        """
        if function not in ("request", "response"):
            raise ValueError(f"function must be 'request' or 'response', not {function!r}")
        timeout = self.timeout_s if timeout_s is None else timeout_s
        message = {
            "op": "eval",
            "module": self._install(code),
            "fn": function,
            "ctx": ctx,
            "timeoutMs": max(1, int(timeout * 1000)),
            "authType": str(getattr(auth_type, "value", auth_type)) if auth_type else None,
        }
        return JsResult.from_wire(await self._call(message, timeout + self.grace_s))

    async def preload(self, code: str) -> None:
        """Load ``code`` and check it exports ``request`` and ``response`` (fail fast at startup,
        like AppSync rejecting the resolver on deployment). Raises :class:`JsCodeError`."""
        message = {"op": "load", "module": self._install(code)}
        await self._call(message, self.timeout_s + self.grace_s)

    async def close(self) -> None:
        self._closed = True
        async with self._lock:
            if self._worker is not None:
                await self._worker.close()
                self._worker = None
        if self._own_dir and self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    # -- internals ---------------------------------------------------------------------------

    def _module_dir(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="appsync-js-"))
        self._dir.mkdir(parents=True, exist_ok=True)
        return self._dir

    def _install(self, code: str) -> str:
        sha = hashlib.sha256(code.encode("utf-8")).hexdigest()
        if sha not in self._installed:
            target = self._module_dir() / f"{sha}.mjs"
            if not target.exists():
                tmp = target.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(code, encoding="utf-8")
                tmp.replace(target)  # atomic: the worker never imports a half-written file
            self._installed.add(sha)
        return sha

    async def _current_worker(self) -> _Worker:
        if self._closed:
            raise JsWorkerError("the JsRuntime is closed", kind="worker")
        async with self._lock:
            if self._worker is None or not self._worker.alive:
                if self._worker is not None:
                    await self._worker.close()
                node = find_node(self._node_hint)
                self._worker = await _Worker.spawn(
                    node, self._module_dir(), self._startup_timeout_s
                )
            return self._worker

    async def _call(self, message: dict[str, Any], hang_timeout_s: float) -> dict[str, Any]:
        # A request in flight when the worker dies (because another one hung it) is retried once.
        for attempt in range(2):
            worker = await self._current_worker()
            try:
                reply = await worker.call(message, hang_timeout_s)
            except _WorkerDied:
                if attempt:
                    raise JsWorkerError(
                        "the Node worker died twice while evaluating this code; see the log",
                        kind="worker",
                    ) from None
                continue
            if not reply.get("ok"):
                raise _error_from_reply(reply)
            return reply
        raise AssertionError("unreachable")


def _error_from_reply(reply: dict[str, Any]) -> JsRuntimeError:
    kind = str(reply.get("kind") or "runtime")
    message = str(reply.get("message") or "code.js: evaluation failed")
    if kind == "timeout":
        return JsTimeoutError(message, kind=kind)
    if kind == "protocol":
        return JsWorkerError(message, kind=kind)
    return JsCodeError(message, kind=kind)
