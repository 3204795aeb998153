"""A fresh APPSYNC_JS runtime (one Node worker) per test; skipped where Node.js is missing."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest

from appsync_local.js import JsRuntime


@pytest.fixture
async def js() -> AsyncIterator[JsRuntime]:
    if shutil.which("node") is None and shutil.which("nodejs") is None:
        pytest.skip("Node.js is not installed (Debian: apt-get install -y nodejs)")
    runtime = JsRuntime(timeout_s=2.0, grace_s=3.0)
    try:
        yield runtime
    finally:
        await runtime.close()
