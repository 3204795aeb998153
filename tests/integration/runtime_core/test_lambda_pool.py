"""LambdaPool on its own: warm workers, concurrency, init errors, logs."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path

import pytest

import appsync_local.lambda_pool as pool_module
from appsync_local.api_model import FunctionSpec
from appsync_local.lambda_pool import LambdaInvokeError, LambdaPool

CODE = Path(__file__).parent / "fixtures" / "pool_handlers"


def _spec(handler: str = "sleepy.lambda_handler", timeout: int = 5) -> FunctionSpec:
    return FunctionSpec(logical_id="Sleepy", function_name="sleepy-fn",
                        arn="arn:aws:lambda:us-east-1:000000000000:function:sleepy-fn",
                        code_uri=CODE, handler=handler, runtime="python3.11",
                        timeout_s=timeout, environment={"ONLY_THIS": "1"})


async def test_workers_stay_warm_and_run_in_parallel() -> None:
    pool = LambdaPool({"Sleepy": _spec()}, workers_per_function=2)
    try:
        first = await pool.invoke("Sleepy", {})
        started = time.monotonic()
        results = await asyncio.gather(*(pool.invoke("Sleepy", {"sleep": 0.4}) for _ in range(4)))
        elapsed = time.monotonic() - started
    finally:
        await pool.close()
    # Four 0.4 s calls on two workers take two waves, not four (and not one)
    assert 0.75 < elapsed < 1.6
    pids = {r["pid"] for r in results}
    assert len(pids) == 2 and first["pid"] in pids
    assert all(r["cold_starts"] == 1 for r in results)  # module state survives between calls
    assert results[0]["path0"] == str(CODE)
    env = set(results[0]["env"])
    assert "ONLY_THIS" in env and "HOME" not in env and "PYTEST_CURRENT_TEST" not in env
    # The runtime's own directory is not importable from the function, and nothing there
    # shadows the standard library (json's C speedups are in use).
    runtime_dir = str(Path(pool_module.__file__).resolve().parent)
    assert runtime_dir not in results[0]["sys_path"]
    assert results[0]["json_c"] == [True, True, True]


def test_no_runtime_module_is_named_like_a_standard_module() -> None:
    # The Lambda worker runs as a script from appsync_local/; a module there named like a
    # standard one (``_json.py`` did) would shadow it for the worker's first imports.
    runtime_dir = Path(pool_module.__file__).resolve().parent
    names = {p.stem for p in runtime_dir.glob("*.py")} | {
        p.name for p in runtime_dir.iterdir() if (p / "__init__.py").is_file()}
    assert not names & set(sys.stdlib_module_names)


async def test_handler_output_is_logged_with_the_function_name(
        caplog: pytest.LogCaptureFixture) -> None:
    pool = LambdaPool({"Sleepy": _spec()}, workers_per_function=1)
    caplog.set_level(logging.INFO, logger="appsync_local.lambda")
    try:
        await pool.invoke("Sleepy", {})
        await asyncio.sleep(0.2)  # the log reader is a thread
    finally:
        await pool.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "appsync_local.lambda"]
    assert "[sleepy-fn] hello from sleepy-fn" in lines
    assert "[sleepy-fn] to stderr" in lines


@pytest.mark.parametrize(("handler", "kind", "message"), [
    ("missing_module.handler", "Runtime.ImportModuleError",
     "Unable to import module 'missing_module': No module named 'missing_module'"),
    ("sleepy.nope", "Runtime.HandlerNotFound", "Handler 'nope' missing on module 'sleepy'"),
])
async def test_init_errors(handler: str, kind: str, message: str) -> None:
    pool = LambdaPool({"Sleepy": _spec(handler)}, workers_per_function=1)
    try:
        for _ in range(2):  # the slot is released: a second call fails the same way
            with pytest.raises(LambdaInvokeError) as exc:
                await pool.invoke("Sleepy", {})
            assert exc.value.error_type == "Lambda:Unhandled"
            assert exc.value.function_error_type == kind
            assert exc.value.message == message
    finally:
        await pool.close()


async def test_queued_callers_survive_a_timeout() -> None:
    pool = LambdaPool({"Sleepy": _spec(timeout=1)}, workers_per_function=1)
    try:
        slow = asyncio.ensure_future(pool.invoke("Sleepy", {"sleep": 3}))
        await asyncio.sleep(0.05)
        queued = asyncio.ensure_future(pool.invoke("Sleepy", {}))
        with pytest.raises(LambdaInvokeError) as exc:
            await slow
        assert exc.value.function_error_type == "Sandbox.Timedout"
        assert (await asyncio.wait_for(queued, 10))["cold_starts"] == 1
    finally:
        await pool.close()


async def test_remaining_time_counts_from_the_start_of_the_invocation() -> None:
    """get_remaining_time_in_millis() starts at the function's Timeout when the handler
    gets the event - waiting for a busy worker or a cold start does not eat into it (handlers
    derive their time budget from it) - and counts down in real time."""
    pool = LambdaPool({"Sleepy": _spec(timeout=5)}, workers_per_function=1)
    try:
        busy = asyncio.ensure_future(pool.invoke("Sleepy", {"sleep": 1.5}))
        await asyncio.sleep(0.05)
        queued = await pool.invoke("Sleepy", {"sleep": 0.5})  # waited ~1.5 s for the worker
        first = await busy
    finally:
        await pool.close()
    for result in (first, queued):
        assert 4_000 < result["remaining_ms"] <= 5_000, result["remaining_ms"]
    assert 3_000 < first["remaining_ms_after"] <= first["remaining_ms"] - 1_400
    assert queued["remaining_ms_after"] <= queued["remaining_ms"] - 400
