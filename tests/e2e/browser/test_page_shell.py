"""The page itself, served as static files without any API: configuration errors are
explained, the Content-Security-Policy is really enforced, sign-in is keyboard-usable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._stub_appsync import static_server
from .conftest import WEB_DIR

CONFIG = {
    "graphqlUrl": "http://127.0.0.1:9/graphql",  # port 9 (discard): nothing answers
    "realtimeUrl": "ws://127.0.0.1:9/graphql",
    "region": "us-east-1",
    "userPool": {"id": "us-east-1_test", "clientId": "client", "endpoint": "http://127.0.0.1:9"},
}


@pytest.fixture
def site() -> Iterator[str]:
    with static_server(WEB_DIR) as origin:
        yield origin


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def serve_config(page: Any, config: dict[str, Any] | str) -> None:
    body = config if isinstance(config, str) else json.dumps(config)
    page.route("**/config.json", lambda route, _request: route.fulfill(
        status=200, content_type="application/json", body=body))


def test_missing_config_is_explained(page: Any, site: str, output_dir: Path) -> None:
    page.route("**/config.json", lambda route, _request: route.fulfill(status=404, body=""))
    page.goto(f"{site}/")
    fatal = page.locator("#fatal")
    fatal.wait_for()
    assert "config.json was not found" in fatal.text_content()
    assert "make run" in fatal.text_content()
    page.screenshot(path=str(output_dir / "shell-missing-config.png"))


def test_invalid_config_names_the_problem(page: Any, site: str) -> None:
    serve_config(page, {"graphqlUrl": "ftp://x", "region": "us-east-1"})
    page.goto(f"{site}/")
    page.locator("#fatal").wait_for()
    text = page.locator("#fatal").text_content()
    assert "graphqlUrl must use" in text and "userPool.id and userPool.clientId" in text


def test_sign_in_is_keyboard_first_and_reports_an_unreachable_provider(
        page: Any, site: str, output_dir: Path) -> None:
    serve_config(page, CONFIG)
    page.goto(f"{site}/")
    username = page.get_by_label("Username")
    username.wait_for()
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong password")
    page.keyboard.press("Enter")
    error = page.locator("#signin-error")
    error.filter(has_text="Cannot reach the sign-in service").wait_for()
    page.screenshot(path=str(output_dir / "shell-signin-error.png"))
    assert page.errors == []


def test_csp_blocks_html_injection_and_foreign_hosts(page: Any, site: str) -> None:
    serve_config(page, CONFIG)
    page.goto(f"{site}/")
    page.get_by_label("Username").wait_for()
    # Trusted Types ('none'): assigning an HTML string throws, whoever tries.
    outcome = page.evaluate("""() => {
      try { document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=alert(1)>'); return 'allowed'; }
      catch (e) { return e.name; }
    }""")
    assert outcome == "TypeError"
    # connect-src: a host outside the policy is refused by the browser.
    violated = page.evaluate("""async () => {
      const seen = new Promise((resolve) => document.addEventListener(
        'securitypolicyviolation', (e) => resolve(e.effectiveDirective), {once: true}));
      fetch('https://example.com/').catch(() => {});
      return seen;
    }""")
    assert violated == "connect-src"
