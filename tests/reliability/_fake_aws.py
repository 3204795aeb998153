"""A tiny fake of Amazon Comprehend and Amazon Translate on 127.0.0.1, with faults on demand.

The resolver Lambda's boto3 clients reach it through botocore's own
``AWS_ENDPOINT_URL_COMPREHEND`` / ``AWS_ENDPOINT_URL_TRANSLATE`` (no code change). It
speaks the services' JSON 1.1 protocol (``X-Amz-Target``), answers deterministically
(English; NEGATIVE when the text holds an insult; key phrases = long words; translation
= ``[lang] text``), records every call, and fails calls on request: ``fail(operation,
times, status, code)`` makes the next ``times`` calls of that operation answer ``status``
with ``{"__type": code}`` - a throttling code, a 5xx, or a delay past the SDK's read
timeout.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INSULTS = ("hate", "stupid", "idiot", "awful")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (SDK read timeout) before a slow answer: not an error."""


@dataclass
class Fault:
    remaining: int  # -1: until cleared
    status: int
    code: str
    delay_s: float = 0.0


class FakeAws:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []  # (operation, outcome)
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeAws:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, operation: str, *, times: int = -1, status: int = 400,
             code: str = "ThrottlingException", delay_s: float = 0.0) -> None:
        with self._lock:
            self._faults[operation] = Fault(times, status, code, delay_s)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.calls.clear()

    def count(self, operation: str, outcome: str | None = None) -> int:
        with self._lock:
            return sum(1 for op, out in self.calls
                       if op == operation and (outcome is None or out == outcome))

    # ------------------------------------------------------------------ serving
    def _take_fault(self, operation: str) -> Fault | None:
        with self._lock:
            fault = self._faults.get(operation)
            if fault is None or fault.remaining == 0:
                return None
            if fault.remaining > 0:
                fault.remaining -= 1
            return fault

    def _record(self, operation: str, outcome: str) -> None:
        with self._lock:
            self.calls.append((operation, outcome))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                operation = (self.headers.get("x-amz-target") or ".").split(".", 1)[1]
                fault = fake._take_fault(operation)
                if fault is not None:
                    fake._record(operation, fault.code)
                    if fault.delay_s:
                        time.sleep(fault.delay_s)
                    self._send(fault.status, {"__type": fault.code,
                                              "message": f"injected {fault.code}"})
                    return
                try:
                    answer = _answer(operation, body)
                except KeyError:
                    fake._record(operation, "unknown")
                    self._send(400, {"__type": "UnknownOperationException"})
                    return
                fake._record(operation, "ok")
                self._send(200, answer)

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/x-amz-json-1.1")
                self.send_header("content-length", str(len(data)))
                self.send_header("x-amzn-requestid", "fake-request")
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _sentiment(text: str) -> dict[str, Any]:
    if any(word in text.lower() for word in INSULTS):
        return {"Sentiment": "NEGATIVE", "SentimentScore": {
            "Positive": 0.02, "Negative": 0.95, "Neutral": 0.02, "Mixed": 0.01}}
    return {"Sentiment": "POSITIVE", "SentimentScore": {
        "Positive": 0.9, "Negative": 0.02, "Neutral": 0.07, "Mixed": 0.01}}


def _answer(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    text = str(body.get("Text", ""))
    if operation == "DetectDominantLanguage":
        return {"Languages": [{"LanguageCode": "en", "Score": 0.99}]}
    if operation == "DetectSentiment":
        return _sentiment(text)
    if operation == "BatchDetectSentiment":
        return {"ResultList": [{"Index": i, **_sentiment(t)}
                               for i, t in enumerate(body.get("TextList", []))],
                "ErrorList": []}
    if operation == "DetectKeyPhrases":
        words = [m for m in re.finditer(r"[A-Za-z]{6,}", text)][:3]
        return {"KeyPhrases": [{"Text": m.group(), "Score": 0.99, "BeginOffset": m.start(),
                                "EndOffset": m.end()} for m in words]}
    if operation == "DetectEntities":
        return {"Entities": []}
    if operation == "TranslateText":
        target = body["TargetLanguageCode"]
        return {"TranslatedText": f"[{target}] {text}",
                "SourceLanguageCode": body["SourceLanguageCode"], "TargetLanguageCode": target}
    raise KeyError(operation)
