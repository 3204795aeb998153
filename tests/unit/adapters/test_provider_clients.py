"""The Comprehend and Translate clients bootstrap builds: bounded timeouts and retries.

A provider call must not outlast the request's time budget on its own: connect 1 s,
read 3 s, botocore's standard retry mode, 3 calls in all for Comprehend and 2 for
Translate (docs/nlp.md, "Time budget"). Checked on the client configuration, and on the
wire against a loopback endpoint that always throttles (backoff sleeps patched out).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from positive_chat.adapters.nlp import ProviderThrottledError
from positive_chat.bootstrap import (
    PROVIDER_ATTEMPTS,
    PROVIDER_CONNECT_TIMEOUT_S,
    PROVIDER_READ_TIMEOUT_S,
    nlp_for,
    provider_config,
    translator_for,
)
from positive_chat.settings import Settings

AWS = Settings(table_name="chat", nlp_provider="aws", region="eu-west-1")


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_the_budget_constants_are_what_the_docs_say() -> None:
    assert PROVIDER_CONNECT_TIMEOUT_S == 1
    assert PROVIDER_READ_TIMEOUT_S == 3
    assert PROVIDER_ATTEMPTS == {"comprehend": 3, "translate": 2}
    config = provider_config("translate")
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}


def test_clients_are_built_with_bounded_timeouts_and_retries(credentials: None) -> None:
    nlp = nlp_for(AWS)
    clients = {
        "comprehend": nlp.sentiment._client,  # type: ignore[attr-defined]
        "translate": nlp.translator._client,  # type: ignore[attr-defined]
    }
    assert nlp.detector._client is clients["comprehend"]  # type: ignore[attr-defined]
    for service, client in clients.items():
        config = client.meta.config
        assert client.meta.service_model.service_name == service
        assert config.connect_timeout == 1
        assert config.read_timeout == 3
        assert config.retries == {
            "mode": "standard",
            "total_max_attempts": PROVIDER_ATTEMPTS[service],
        }


class _Throttling(BaseHTTPRequestHandler):
    """Answers every AWS JSON 1.1 request with a ThrottlingException; counts them."""

    calls: list[str] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            self.calls.append(self.headers.get("X-Amz-Target", ""))
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def throttling(monkeypatch: pytest.MonkeyPatch, credentials: None) -> Iterator[list[str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_COMPREHEND", endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_TRANSLATE", endpoint)
    # No backoff sleeps: the number of attempts is the point, not botocore's jitter.
    monkeypatch.setattr(
        "botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0
    )
    _Throttling.calls = []
    try:
        yield _Throttling.calls
    finally:
        server.shutdown()
        server.server_close()


def test_a_throttled_comprehend_call_is_tried_three_times_in_all(throttling: list[str]) -> None:
    nlp = nlp_for(AWS)
    with pytest.raises(ProviderThrottledError) as caught:
        nlp.sentiment.analyze("What a lovely day", "en")
    assert caught.value.info["retryable"] is True
    assert throttling == ["Comprehend_20171127.DetectSentiment"] * 3


def test_a_throttled_translate_call_is_tried_twice_in_all(throttling: list[str]) -> None:
    translator = translator_for(AWS)
    with pytest.raises(ProviderThrottledError):
        translator.translate("What a lovely day", "en", ["fr"])
    assert throttling == ["AWSShineFrontendService_20170701.TranslateText"] * 2
