"""The stream publisher Lambda: table changes -> IAM publish mutations -> subscribers.

Flow per batch: decode records (adapter) -> plan publications (service: one tag
cloud per room per batch) -> publish in one session, in stream order -> report
records whose publication failed through Powertools' BatchProcessor
(ReportBatchItemFailures), so only those (and the records after them in the
shard, as Lambda retries from the first failure) are retried. Pushes are thus
at-least-once; clients de-duplicate by (id, _version).
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
from ..services.publishing import StreamItem, plan
from .observability import logger, metrics, tracer
from .stream_context import publishing

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


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

    def record_handler(record: DynamoDBRecord) -> None:
        if record.event_id in failed:
            raise PublishFailedError(f"publication failed for record {record.event_id}")

    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
