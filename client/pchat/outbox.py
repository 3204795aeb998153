"""The offline outbox: writes made without a connection, replayed in order, exactly once.

``Outbox.post()`` stores the post with a fresh ``clientId`` (uuid4) in SQLite before
anything is sent; ``flush()`` replays pending entries oldest first. Exactly once comes
from the server: ``postMessage`` is idempotent on (roomId, clientId), so an entry whose
answer was lost (crash, dropped connection) is simply sent again. Outcomes:

* accepted -> ``sent``; refused by the sentiment gate -> ``rejected`` (reported, never
  retried: sending the same words again would be refused again);
* stale edit/delete -> ``conflict`` with the server's current item; a ``resolver`` hook
  may answer ``Retry(text)`` (merge, send at the current version) or ``Discard()``;
  otherwise the entry waits for ``resolve()``;
* refused for good (validation, permissions, not found) -> ``failed``, and the flush
  goes on; offline, signed out or a server-side failure -> the flush stops there, so
  later entries never overtake earlier ones.

Two processes may flush the same outbox: a lease row (taken with ``BEGIN IMMEDIATE``)
lets one of them work; the other gets ``FlushReport(busy=True)``.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ._outbox_store import EntryKind, EntryState, OutboxEntry, OutboxStore
from .errors import NOT_FOUND, ApiError, AuthError, ConflictError, OfflineError, PchatError
from .models import Message, PostResult
from .operations import ChatClient, new_client_id

LEASE_S = 60.0  # renewed before every entry; a crashed flusher blocks others this long
MAX_RESOLUTIONS = 3  # conflicts resolved in one flush before an entry waits for resolve()


@dataclass(frozen=True)
class Retry:
    """Send the edit again at the server's current version, with ``text`` (None: as queued)."""

    text: str | None = None


@dataclass(frozen=True)
class Discard:
    """Give up this entry."""


Resolution = Retry | Discard
ConflictResolver = Callable[[OutboxEntry, Message], Resolution | None]


@dataclass(frozen=True)
class Outcome:
    """What became of one entry during a flush."""

    entry: OutboxEntry
    state: EntryState
    result: PostResult | None = None
    message: Message | None = None
    current: Message | None = None  # the server's item, for conflicts
    error: str | None = None


@dataclass(frozen=True)
class FlushReport:
    outcomes: tuple[Outcome, ...] = ()
    pending: int = 0
    stopped_by: PchatError | None = field(default=None, compare=False)
    busy: bool = False

    def of_state(self, state: EntryState) -> list[Outcome]:
        return [o for o in self.outcomes if o.state is state]

    def outcome_of(self, seq: int) -> Outcome | None:
        return next((o for o in self.outcomes if o.entry.seq == seq), None)


