"""Benchmark 5 — AWS cost model: API calls, capacity units and dollars per message.

The real services, wired by the project's own bootstrap (`dynamodb_store` + the AWS NLP
adapters), post messages into rooms whose members read 1, 3 and 5 languages:
- the store is DynamoDB Local (ReturnConsumedCapacity gives the read/write units, GSIs
  included, by DynamoDB Local's accounting);
- Comprehend and Translate are botocore Stubber clients (requests validated against the
  service models, canned answers: the sentiment decides accepted vs. rejected);
- every AWS call is counted by botocore event hooks;
- the publisher side (stream records -> publications) runs the project's `plan()` over
  each message's own stream records (one batch per message: low traffic, the worst case
  for tag-cloud queries), counting its DynamoDB calls and the publish mutations.

Dollars per million messages at the public prices in bench/_prices.py (dated; verify),
side by side with the 2019 positive chat's NLP call pattern: DetectDominantLanguage +
DetectSentiment + DetectEntities per message and TranslateText per recipient reading
another language, per message, uncached.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import _prices as price
from ._aws_counter import CallCounter, Tally
from ._corpus import NEGATIVE_ENGLISH, positive_english
from ._model import Section
from ._procs import log
from ._store import REGION, local_aws_env, local_table, missing, room_with_languages, user
from ._stubbed_nlp import NEGATIVE, POSITIVE, Responder

ROOMS = {1: ["en"], 3: ["en", "fr", "es"], 5: ["en", "fr", "es", "de", "it"]}
READERS = 10  # subscribers per room assumed for real-time updates and the 2019 pattern
# Assumed AWS-side latencies for the Lambda duration estimate (not measurable offline).
ASSUMED_MS = {"comprehend": 30.0, "translate": 40.0, "dynamodb": 6.0, "publish": 25.0,
              "overhead": 15.0}
API_MEMORY_GB = 1.0  # template: ApiFunction MemorySize 1024
STREAM_MEMORY_GB = 0.5  # template: StreamPublisherFunction MemorySize 512


@dataclass
class MessageCost:
    """What one message cost, on both Lambda functions."""

    accepted: bool
    chars: int
    api: Tally
    publisher: Tally
    publications: dict[str, int] = field(default_factory=dict)

    def dollars(self) -> dict[str, float]:
        """$ for this message by service, at the prices of bench/_prices.py."""
        comprehend = self.api.service_calls("comprehend")
        translate = self.api.service_calls("translate")
        publishes = sum(self.publications.values())
        pushes = self.publications.get("MessageChanged", 0) + self.publications.get(
            "TagCloudChanged", 0)
        # Lambda duration is not measurable offline: estimated from the counted calls.
        api_s = (ASSUMED_MS["overhead"] + comprehend * ASSUMED_MS["comprehend"]
                 + translate * ASSUMED_MS["translate"]
                 + self.api.service_calls("dynamodb") * ASSUMED_MS["dynamodb"]) / 1e3
        stream_s = (ASSUMED_MS["overhead"] + publishes * ASSUMED_MS["publish"]
                    + self.publisher.service_calls("dynamodb") * ASSUMED_MS["dynamodb"]) / 1e3
        invocations = 2 if publishes else 1  # a rejected message never reaches the stream
        gb_seconds = api_s * API_MEMORY_GB + (stream_s * STREAM_MEMORY_GB if publishes else 0.0)
        return {
            "comprehend": comprehend * price.comprehend_units(self.chars)
            * price.COMPREHEND_PER_UNIT,
            "translate": translate * self.chars * price.TRANSLATE_PER_CHAR,
            "dynamodb": (self.api.write_units + self.publisher.write_units) * price.DYNAMODB_PER_WRU
            + (self.api.read_units + self.publisher.read_units) * price.DYNAMODB_PER_RRU,
            "appsync_operations": (1 + publishes) * price.APPSYNC_PER_OPERATION,
            "appsync_realtime": pushes * READERS * price.APPSYNC_PER_REALTIME_UPDATE,
            "lambda": invocations * price.LAMBDA_PER_REQUEST
            + gb_seconds * price.LAMBDA_PER_GB_SECOND_ARM,
        }


def original_2019(chars: int, languages: int, *, accepted: bool) -> dict[str, float]:
    """NLP dollars per message of the 2019 pattern (English sender, READERS recipients).

    Accepted: DetectDominantLanguage + DetectSentiment + DetectEntities, and one
    TranslateText per recipient whose language differs from the sender's (readers spread
    evenly over the room's languages), uncached. Rejected: language + sentiment, and the
    bot's reply in English needs no translation.
    """
    calls = 3 if accepted else 2
    recipients = READERS * (languages - 1) / languages if accepted else 0.0
    return {"comprehend": calls * price.comprehend_units(chars) * price.COMPREHEND_PER_UNIT,
            "translate": recipients * chars * price.TRANSLATE_PER_CHAR,
            "comprehend_calls": float(calls), "translate_calls": recipients}


def run(quick: bool = False) -> Section:
    per_room = 3 if quick else 10
    section = Section("cost", "AWS cost model: calls, capacity units and $ per message",
                      _method(per_room))
    started = time.monotonic()
    if reason := missing():
        section.status, section.reason = "skipped", reason
        return section
    try:
        _measure(section, per_room)
    except Exception as exc:
        section.status, section.reason = "error", f"{type(exc).__name__}: {exc}"[:800]
    section.duration_s = time.monotonic() - started
    return section


def _measure(section: Section, per_room: int) -> None:
    import boto3
    from positive_chat.bootstrap import build_services

    from ._store import dynamo_store

    with local_table() as table:
        with local_aws_env(table.endpoint):
            # A fresh default session: bootstrap's boto3.client(...) calls use it, and the
            # counter's handlers must be on it before any client is created.
            boto3.setup_default_session(region_name=REGION)
            assert boto3.DEFAULT_SESSION is not None
            counter = CallCounter()
            counter.attach(boto3.DEFAULT_SESSION.events)
        try:
            store = dynamo_store(table.endpoint)
            responder = Responder()
            with local_aws_env(table.endpoint):
                nlp = _stubbed_nlp(responder)
            services = build_services(store, nlp)
            for languages, codes in ROOMS.items():
                log(f"cost: room with {languages} language(s)")
                room_id = room_with_languages(services, codes)
                costs = [_post(services, table, counter, responder, room_id, store, text, True)
                         for text in positive_english(per_room, salt=uuid.uuid4().hex[:6])]
                costs += [_post(services, table, counter, responder, room_id, store,
                                NEGATIVE_ENGLISH[i % len(NEGATIVE_ENGLISH)] + f" ({i})", False)
                          for i in range(per_room)]
                _record(section, languages, costs)
        finally:
            counter.detach()
            boto3.DEFAULT_SESSION = None


def _stubbed_nlp(responder: Responder) -> Any:
    """The AWS NLP adapters, as bootstrap.nlp_for builds them, on Stubber clients."""
    import boto3
    from botocore.config import Config
    from positive_chat.adapters import nlp
    from positive_chat.bootstrap import Nlp

    config = Config(retries={"mode": "standard", "max_attempts": 3})
    comprehend = responder.attach(boto3.client("comprehend", region_name=REGION, config=config))
    translate = responder.attach(boto3.client("translate", region_name=REGION, config=config))
    return Nlp(nlp.ComprehendLanguageDetector(comprehend),
               nlp.ComprehendSentimentAnalyzer(comprehend),
               nlp.ComprehendTopicExtractor(comprehend), nlp.AmazonTranslator(translate))


def _post(services: Any, table: Any, counter: CallCounter, responder: Responder, room_id: str,
          store: Any, text: str, accepted: bool) -> MessageCost:
    from positive_chat.adapters.dynamodb import decode_stream_record
    from positive_chat.bootstrap import now_ms
    from positive_chat.domain.commands import PostMessage
    from positive_chat.services.publishing import plan

    from ._store import stream_records

    responder.sentiment = POSITIVE if accepted else NEGATIVE
    seen = len(stream_records(table))
    before = counter.snapshot()
    outcome = services.messages.post(PostMessage(user("alice"), room_id, text, uuid.uuid4().hex))
    api = counter.snapshot().minus(before)
    is_accepted = type(outcome).__name__ == "MessageAccepted"
    if is_accepted != accepted:
        raise RuntimeError(f"expected {'ACCEPTED' if accepted else 'REJECTED'}, got {outcome}")
    records = stream_records(table)[seen:]
    before = counter.snapshot()
    batch = plan([decode_stream_record(r) for r in records], store.stats, now_ms)
    publisher = counter.snapshot().minus(before)
    publications: dict[str, int] = {}
    for change in batch.changes:
        publications[type(change).__name__] = publications.get(type(change).__name__, 0) + 1
    return MessageCost(accepted, len(text), api, publisher, publications)


def _record(section: Section, languages: int, costs: list[MessageCost]) -> None:
    for accepted, kind in ((True, "accepted"), (False, "rejected")):
        group = [c for c in costs if c.accepted is accepted]
        tag = f"cost.l{languages}.{kind}"
        where = f"{kind}, {languages} language(s)"
        for service in ("comprehend", "translate", "dynamodb"):
            section.figure(f"{tag}.{service}_calls", f"{service} calls per message, {where}",
                           "calls", "ours").values.extend(
                float(c.api.service_calls(service) + c.publisher.service_calls(service))
                for c in group)
        section.figure(f"{tag}.rru", f"DynamoDB read units per message, {where}", "RRU",
                       "ours").values.extend(c.api.read_units + c.publisher.read_units
                                             for c in group)
        section.figure(f"{tag}.wru", f"DynamoDB write units per message, {where}", "WRU",
                       "ours").values.extend(c.api.write_units + c.publisher.write_units
                                             for c in group)
        section.figure(f"{tag}.publish_mutations", f"publish mutations per message, {where}",
                       "calls", "ours").values.extend(float(sum(c.publications.values()))
                                                      for c in group)
        dollars = [c.dollars() for c in group]
        total = section.figure(f"{tag}.usd_per_million", f"$ per million messages, {where}",
                               "USD", "ours")
        total.values.extend(1e6 * sum(d.values()) for d in dollars)
        nlp = section.figure(f"{tag}.nlp_usd_per_million",
                             f"Comprehend + Translate $ per million messages, {where}", "USD",
                             "ours")
        nlp.values.extend(1e6 * (d["comprehend"] + d["translate"]) for d in dollars)
        old = section.figure(f"{tag}.nlp_usd_per_million_2019",
                             f"2019 pattern: Comprehend + Translate $ per million, {where}",
                             "USD", "2019")
        old.values.extend(1e6 * sum(v for k, v in original_2019(c.chars, languages,
                                                                accepted=accepted).items()
                                    if not k.endswith("_calls")) for c in group)
        section.pair(f"{tag}.nlp_ours_over_2019", f"NLP $ ours / 2019, {where}",
                     nlp.key, old.key, "<1: ours spends less on Comprehend + Translate")
        section.details.setdefault("breakdown_usd_per_million", {})[f"l{languages}.{kind}"] = {
            name: round(1e6 * statistics.median(d[name] for d in dollars), 2)
            for name in dollars[0]}
        section.details.setdefault("calls_per_message", {})[f"l{languages}.{kind}"] = {
            name: statistics.median(float(c.api.calls.get(name, 0) + c.publisher.calls.get(name, 0))
                                    for c in group)
            for name in sorted({n for c in group for n in (*c.api.calls, *c.publisher.calls)})}
        section.details.setdefault("publications_per_message", {})[f"l{languages}.{kind}"] = {
            name: statistics.median(float(c.publications.get(name, 0)) for c in group)
            for name in sorted({n for c in group for n in c.publications})}
        section.details.setdefault("chars_per_message", {})[f"l{languages}.{kind}"] = (
            statistics.median(c.chars for c in group))
        section.details["2019_calls_per_message"] = {
            f"l{n}": original_2019(80, n, accepted=True) for n in ROOMS}


def _method(per_room: int) -> str:
    assumed = ", ".join(f"{k} {v:g} ms" for k, v in ASSUMED_MS.items())
    return (
        f"Per room (members reading 1, 3 and 5 languages; English sender): {per_room} accepted "
        f"and {per_room} rejected posts through `MessageService.post`, wired with "
        "`bootstrap.dynamodb_store` (DynamoDB Local) and the Comprehend/Translate adapters on "
        "botocore `Stubber` clients. Calls are counted with botocore event hooks; DynamoDB "
        "units come from `ReturnConsumedCapacity=INDEXES` (DynamoDB Local's accounting, GSIs "
        "included). Publisher side: the project's `services.publishing.plan` over each "
        "message's own stream records (one batch per message), its DynamoDB calls counted. "
        f"Prices: `bench/_prices.py`, as of {price.AS_OF}. Dollars per message = Comprehend "
        "(units of 100 characters, 3 units minimum per request) + Translate (characters x "
        "calls) + DynamoDB on-demand (read + write units) + AppSync (postMessage and each "
        f"publish mutation; real-time updates to {READERS} readers per push) + Lambda (2 "
        "requests; duration *estimated* from the counted calls at assumed AWS latencies: "
        f"{assumed}; ApiFunction 1024 MB, StreamPublisher 512 MB, arm64). 2019 pattern "
        "(`original_2019`): DetectDominantLanguage + DetectSentiment + DetectEntities per "
        f"accepted message, TranslateText per recipient ({READERS} readers spread evenly over "
        "the room's languages, those not reading English), uncached; rejected: language + "
        "sentiment. Only the NLP part of the 2019 system is modelled (its API Gateway and "
        "DynamoDB layout differ)."
    )


# The Lambda environment variables the handlers read are irrelevant here (no handler runs),
# but keep boto3 from picking up a developer's real profile or region by accident.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
