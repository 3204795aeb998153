"""Per-container state for the handlers: the wired services, built once per cold start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router

from ..bootstrap import Services, bootstrap
from ..domain.deadline import Deadline
from ..domain.model import Caller
from ..settings import Settings
from .identity import caller_from_identity

_services: Services | None = None

# Kept back from the invocation's remaining time for what follows the provider steps of a
# post: the DynamoDB transaction (with the SDK's retries) and returning the response. With
# the ApiFunction's 15 s Timeout a post gets ~12 s for language, sentiment, topics and
# translations (docs/nlp.md, "Time budget").
RESPONSE_MARGIN_S = 3.0


def services() -> Services:
    """The wired services; built on first use so importing the handler stays cheap."""
    global _services
    if _services is None:
        _services = bootstrap(Settings.from_env())
    return _services


def use_services(value: Services | None) -> None:
    """Install services (tests, the local runtime's fixtures); None resets."""
    global _services
    _services = value


def caller_of(event: Mapping[str, Any]) -> Caller:
    return caller_from_identity(event.get("identity"))


def current_caller(router: Router) -> Caller:
    """The caller of the event the router is resolving."""
    event = router.current_event
    if event is None:  # pragma: no cover - Powertools sets it before calling a resolver
        raise RuntimeError("no current AppSync event")
    return caller_of(event.raw_event)


def request_deadline(router: Router) -> Deadline:
    """The time budget of the current invocation: Lambda's remaining time minus
    ``RESPONSE_MARGIN_S`` (unbounded when there is no Lambda context, e.g. a tool)."""
    remaining_ms = getattr(router.lambda_context, "get_remaining_time_in_millis", None)
    if remaining_ms is None:
        return Deadline.unbounded()
    return Deadline.after(remaining_ms() / 1000 - RESPONSE_MARGIN_S)
