"""SQLite persistence of the outbox: entries in order, and a lease so one flusher runs.

Every state change is its own short transaction: a crash loses at most the knowledge
that an in-flight request succeeded, and the replay after it is harmless (posts are
idempotent on clientId; edits recognise their own earlier success).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- replay order
  kind TEXT NOT NULL,
  room_id TEXT NOT NULL,
  client_id TEXT NOT NULL UNIQUE,          -- the post's idempotency key
  text TEXT,
  language TEXT,
  message_id TEXT,
  expected_version INTEGER,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,     -- > 0: the server may already have it
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  last_error TEXT,
  result TEXT                              -- JSON: message, rejection or server item
);
CREATE INDEX IF NOT EXISTS entries_state ON entries (state, seq);
CREATE TABLE IF NOT EXISTS flush_lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  owner TEXT NOT NULL,
  expires_at REAL NOT NULL
);
"""


class EntryKind(StrEnum):
    POST = "post"
    EDIT = "edit"
    DELETE = "delete"


class EntryState(StrEnum):
    PENDING = "pending"        # waiting to be sent (again)
    SENT = "sent"              # the server accepted it
    REJECTED = "rejected"      # the sentiment gate refused it: reported, never retried
    CONFLICT = "conflict"      # stale version; waits for resolve()
    FAILED = "failed"          # refused for good (validation, permissions, not found)
    DISCARDED = "discarded"    # given up by the application


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    kind: EntryKind
    room_id: str
    client_id: str
    state: EntryState
    attempts: int
    created_at: float
    text: str | None = None
    language: str | None = None
    message_id: str | None = None
    expected_version: int | None = None
    last_error: str | None = None
    result: dict[str, Any] | None = None


class OutboxStore:
    def __init__(self, path: Path, *, busy_timeout_s: float = 30.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Queued message text is private. Create the file 0600 before SQLite opens it:
        # SQLite gives its -wal and -shm files the database file's permissions.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE where it matters).
        self._db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the flusher
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so two processes serialise here
        # instead of failing later with "database is locked" on upgrade.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add(self, kind: EntryKind, room_id: str, client_id: str, *, text: str | None = None,
            language: str | None = None, message_id: str | None = None,
            expected_version: int | None = None) -> OutboxEntry:
        now = time.time()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO entries (kind, room_id, client_id, text, language, message_id,"
                " expected_version, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (kind.value, room_id, client_id, text, language, message_id, expected_version,
                 EntryState.PENDING.value, now, now))
            seq = cursor.lastrowid
        entry = self.get(int(seq or 0))
        assert entry is not None
        return entry

    def get(self, seq: int) -> OutboxEntry | None:
        row = self._db.execute("SELECT * FROM entries WHERE seq = ?", (seq,)).fetchone()
        return _entry(row) if row else None

    def next_pending(self, after: int) -> OutboxEntry | None:
        row = self._db.execute(
            "SELECT * FROM entries WHERE state = ? AND seq > ? ORDER BY seq LIMIT 1",
            (EntryState.PENDING.value, after)).fetchone()
        return _entry(row) if row else None

    def list(self, states: tuple[EntryState, ...] | None = None) -> list[OutboxEntry]:
        if states:
            marks = ",".join("?" * len(states))
            rows = self._db.execute(f"SELECT * FROM entries WHERE state IN ({marks}) "  # noqa: S608
                                    "ORDER BY seq", [s.value for s in states]).fetchall()
        else:
            rows = self._db.execute("SELECT * FROM entries ORDER BY seq").fetchall()
        return [_entry(r) for r in rows]

    def counts(self) -> dict[EntryState, int]:
        rows = self._db.execute("SELECT state, COUNT(*) FROM entries GROUP BY state").fetchall()
        return {EntryState(state): int(n) for state, n in rows}

    def mark_attempt(self, seq: int) -> None:
        with self._write() as db:
            db.execute("UPDATE entries SET attempts = attempts + 1, updated_at = ? WHERE seq = ?",
                       (time.time(), seq))

    def settle(self, seq: int, state: EntryState, *, result: dict[str, Any] | None = None,
               error: str | None = None, expected_version: int | None = None,
               text: str | None = None) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE entries SET state = ?, result = ?, last_error = ?, updated_at = ?,"
                " expected_version = COALESCE(?, expected_version), text = COALESCE(?, text)"
                " WHERE seq = ?",
                (state.value, json.dumps(result) if result is not None else None, error,
                 time.time(), expected_version, text, seq))

    def note_error(self, seq: int, error: str) -> None:
        with self._write() as db:
            db.execute("UPDATE entries SET last_error = ?, updated_at = ? WHERE seq = ?",
                       (error, time.time(), seq))

    def purge(self, states: tuple[EntryState, ...]) -> int:
        marks = ",".join("?" * len(states))
        with self._write() as db:
            cursor = db.execute(f"DELETE FROM entries WHERE state IN ({marks})",  # noqa: S608
                                [s.value for s in states])
            return cursor.rowcount

    # -- the flush lease ------------------------------------------------------------------

    def take_lease(self, owner: str, lease_s: float) -> bool:
        """Become the one flusher (or extend our lease). False: another holds a live lease."""
        now = time.time()
        with self._write() as db:
            row = db.execute("SELECT owner, expires_at FROM flush_lease WHERE id = 1").fetchone()
            if row is not None and row["owner"] != owner and row["expires_at"] > now:
                return False
            db.execute("INSERT INTO flush_lease (id, owner, expires_at) VALUES (1, ?, ?) "
                       "ON CONFLICT (id) DO UPDATE SET owner = excluded.owner,"
                       " expires_at = excluded.expires_at", (owner, now + lease_s))
            return True

    def release_lease(self, owner: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM flush_lease WHERE id = 1 AND owner = ?", (owner,))


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        seq=int(row["seq"]), kind=EntryKind(row["kind"]), room_id=row["room_id"],
        client_id=row["client_id"], state=EntryState(row["state"]), attempts=int(row["attempts"]),
        created_at=float(row["created_at"]), text=row["text"], language=row["language"],
        message_id=row["message_id"], expected_version=row["expected_version"],
        last_error=row["last_error"], result=json.loads(row["result"]) if row["result"] else None)
