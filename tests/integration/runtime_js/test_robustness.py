"""Worker behaviour under concurrency, broken code, runaway scripts and a missing Node."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from appsync_local.js import (
    JsCodeError,
    JsRuntime,
    JsTimeoutError,
    NodeNotFoundError,
)

ECHO = """
export function request(ctx) { return { payload: ctx.args } }
export function response(ctx) { return ctx.result }
"""


async def test_many_evaluations_in_parallel(js: JsRuntime) -> None:
    variants = [ECHO.replace("payload", f"payload{n}") for n in range(5)]

    async def one(i: int) -> None:
        code = variants[i % len(variants)]
        result = await js.evaluate(code, "request", {"arguments": {"i": i}})
        assert result.value == {f"payload{i % len(variants)}": {"i": i}}

    await asyncio.gather(*(one(i) for i in range(300)))


async def test_syntax_error_is_a_clear_code_error(js: JsRuntime) -> None:
    code = "export function request(ctx) {\n  const x = ;\n}\nexport function response(ctx) {}\n"
    with pytest.raises(JsCodeError) as info:
        await js.evaluate(code, "request", {})
    assert info.value.kind == "syntax"
    assert info.value.error_type == "Code"
    assert info.value.message == "code.js:2:13: SyntaxError: Unexpected token ';'"
    with pytest.raises(JsCodeError):  # cached, same answer
        await js.preload(code)


async def test_runtime_error_points_at_the_line(js: JsRuntime) -> None:
    code = (
        "export function request(ctx) {\n  return ctx.args.missing.deeper;\n}\n"
        "export function response() {}\n"
    )
    with pytest.raises(JsCodeError) as info:
        await js.evaluate(code, "request", {"arguments": {}})
    assert info.value.kind == "runtime"
    assert info.value.message.startswith("code.js:2:")
    assert "TypeError: Cannot read properties of undefined (reading 'deeper')" in info.value.message


async def test_missing_export_and_bad_import(js: JsRuntime) -> None:
    with pytest.raises(JsCodeError) as info:
        await js.evaluate("export function request(ctx) { return 1 }", "response", {})
    assert info.value.kind == "missing_export" and "'response'" in info.value.message
    with pytest.raises(JsCodeError) as info:
        await js.preload("export function request(ctx) { return 1 }")
    assert info.value.kind == "missing_export"
    with pytest.raises(JsCodeError) as info:
        await js.evaluate(
            "import { nope } from '@aws-appsync/utils';\nexport function request() {}",
            "request",
            {},
        )
    assert info.value.kind == "load" and "nope" in info.value.message


async def test_async_handlers_and_unserialisable_results_are_rejected(js: JsRuntime) -> None:
    with pytest.raises(JsCodeError, match="synchronous"):
        await js.evaluate("export async function request(ctx) { return 1 }", "request", {})
    with pytest.raises(JsCodeError, match="JSON"):
        await js.evaluate("export function request(ctx) { return 10n }", "request", {})


async def test_infinite_loop_times_out_and_the_worker_keeps_serving(js: JsRuntime) -> None:
    looping = "export function request(ctx) { for (;;) {} }\nexport function response() {}"
    with pytest.raises(JsTimeoutError) as info:
        await js.evaluate(looping, "request", {}, timeout_s=0.3)
    assert info.value.kind == "timeout" and info.value.error_type == "Code"
    worker = js._worker
    assert (await js.evaluate(ECHO, "request", {"arguments": {"a": 1}})).value == {
        "payload": {"a": 1}
    }
    assert js._worker is worker  # interrupted in place, not restarted


async def test_a_hung_worker_is_replaced_and_innocent_requests_are_retried() -> None:
    # A hang in module top-level code is beyond the per-call watchdog: the host kills the worker.
    hanging = "while (true) {}\nexport function request(ctx) {}\nexport function response() {}"
    js = JsRuntime(timeout_s=0.3, grace_s=0.7)
    try:
        await js.start()
        first = js._worker
        hung = asyncio.create_task(js.evaluate(hanging, "request", {}))
        await asyncio.sleep(0.05)
        innocents = [
            asyncio.create_task(js.evaluate(ECHO, "request", {"arguments": {"i": i}}))
            for i in range(5)
        ]
        with pytest.raises(JsTimeoutError):
            await hung
        results = await asyncio.gather(*innocents)
        assert [r.value for r in results] == [{"payload": {"i": i}} for i in range(5)]
        assert js._worker is not first
    finally:
        await js.close()


async def test_python_values_from_boto3_are_serialised(js: JsRuntime) -> None:
    ctx = {"result": {"n": Decimal("3"), "f": Decimal("1.5"), "tags": {"a"}}}
    result = await js.evaluate(ECHO, "response", ctx)
    assert result.value == {"n": 3, "f": 1.5, "tags": ["a"]}


async def test_missing_node_tells_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("APPSYNC_LOCAL_NODE", raising=False)
    js = JsRuntime()
    with pytest.raises(NodeNotFoundError, match=r"apt-get install -y nodejs"):
        await js.evaluate(ECHO, "request", {})
    await js.close()
    with pytest.raises(NodeNotFoundError, match="/no/such/node"):
        await JsRuntime(node="/no/such/node").start()


async def test_closed_runtime_refuses_work(js: JsRuntime) -> None:
    await js.evaluate(ECHO, "request", {})
    await js.close()
    with pytest.raises(Exception, match="closed"):
        await js.evaluate(ECHO, "request", {})
