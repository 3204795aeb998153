"""A loopback HTTP stand-in for Comprehend, Translate and the AppSync GraphQL endpoint.

The cold-start probes run the handlers unmodified in fresh interpreters, so their AWS
clients must reach *something* over HTTP: botocore's `AWS_ENDPOINT_URL_COMPREHEND` /
`AWS_ENDPOINT_URL_TRANSLATE` and the publisher's `GRAPHQL_URL` point here. Answers are
canned but shaped like the services' (JSON 1.1 protocol, keyed on X-Amz-Target), so the
first invocation runs the real client code paths: endpoint resolution, signing, the
connection pool, response parsing.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SENTIMENT = {"Sentiment": "POSITIVE",
             "SentimentScore": {"Positive": 0.95, "Negative": 0.01, "Neutral": 0.03,
                                "Mixed": 0.01}}
COMPREHEND: dict[str, dict[str, Any]] = {
    "DetectDominantLanguage": {"Languages": [{"LanguageCode": "en", "Score": 0.99}]},
    "DetectSentiment": SENTIMENT,
    "DetectKeyPhrases": {"KeyPhrases": [
        {"Text": "sunny day", "Score": 0.99, "BeginOffset": 11, "EndOffset": 20}]},
    "DetectEntities": {"Entities": [
        {"Text": "Rome", "Type": "LOCATION", "Score": 0.99, "BeginOffset": 24, "EndOffset": 28}]},
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real endpoints

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        target = self.headers.get("x-amz-target", "")
        if target:
            answer = _aws(target.rsplit(".", 1)[-1], body)
            content_type = "application/x-amz-json-1.1"
        else:
            answer = _graphql(body)
            content_type = "application/json"
        payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _aws(operation: str, body: dict[str, Any]) -> dict[str, Any]:
    if operation == "TranslateText":
        return {"TranslatedText": body.get("Text", ""),
                "SourceLanguageCode": body.get("SourceLanguageCode", "en"),
                "TargetLanguageCode": body.get("TargetLanguageCode", "fr")}
    if operation == "BatchDetectSentiment":
        return {"ResultList": [{"Index": i, **SENTIMENT}
                               for i in range(len(body.get("TextList", [])))], "ErrorList": []}
    return COMPREHEND.get(operation, {})


def _graphql(body: dict[str, Any]) -> dict[str, Any]:
    """Echo the publish mutation's variables under its field name (a NONE data source)."""
    query = str(body.get("query", ""))
    for field in ("publishMessage", "publishTagCloud", "publishRoom"):
        if field in query:
            return {"data": {field: body.get("variables") or {}}}
    return {"data": None, "errors": [{"message": "unknown operation"}]}


class AwsStub:
    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> AwsStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