class Outbox:
    """A durable queue of one user's writes (one SQLite file per user and API)."""

    def __init__(self, path: Path, *, owner: str | None = None) -> None:
        self.path = path
        self._store = OutboxStore(path)
        self._owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def close(self) -> None:
        self._store.close()

    def post(self, room_id: str, text: str, *, language: str | None = None,
             client_id: str | None = None) -> OutboxEntry:
        """Queue a post; its clientId is fixed now so every replay is the same request."""
        return self._store.add(EntryKind.POST, room_id, client_id or new_client_id(),
                               text=text, language=language)

    def edit(self, room_id: str, message_id: str, text: str, *, expected_version: int,
             language: str | None = None) -> OutboxEntry:
        return self._store.add(EntryKind.EDIT, room_id, new_client_id(), text=text,
                               language=language, message_id=message_id,
                               expected_version=expected_version)

    def delete(self, room_id: str, message_id: str, *, expected_version: int) -> OutboxEntry:
        return self._store.add(EntryKind.DELETE, room_id, new_client_id(),
                               message_id=message_id, expected_version=expected_version)

    def entries(self, *states: EntryState) -> list[OutboxEntry]:
        return self._store.list(states or None)

    def counts(self) -> dict[EntryState, int]:
        return self._store.counts()

    def get(self, seq: int) -> OutboxEntry | None:
        return self._store.get(seq)

    def resolve(self, seq: int, resolution: Resolution) -> OutboxEntry:
        """Settle a ``conflict`` entry: Retry puts it back in the queue at the server's
        version (sent by the next flush, in its original place), Discard drops it."""
        entry = self._store.get(seq)
        if entry is None or entry.state is not EntryState.CONFLICT:
            raise ValueError(f"outbox entry {seq} is not waiting for a conflict resolution")
        if isinstance(resolution, Discard):
            self._store.settle(seq, EntryState.DISCARDED, result=entry.result)
        else:
            version = int((entry.result or {}).get("version") or entry.expected_version or 0)
            self._store.settle(seq, EntryState.PENDING, result=entry.result,
                               expected_version=version, text=resolution.text)
        resolved = self._store.get(seq)
        assert resolved is not None
        return resolved

    def purge(self, *states: EntryState) -> int:
        """Delete finished entries (default: sent and discarded); returns how many."""
        return self._store.purge(states or (EntryState.SENT, EntryState.DISCARDED))

    async def post_now(self, client: ChatClient, room_id: str, text: str, *,
                       language: str | None = None,
                       resolver: ConflictResolver | None = None,
                       ) -> tuple[OutboxEntry, FlushReport]:
        """Queue a post, then flush: earlier queued writes go first, so order holds. The
        post was sent when ``report.outcome_of(entry.seq)`` is not None; else it waits."""
        entry = self.post(room_id, text, language=language)
        return entry, await self.flush(client, resolver=resolver)

    async def flush(self, client: ChatClient, *,
                    resolver: ConflictResolver | None = None) -> FlushReport:
        """Send pending entries in order until done or a retryable failure stops the flush."""
        if not self._store.take_lease(self._owner, LEASE_S):
            return FlushReport(pending=self._pending(), busy=True)
        outcomes: list[Outcome] = []
        stopped: PchatError | None = None
        try:
            last = 0
            while (entry := self._store.next_pending(last)) is not None:
                last = entry.seq
                if not self._store.take_lease(self._owner, LEASE_S):
                    break  # our lease lapsed and another flusher took over
                try:
                    outcomes.append(await self._send(client, entry, resolver))
                except (OfflineError, AuthError, ApiError) as exc:
                    # Retryable (permanent API errors were settled as FAILED in _send):
                    # stop here so that no later entry overtakes this one.
                    stopped = exc
                if stopped is not None:
                    self._store.note_error(entry.seq, str(stopped))
                    break
        finally:
            self._store.release_lease(self._owner)
        return FlushReport(tuple(outcomes), self._pending(), stopped)

    def _pending(self) -> int:
        return self._store.counts().get(EntryState.PENDING, 0)

    async def _send(self, client: ChatClient, entry: OutboxEntry,
                    resolver: ConflictResolver | None) -> Outcome:
        self._store.mark_attempt(entry.seq)  # before sending: a crash now means "maybe sent"
        try:
            if entry.kind is EntryKind.POST:
                result = await client.post_message(entry.room_id, entry.text or "",
                                                   client_id=entry.client_id,
                                                   language=entry.language)
                return self._settle_post(entry, result)
            return await self._send_versioned(client, entry, resolver)
        except ApiError as exc:
            if exc.transient:
                raise
            if (entry.kind is EntryKind.DELETE and entry.attempts > 0
                    and exc.error_type == NOT_FOUND):
                # The server hides tombstones from deletes: our earlier attempt applied.
                self._store.settle(entry.seq, EntryState.SENT, error=None)
                return Outcome(entry, EntryState.SENT)
            self._store.settle(entry.seq, EntryState.FAILED, error=str(exc))
            return Outcome(entry, EntryState.FAILED, error=str(exc))

    def _settle_post(self, entry: OutboxEntry, result: PostResult) -> Outcome:
        state = EntryState.SENT if result.accepted else EntryState.REJECTED
        self._store.settle(entry.seq, state, result=_jsonable(result))
        return Outcome(entry, state, result=result, message=result.message)

    async def _send_versioned(self, client: ChatClient, entry: OutboxEntry,
                              resolver: ConflictResolver | None) -> Outcome:
        version, text = entry.expected_version or 0, entry.text or ""
        for _ in range(MAX_RESOLUTIONS + 1):
            try:
                return self._settle_write(entry, await self._write(client, entry, version, text))
            except ConflictError as conflict:
                current = conflict.current
                if current is not None and _already_applied(entry, current):
                    return self._settle_write(entry, current)
                resolution = resolver(entry, current) if resolver and current else None
                if isinstance(resolution, Retry) and current is not None:
                    version, text = current.version, resolution.text or text
                    continue
                state = EntryState.DISCARDED if isinstance(resolution, Discard) \
                    else EntryState.CONFLICT
                self._store.settle(entry.seq, state, result=_jsonable(current),
                                   error=conflict.message)
                return Outcome(entry, state, current=current, error=conflict.message)
        self._store.settle(entry.seq, EntryState.CONFLICT, error="too many conflicts in a row")
        return Outcome(entry, EntryState.CONFLICT, error="too many conflicts in a row")

    @staticmethod
    async def _write(client: ChatClient, entry: OutboxEntry, version: int,
                     text: str) -> PostResult | Message:
        assert entry.message_id is not None
        if entry.kind is EntryKind.EDIT:
            return await client.edit_message(entry.room_id, entry.message_id, text,
                                             expected_version=version, language=entry.language)
        return await client.delete_message(entry.room_id, entry.message_id,
                                           expected_version=version)

    def _settle_write(self, entry: OutboxEntry, outcome: PostResult | Message) -> Outcome:
        if isinstance(outcome, PostResult):
            return self._settle_post(entry, outcome)
        self._store.settle(entry.seq, EntryState.SENT, result=_jsonable(outcome))
        return Outcome(entry, EntryState.SENT, message=outcome)


def _already_applied(entry: OutboxEntry, current: Message) -> bool:
    """Did an earlier attempt of this entry succeed with its answer lost? Edits and deletes
    are not idempotent on the server, so a replay of an applied one reports a conflict."""
    if entry.attempts < 1 or current.version <= (entry.expected_version or 0):
        return False
    if entry.kind is EntryKind.DELETE:
        return current.deleted
    return not current.deleted and current.text == entry.text


def _jsonable(value: Any) -> dict[str, Any] | None:
    return asdict(value) if value is not None else None


__all__ = [
    "ConflictResolver", "Discard", "EntryKind", "EntryState", "FlushReport", "Outbox",
    "OutboxEntry", "Outcome", "Resolution", "Retry",
]
