"""Per-container state for the handlers: the wired services, built once per cold start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler.graphql_appsync.router import Router

from ..bootstrap import Services, bootstrap
from ..domain.model import Caller
from ..settings import Settings
from .identity import caller_from_identity

_services: Services | None = None


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
