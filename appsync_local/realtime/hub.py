"""SubscriptionHub: the registry of live subscriptions and the fan-out of published events.

Subscribers whose subscription request is identical (same field, document text,
variables, operation name, and the auth facts that field rules read) form one group.
Identical requests have identical coerced arguments and identical selections, so a group
is filtered once and rendered once per event, and the rendered JSON is serialized once;
each member only gets its own id spliced in. So 1,000 listeners of one document cost one
render per event.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config import RealtimeLimits
from .filtering import matches_arguments
from .outbox import Subscriber
from .ports import Authenticator, Engine, PreparedSubscription, RequestAuth
from .routes import build_routes
from .session import CLOSE_GOING_AWAY, Session

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

logger = logging.getLogger(__name__)

GroupKey = tuple[str, str, str, str | None, str]


@dataclass(eq=False)
class _Group:
    key: GroupKey
    prepared: PreparedSubscription  # any member's: identical requests prepare identically
    members: set[Subscriber] = field(default_factory=set)


def group_key(
    prepared: PreparedSubscription, request: Mapping[str, Any], auth: RequestAuth
) -> GroupKey:
    variables = json.dumps(request.get("variables") or {}, sort_keys=True, default=str)
    # Core renders with one member's auth and applies the field auth rules (reference 3.3),
    # which depend on the mode, the Cognito groups and the pool's default action; the rest
    # of the identity does not change a render, so it stays out of the key.
    auth_key = json.dumps(
        [str(getattr(auth.mode, "value", auth.mode)), sorted(auth.groups), auth.default_action]
    )
    return (
        prepared.field_name,
        str(request.get("query", "")),
        variables,
        request.get("operationName"),
        auth_key,
    )


class SubscriptionHub:
    """Registry + filtering + fan-out, and the WebSocket routes that feed it.

    Registers its `on_mutation` with `engine.add_mutation_listener` on construction, so
    the runtime must not register it a second time (events would be delivered twice).
    """

    def __init__(
        self,
        engine: Engine,
        authenticator: Authenticator,
        *,
        keepalive_s: float = 60.0,
        max_subscriptions: int = 100,
        max_event_bytes: int = 240 * 1024,
        connection_init_timeout_s: float = 300.0,
        max_connection_s: float = 24 * 3600.0,
        send_queue_frames: int = 1000,
    ) -> None:
        self.engine = engine
        self.authenticator = authenticator
        self.limits = RealtimeLimits(
            keepalive_s=keepalive_s,
            max_subscriptions=max_subscriptions,
            max_event_bytes=max_event_bytes,
            connection_init_timeout_s=connection_init_timeout_s,
            max_connection_s=max_connection_s,
            send_queue_frames=send_queue_frames,
        )
        self._groups: dict[GroupKey, _Group] = {}
        self._by_mutation: dict[str, dict[GroupKey, _Group]] = {}
        self._member_of: dict[Subscriber, tuple[_Group, tuple[str, ...]]] = {}
        self.sessions: set[Session] = set()
        engine.add_mutation_listener(self.on_mutation)

    @property
    def subscription_count(self) -> int:
        return len(self._member_of)

    @property
    def group_count(self) -> int:
        return len(self._groups)

    def add(
        self,
        subscriber: Subscriber,
        prepared: PreparedSubscription,
        request: Mapping[str, Any],
        auth: RequestAuth,
    ) -> None:
        """Start delivering events of `prepared.mutations` to `subscriber`."""
        key = group_key(prepared, request, auth)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = _Group(key, prepared)
            for mutation in prepared.mutations:
                self._by_mutation.setdefault(mutation, {})[key] = group
        group.members.add(subscriber)
        self._member_of[subscriber] = (group, tuple(prepared.mutations))

    def remove(self, subscriber: Subscriber) -> None:
        """Stop delivering to `subscriber` (idempotent)."""
        entry = self._member_of.pop(subscriber, None)
        if entry is None:
            return
        group, mutations = entry
        group.members.discard(subscriber)
        if group.members:
            return
        del self._groups[group.key]
        for mutation in mutations:
            index = self._by_mutation.get(mutation, {})
            index.pop(group.key, None)
            if not index:
                self._by_mutation.pop(mutation, None)

    async def on_mutation(self, field_name: str, payload: dict[str, Any]) -> None:
        """Engine listener: a mutation named in some @aws_subscribe resolved to `payload`."""
        self.publish(field_name, payload)

    def publish(self, field_name: str, payload: Any) -> int:
        """Fan `payload` out to matching subscribers; returns the number of frames queued.

        Never awaits a socket: frames go to per-connection outboxes.
        """
        groups = self._by_mutation.get(field_name)
        if not groups:
            return 0
        size = len(json.dumps(payload, separators=(",", ":"), default=str).encode())
        if size > self.limits.max_event_bytes:
            # AWS drops oversize events silently (reference 1.5); we at least log it.
            logger.warning(
                "dropped %s event of %d bytes (limit %d bytes)",
                field_name,
                size,
                self.limits.max_event_bytes,
            )
            return 0
        queued = 0
        for group in list(groups.values()):
            queued += self._deliver(group, payload)
        return queued

    def _deliver(self, group: _Group, payload: Any) -> int:
        if not matches_arguments(group.prepared.arguments, payload):
            return 0
        try:
            rendered = group.prepared.render(payload)
        except Exception:
            logger.exception("rendering %s for subscribers failed", group.key[0])
            return 0
        body = json.dumps(rendered, separators=(",", ":"))
        queued = 0
        # Copy: a full outbox disconnects its session, which removes members mid-loop.
        for member in list(group.members):
            if member.outbox.send_text(member.prefix + body + member.suffix):
                queued += 1
        return queued

    def routes(self) -> list[BaseRoute]:
        """WebSocket routes for `/graphql` (gql) and `/graphql/realtime` (Amplify)."""
        return build_routes(self)

    async def close(self, timeout_s: float = 5.0) -> None:
        """Close every connection (server shutdown): clients see 1001 Going Away.

        Waits up to `timeout_s` for the sessions to end; a client that stopped reading may
        not take its close frame, and uvicorn's own shutdown then drops it.
        """
        sessions = list(self.sessions)
        for session in sessions:
            session.close(CLOSE_GOING_AWAY, "Server shutting down")
        if not sessions:
            return
        _, pending = await asyncio.wait(
            [asyncio.create_task(s.wait_closed()) for s in sessions], timeout=timeout_s
        )
        for task in pending:
            task.cancel()
        if pending:
            logger.warning("%d real-time connections did not close in time", len(pending))
