"""Comprehend and Translate clients answered by botocore's Stubber, for the cost model.

Stubber validates every request against the real service model, so the adapters'
calls are checked as on AWS; responses are queued on demand (a handler registered ahead
of the Stubber's own queues the canned answer for whatever operation is being called),
because how many calls a message makes is exactly what is being measured.
"""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber

POSITIVE = {"Sentiment": "POSITIVE",
            "SentimentScore": {"Positive": 0.96, "Negative": 0.01, "Neutral": 0.02,
                               "Mixed": 0.01}}
NEGATIVE = {"Sentiment": "NEGATIVE",
            "SentimentScore": {"Positive": 0.01, "Negative": 0.95, "Neutral": 0.03,
                               "Mixed": 0.01}}


class Responder:
    """Canned answers; `sentiment` decides whether the next messages pass the gate."""

    def __init__(self) -> None:
        self.sentiment: dict[str, Any] = POSITIVE
        self.stubbers: list[Stubber] = []

    def attach(self, client: Any) -> Any:
        stubber = Stubber(client)
        client.meta.events.register_first("before-parameter-build.*.*", self._queue(stubber),
                                          unique_id=f"bench-auto-{id(stubber)}")
        stubber.activate()
        self.stubbers.append(stubber)
        return client

    def _queue(self, stubber: Stubber) -> Any:
        def queue(params: dict[str, Any], model: Any, **_: Any) -> None:
            from botocore import xform_name

            stubber.add_response(xform_name(model.name), self.answer(model.name, params))

        return queue

    def answer(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("Text", ""))
        if operation == "DetectDominantLanguage":
            return {"Languages": [{"LanguageCode": "en", "Score": 0.99}]}
        if operation == "DetectSentiment":
            return dict(self.sentiment)
        if operation == "BatchDetectSentiment":
            return {"ResultList": [{"Index": i, **self.sentiment}
                                   for i in range(len(params.get("TextList", [])))],
                    "ErrorList": []}
        if operation == "DetectKeyPhrases":
            words = [w.strip(",.!?()") for w in text.split() if len(w) > 5][:2]
            return {"KeyPhrases": [{"Text": w, "Score": 0.98, "BeginOffset": 0, "EndOffset": 1}
                                   for w in words]}
        if operation == "DetectEntities":
            return {"Entities": [{"Text": "Lisbon", "Type": "LOCATION", "Score": 0.97,
                                  "BeginOffset": 0, "EndOffset": 6}] if "Lisbon" in text else []}
        if operation == "TranslateText":
            return {"TranslatedText": f"[{params['TargetLanguageCode']}] {text}",
                    "SourceLanguageCode": params["SourceLanguageCode"],
                    "TargetLanguageCode": params["TargetLanguageCode"]}
        raise AssertionError(f"no canned answer for {operation}")
