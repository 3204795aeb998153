"""The stream publisher Lambda: table changes -> IAM publish mutations -> subscribers.

Flow per batch: decode records (adapter) -> plan publications (service: one tag
cloud per room per batch) -> publish in one session, in stream order -> report
records whose publication failed through Powertools' BatchProcessor
(ReportBatchItemFailures), so only those (and the records after them in the
shard, as Lambda retries from the first failure) are retried. Pushes are thus
at-least-once; clients de-duplicate by (id, _version).

After publishing, messages whose translations a post left pending get one more attempt
(services/pending_translations.py) within ``COMPLETION_BUDGET_S``; a completed message is
written as its next version, which comes back through the stream and is published like
an edit. A failed attempt never fails a record: publication does not wait on Translate.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from ..bootstrap import now_ms
from ..domain.deadline import Deadline
from ..services.pending_translations import PendingTranslations, has_pending
from ..services.publishing import StreamItem, plan
from .observability import logger, metrics, tracer
from .stream_context import publishing

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

# The background translation attempt of a batch takes at most this long (the next batch of
# the shard waits for this invocation), and never comes closer than STREAM_MARGIN_S to the
# function's timeout (60 s in infra/template.yaml).
COMPLETION_BUDGET_S = 10.0
STREAM_MARGIN_S = 5.0


class PublishFailedError(Exception):
    """A record's publication failed; the record is reported for retry."""


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    deps = publishing()
    items: list[StreamItem] = []
    undecodable: set[str] = set()
    for record in event.get("Records", []):
        try:
            items.append(deps.decode(record))
        except Exception:
            logger.exception("undecodable stream record", extra={"eventID": record.get("eventID")})
            undecodable.add(record.get("eventID", ""))
    batch = plan(items, deps.stats, now_ms)
    results = deps.publisher.publish(batch.changes)
    failed = {
        record_id
        for record_id, indexes in batch.depends_on.items()
        if any(results[i] is not None for i in indexes)
    } | undecodable
    published = sum(1 for r in results if r is None)
    metrics.add_metric(name="Publications", unit=MetricUnit.Count, value=published)
    if failed:
        metrics.add_metric(name="PublicationFailures", unit=MetricUnit.Count, value=len(failed))
    _complete_pending_translations(deps.pending, items, context)

    def record_handler(record: DynamoDBRecord) -> None:
        if record.event_id in failed:
            raise PublishFailedError(f"publication failed for record {record.event_id}")

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)


def _complete_pending_translations(
    pending: PendingTranslations | None, items: list[StreamItem], context: LambdaContext
) -> None:
    images = [
        item.message
        for item in items
        if item.event_name in ("INSERT", "MODIFY") and has_pending(item.message)
    ]
    if pending is None or not images:
        return
    remaining_s = context.get_remaining_time_in_millis() / 1000 - STREAM_MARGIN_S
    deadline = Deadline.after(min(COMPLETION_BUDGET_S, remaining_s))
    try:
        done = pending.complete([m for m in images if m is not None], deadline)
    except Exception:
        # Publication already happened; an unexpected failure here must not fail the batch
        # (its records would be published again and again).
        logger.exception("completing pending translations failed")
        return
    added = sum(len(c.translated) for c in done if c.stored)
    abandoned = sum(len(c.abandoned) for c in done)
    metrics.add_metric(name="PendingTranslationsCompleted", unit=MetricUnit.Count, value=added)
    if abandoned:
        metrics.add_metric(
            name="PendingTranslationsAbandoned", unit=MetricUnit.Count, value=abandoned
        )
