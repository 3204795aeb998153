"""Warm Lambda "execution environments": one subprocess per worker, a few per function.

Each worker runs ``_lambda_worker.py`` with exactly the function's environment
(``FunctionSpec.environment`` + the variables the Lambda runtime itself provides),
``sys.path[0]`` = its CodeUri, and stays warm between invocations. I/O with the
workers uses threads, not asyncio subprocesses, so the pool is not tied to one event
loop (the HTTP app, the real-time hub and the stream poller may run on different ones).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ._lambda_process import WorkerProcess, WorkerSlots
from .api_model import FunctionSpec

logger = logging.getLogger(__name__)

UNHANDLED = "Lambda:Unhandled"
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # Lambda synchronous invocation limit, each way
INIT_TIMEOUT_S = 10.0  # Lambda's init phase limit for on-demand functions
_WORKER = os.path.join(os.path.dirname(__file__), "_lambda_worker.py")


class LambdaInvokeError(Exception):
    """An invocation failed.

    ``error_type`` is what AppSync reports (``Lambda:Unhandled`` for function errors);
    ``function_error_type`` is Lambda's own ``errorType`` (``ValueError``,
    ``Runtime.ImportModuleError``, ``Sandbox.Timedout``...), useful to stream pollers.
    """

    def __init__(self, error_type: str, message: str, *,
                 function_error_type: str | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.function_error_type = function_error_type


class LambdaPool:
    """Invoke template functions by logical id, each in its own warm worker processes."""

    def __init__(self, functions: Mapping[str, FunctionSpec], *, workers_per_function: int = 2,
                 python: str = sys.executable) -> None:
        self._functions = dict(functions)
        self._python = python
        self._slots = {fid: WorkerSlots(workers_per_function) for fid in self._functions}
        self._closed = False

    @property
    def functions(self) -> Mapping[str, FunctionSpec]:
        return self._functions

    async def invoke(self, function_id: str, event: Any) -> Any:
        """Run the function's handler with ``event``; return its (JSON) result.

        Raises
        ------
        LambdaInvokeError
            The handler raised, timed out, crashed, or returned something unserialisable.
        KeyError
            ``function_id`` is not a function of the template.
        """
        if self._closed:
            raise LambdaInvokeError(UNHANDLED, "Lambda pool is closed")
        spec = self._functions[function_id]
        request_id = str(uuid.uuid4())
        body = json.dumps(event)
        if len(body) + _ENVELOPE_BYTES > MAX_PAYLOAD_BYTES:
            raise LambdaInvokeError(
                "Lambda:RequestEntityTooLargeException",
                f"Request must be smaller than {MAX_PAYLOAD_BYTES} bytes for the "
                "InvokeFunction operation", function_error_type="RequestEntityTooLargeException")
        slots = self._slots[function_id]
        worker = await slots.acquire()
        try:
            if worker is None:
                worker = await self._start(spec)
                slots.register(worker)
            # The function's time starts when its worker receives the event, as on Lambda
            # (the init phase and waiting for a free environment do not count), so the
            # context's get_remaining_time_in_millis() and the kill below agree.
            reply = await worker.call(_request_line(body, request_id, spec.timeout_s),
                                      spec.timeout_s)
        except asyncio.CancelledError:
            # The caller went away mid-call (e.g. a WebSocket closed while its start's
            # resolver ran). Replies are matched by order, so the worker's pending reply
            # would reach the NEXT caller: replace the worker instead of reusing it.
            if worker is not None:
                worker.kill()
            raise
        except TimeoutError:
            assert worker is not None
            worker.kill()
            # Lambda's own wording for a timed-out invocation's errorMessage.
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            raise LambdaInvokeError(
                UNHANDLED,
                f"{stamp} {request_id} Task timed out after {spec.timeout_s:.2f} seconds",
                function_error_type="Sandbox.Timedout") from None
        finally:
            slots.release(worker if worker is not None and worker.alive else None)
        return _unwrap(reply, spec)

    async def _start(self, spec: FunctionSpec) -> WorkerProcess:
        env = _runtime_env(spec)
        worker = WorkerProcess(
            [self._python, "-u", _WORKER, str(spec.code_uri), spec.handler],
            env=env, cwd=str(spec.code_uri), log_prefix=spec.function_name,
        )
        try:
            hello = await worker.wait_ready(INIT_TIMEOUT_S)
        except TimeoutError:
            worker.kill()
            raise LambdaInvokeError(UNHANDLED, f"Init phase timed out after {INIT_TIMEOUT_S} s",
                                    function_error_type="Runtime.InitTimeout") from None
        if hello.get("type") != "ready":
            worker.kill()
            raise LambdaInvokeError(UNHANDLED, str(hello.get("errorMessage")),
                                    function_error_type=str(hello.get("errorType")))
        logger.info("[%s] worker started (pid %s)", spec.function_name, worker.pid)
        return worker

    async def close(self) -> None:
        self._closed = True
        for slots in self._slots.values():
            for worker in slots.drain():
                worker.close()
        await asyncio.sleep(0)


# {"event": , "request_id": "<uuid>", "deadline_ms": <13 digits>} around the event.
_ENVELOPE_BYTES = 96


def _request_line(body: str, request_id: str, timeout_s: float) -> str:
    """The worker's request: the event (already JSON) and the invocation's deadline in epoch
    milliseconds, which the worker's context counts down from (like Lambda's
    ``Lambda-Runtime-Deadline-Ms``)."""
    deadline_ms = int((time.time() + timeout_s) * 1000)
    return (f'{{"event": {body}, "request_id": {json.dumps(request_id)}, '
            f'"deadline_ms": {deadline_ms}}}')


def _unwrap(reply: dict[str, Any], spec: FunctionSpec) -> Any:
    kind = reply.get("type")
    if kind == "result":
        return reply.get("result")
    if kind == "error":
        raise LambdaInvokeError(UNHANDLED, str(reply.get("errorMessage")),
                                function_error_type=str(reply.get("errorType")))
    if kind == "crash":
        raise LambdaInvokeError(
            UNHANDLED, f"Error: Runtime exited with error: {reply.get('detail')}",
            function_error_type="Runtime.ExitError")
    if kind == "too_large":
        raise LambdaInvokeError(
            UNHANDLED, "Response payload size exceeded maximum allowed payload size "
            f"({MAX_PAYLOAD_BYTES} bytes).", function_error_type="Function.ResponseSizeTooLarge")
    raise LambdaInvokeError(UNHANDLED, f"unexpected worker reply from {spec.function_name}")


def _runtime_env(spec: FunctionSpec) -> dict[str, str]:
    """The function's environment plus what the Lambda runtime sets for every function."""
    env = dict(spec.environment)
    env.update({
        "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": datetime.now(UTC).strftime("%Y/%m/%d/")
        + "[$LATEST]" + uuid.uuid4().hex,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "LAMBDA_TASK_ROOT": str(spec.code_uri),
        "_HANDLER": spec.handler,
        "APPSYNC_LOCAL_FUNCTION_ARN": spec.arn,
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "PATH": os.defpath if not env.get("PATH") else env["PATH"],
    })
    # Keep the host's ~/.aws files out of the function, as they are on Lambda.
    env.setdefault("AWS_CONFIG_FILE", os.devnull)
    env.setdefault("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return env
