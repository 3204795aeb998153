"""The AppSync resolver Lambda: one Powertools app, one Router per GraphQL type."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import AppSyncResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from .. import graphql_shapes as serialize
from ..domain.errors import ChatError, ConflictError, DependencyError
from . import errors
from .mutation_router import router as mutation_router
from .observability import logger, metrics, tracer
from .query_router import router as query_router
from .subscription_router import router as subscription_router

app = AppSyncResolver()  # type: ignore[no-untyped-call]
app.include_router(query_router)
app.include_router(mutation_router)
app.include_router(subscription_router)


@app.exception_handler(ChatError)  # type: ignore[untyped-decorator]
def _chat_error(exc: ChatError) -> dict[str, Any]:
    if isinstance(exc, DependencyError):
        # A provider or the store failed: worth an operator's attention, not the client's details.
        logger.warning("dependency failed", extra={"errorType": exc.error_type})
    if isinstance(exc, ConflictError):
        # The client merges against the server's item (AppSync ConflictUnhandled semantics).
        return errors.from_chat_error(exc, data=serialize.message(exc.current))
    return errors.from_chat_error(exc)


@app.exception_handler(Exception)  # type: ignore[untyped-decorator]
def _unexpected(exc: Exception) -> dict[str, Any]:
    logger.exception("unhandled error in resolver")
    request_id = getattr(app.lambda_context, "aws_request_id", None)
    return errors.internal(request_id)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.APPSYNC_RESOLVER)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return app.resolve(event, context)
