"""The parent's side of bench._subscribers: N subscribers spread over a few processes.

One asyncio process reads ~10-20k small frames per second before its own loop becomes
the bottleneck on this machine, so large pools are split (`per_process`). Each worker
reports the CPU it used, which the report shows next to the server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import sys
from dataclasses import dataclass, field
from typing import Any

from ._machine import REPO
from ._procs import die_with_parent


@dataclass
class Collected:
    rows: list[list[Any]]  # [global conn index, recv ns, {field: value}]
    cpu_s: float  # total CPU seconds of all workers since they started
    errors: list[str] = field(default_factory=list)
    open_connections: int = 0


class SubscriberPool:
    def __init__(self, *, url: str, header: dict[str, str], query: str,
                 variables: dict[str, Any], field_name: str, fields: list[str], count: int,
                 per_process: int = 500, compression: str | None = None) -> None:
        self.count = count
        self.sizes = _split(count, max(1, math.ceil(count / per_process)))
        self.spec = {"url": url, "header": header, "query": query, "variables": variables,
                     "field": field_name, "fields": fields, "compression": compression}
        self.procs: list[asyncio.subprocess.Process] = []
        self.connect_s = 0.0
        self.errors: list[str] = []

    async def __aenter__(self) -> SubscriberPool:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self, timeout_s: float = 300.0) -> None:
        for size in self.sizes:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench._subscribers", cwd=REPO,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                limit=2**28, preexec_fn=die_with_parent)
            self.procs.append(proc)
            await self._send(proc, {**self.spec, "count": size})
        replies = await asyncio.wait_for(
            asyncio.gather(*(self._recv(p) for p in self.procs)), timeout_s)
        ready = sum(int(r["ready"]) for r in replies)
        self.connect_s = max(float(r["connect_s"]) for r in replies)
        self.errors = [e for r in replies for e in r["errors"]]
        if ready != self.count:
            await self.close()
            raise RuntimeError(f"only {ready}/{self.count} subscribers connected: "
                               f"{self.errors[:3]}")

    async def wait(self, frames_per_subscriber: int, timeout_s: float) -> bool:
        """Until every worker holds frames_per_subscriber x its size frames (or timeout)."""
        for proc, size in zip(self.procs, self.sizes, strict=True):
            await self._send(proc, {"cmd": "wait", "count": frames_per_subscriber * size,
                                    "timeout": timeout_s})
        replies = await asyncio.gather(*(self._recv(p) for p in self.procs))
        return all(r["ok"] for r in replies)

    async def collect(self) -> Collected:
        for proc in self.procs:
            await self._send(proc, {"cmd": "collect"})
        replies = await asyncio.gather(*(self._recv(p) for p in self.procs))
        rows: list[list[Any]] = []
        offset = 0
        for reply, size in zip(replies, self.sizes, strict=True):
            for conn, recv_ns, values in reply["rows"]:
                rows.append([conn + offset, recv_ns, values])
            offset += size
        return Collected(rows, sum(float(r["cpu_s"]) for r in replies),
                         [e for r in replies for e in r["errors"]],
                         sum(int(r["open"]) for r in replies))

    async def close(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    await self._send(proc, {"cmd": "close"})
        for proc in self.procs:
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        self.procs = []

    async def _send(self, proc: asyncio.subprocess.Process, obj: dict[str, Any]) -> None:
        assert proc.stdin is not None
        proc.stdin.write((json.dumps(obj) + "\n").encode())
        await proc.stdin.drain()

    async def _recv(self, proc: asyncio.subprocess.Process) -> dict[str, Any]:
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        if not line:
            raise RuntimeError(f"subscriber worker {proc.pid} exited ({proc.returncode})")
        return json.loads(line)  # type: ignore[no-any-return]


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]
