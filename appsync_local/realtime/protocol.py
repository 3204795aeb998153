"""The real-time protocol as explicit state machines (connection and per-operation).

Connection (both dialects)::

    HANDSHAKE ──auth ok──▶ AWAITING_INIT ──connection_init / first operation──▶ READY
        │                        │                                                │
        └──────auth failed───────┴──────────── timeout / close / error ───────────┴──▶ CLOSED

AppSync's docs now mark `connection_init` optional (reference 1.3), so in the AppSync
dialect a `start` received in AWAITING_INIT also moves the connection to READY (without an
ack). graphql-transport-ws requires the init (its driver rejects operations before READY).

Operation (one `start` / `subscribe` id)::

    PREPARING ──prepared──▶ ACTIVE ──stop / disconnect──▶ STOPPED
        └──────── stop / rejected / disconnect ────────────▶ STOPPED

An id is "live" while PREPARING or ACTIVE: reusing it is a DuplicatedOperationError and
live operations count toward the per-connection limit (reference 1.4, 1.5).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import errors

OpId = str | int


class ConnectionState(enum.Enum):
    HANDSHAKE = "handshake"
    AWAITING_INIT = "awaiting_init"
    READY = "ready"
    CLOSED = "closed"


_CONNECTION_TRANSITIONS: dict[ConnectionState, frozenset[ConnectionState]] = {
    ConnectionState.HANDSHAKE: frozenset({ConnectionState.AWAITING_INIT, ConnectionState.CLOSED}),
    ConnectionState.AWAITING_INIT: frozenset({ConnectionState.READY, ConnectionState.CLOSED}),
    ConnectionState.READY: frozenset({ConnectionState.CLOSED}),
    ConnectionState.CLOSED: frozenset(),
}


class ConnectionMachine:
    """Current connection state; every change goes through `advance`."""

    def __init__(self) -> None:
        self._state = ConnectionState.HANDSHAKE

    @property
    def state(self) -> ConnectionState:
        return self._state

    def advance(self, target: ConnectionState) -> None:
        """Move to `target`.

        Raises
        ------
        IllegalTransitionError
            `target` is not reachable from the current state.
        """
        if target not in _CONNECTION_TRANSITIONS[self._state]:
            raise errors.IllegalTransitionError(
                f"connection cannot go from {self._state.value} to {target.value}"
            )
        self._state = target


class OperationState(enum.Enum):
    PREPARING = "preparing"
    ACTIVE = "active"
    STOPPED = "stopped"


_OPERATION_TRANSITIONS: dict[OperationState, frozenset[OperationState]] = {
    OperationState.PREPARING: frozenset({OperationState.ACTIVE, OperationState.STOPPED}),
    OperationState.ACTIVE: frozenset({OperationState.STOPPED}),
    OperationState.STOPPED: frozenset(),
}


@dataclass(eq=False)
class Operation:
    """One client operation id. Compared by identity: a stopped id may be reused later."""

    op_id: OpId
    state: OperationState = field(default=OperationState.PREPARING)

    def advance(self, target: OperationState) -> None:
        """Raises IllegalTransitionError when `target` is not reachable."""
        if target not in _OPERATION_TRANSITIONS[self.state]:
            raise errors.IllegalTransitionError(
                f"operation {self.op_id!r} cannot go from {self.state.value} to {target.value}"
            )
        self.state = target


class OperationTable:
    """Live operations of one connection, enforcing the id and count rules."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._live: dict[OpId, Operation] = {}

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[Operation]:
        return iter(list(self._live.values()))

    def is_live(self, op_id: OpId) -> bool:
        return op_id in self._live

    def reserve(self, op_id: OpId) -> Operation:
        """Register a new PREPARING operation.

        Raises
        ------
        OperationRejectedError
            The id is live (DuplicatedOperationError) or the limit is reached
            (MaxSubscriptionsReachedError).
        """
        if op_id in self._live:
            raise errors.OperationRejectedError(errors.duplicated_operation(op_id), op_id)
        if len(self._live) >= self._limit:
            raise errors.OperationRejectedError(errors.max_subscriptions(self._limit), op_id)
        operation = Operation(op_id)
        self._live[op_id] = operation
        return operation

    def activate(self, operation: Operation) -> bool:
        """PREPARING -> ACTIVE; False when the operation was stopped while it was prepared."""
        if self._live.get(operation.op_id) is not operation:
            return False
        operation.advance(OperationState.ACTIVE)
        return True

    def release(self, op_id: OpId) -> Operation | None:
        """Stop the live operation with this id; returns it, or None when no such id is live."""
        operation = self._live.pop(op_id, None)
        if operation is not None:
            operation.advance(OperationState.STOPPED)
        return operation

    def discard(self, operation: Operation) -> None:
        """Stop `operation` if it is still the live one for its id (a rejected start)."""
        if self._live.get(operation.op_id) is operation:
            self.release(operation.op_id)
