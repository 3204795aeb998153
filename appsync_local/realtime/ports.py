"""What the real-time layer needs from core (DESIGN.md "Interfaces"), as Protocols.

The hub depends on these shapes, not on core's classes, so tests can drive the protocol
layer with small fakes and core stays free to change its internals. The two exception
types are core's own: they are the agreed way core reports a rejection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from ..auth import AuthError, RequestAuth
from ..engine import GraphQLRequestError

__all__ = [
    "AuthError",
    "Authenticator",
    "Engine",
    "GraphQLRequestError",
    "MutationListener",
    "PreparedSubscription",
    "RequestAuth",
]

MutationListener = Callable[[str, dict[str, Any]], Awaitable[None] | None]


class Authenticator(Protocol):
    def authenticate_realtime(
        self, header: Mapping[str, Any], *, body: str, path: str, source_ip: str | None = None
    ) -> RequestAuth:
        """Authenticate a decoded connect header or a start's `extensions.authorization`.

        May block (a first JWKS fetch), so the real-time layer calls it in a worker thread.
        Raises AuthError.
        """
        ...


class PreparedSubscription(Protocol):
    field_name: str
    arguments: dict[str, Any]
    mutations: tuple[str, ...]

    def render(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The subscriber's selection executed over a published payload."""
        ...


class Engine(Protocol):
    def add_mutation_listener(self, cb: MutationListener) -> None: ...

    async def prepare_subscription(
        self, data: dict[str, Any], auth: RequestAuth, headers: Mapping[str, str]
    ) -> PreparedSubscription:
        """Parse, validate, authorize and run the subscription resolver.

        Raises GraphQLRequestError (AppSync-shaped `.errors`).
        """
        ...
