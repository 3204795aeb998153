"""Wiring: from a ``Config`` and credentials to a ready ``ChatClient``, and where local
state (tokens, outboxes, sync marks) lives for a user of an API."""

from __future__ import annotations

import hashlib
import json
import os
import re
import ssl
from pathlib import Path

from .auth import Credentials
from .config import Config
from .operations import ChatClient
from .outbox import Outbox
from .tokens import TokenCache
from .transport import GqlTransport

_SAFE = re.compile(r"[^A-Za-z0-9_.@-]")


def open_client(config: Config, credentials: Credentials, *, timeout_s: int = 30,
                cafile: str | None = None) -> ChatClient:
    """A ChatClient on gql for ``config`` (``cafile``: trust a local self-signed certificate)."""
    context: ssl.SSLContext | bool = ssl.create_default_context(cafile=cafile) if cafile else True
    return ChatClient(GqlTransport(config, credentials, timeout_s=timeout_s, ssl=context))


def token_cache(config_dir: Path) -> TokenCache:
    return TokenCache(config_dir / "tokens")


def _state_name(config: Config, principal: str) -> str:
    # One outbox per user AND API: a post queued for one stack must never replay on another.
    api = hashlib.sha256(config.graphql_url.encode()).hexdigest()[:12]
    return f"{_SAFE.sub('_', principal)}-{api}"


def outbox_for(config: Config, principal: str, config_dir: Path) -> Outbox:
    return Outbox(config_dir / "outbox" / f"{_state_name(config, principal)}.sqlite")


class SyncMarks:
    """The ``startedAt`` of each room's last delta sync (a small JSON file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_user(cls, config: Config, principal: str, config_dir: Path) -> SyncMarks:
        return cls(config_dir / "sync" / f"{_state_name(config, principal)}.json")

    def get(self, room_id: str) -> int | None:
        value = self._read().get(room_id)
        return int(value) if isinstance(value, int) else None

    def set(self, room_id: str, started_at: int) -> None:
        marks = self._read()
        marks[room_id] = started_at
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(marks, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)  # atomic: a crash leaves the old marks, not half a file

    def _read(self) -> dict[str, object]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return raw if isinstance(raw, dict) else {}
