"""Browser tests: the real web UI (client/web) in headless Chromium, driven by Playwright.

Chromium is Debian's (tools/ensure-chromium.sh); Playwright's own browser download is
never used. Tests skip, with the reason and the fix, only when Chromium (or, for the
tests against the local runtime, Java / DynamoDB Local) is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._stub_appsync import StubAppSync

REPO = Path(__file__).resolve().parents[3]
WEB_DIR = REPO / "client" / "web"
OUTPUT_DIR = REPO / "test-output" / "browser"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@pytest.fixture
def stub() -> Iterator[StubAppSync]:
    """A scripted AppSync (HTTP + real-time) for tests that need no real runtime."""
    server = StubAppSync()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: run `bash tools/ensure-chromium.sh` "
                    "(Debian: apt-get install -y chromium chromium-driver)")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    # Imported here so the static checks in this folder run without Playwright.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright gives every launch a fresh temporary profile (user-data dir).
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can screenshot failed tests."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is None or report.failed
