"""The runtime's state directory (`.local/` by default): layout, atomic files, local secrets.

Everything the local runtime persists lives here, so `rm -rf .local` is a full reset:

    .local/
      runtime.lock         held (flock) while a runtime uses this directory
      runtime.json         endpoints + credentials, present only while the runtime is READY
      secrets.json         API key and IAM credentials, generated once (mode 0600)
      dynamodb/            DynamoDB Local's data (SQLite)
      cognito/users.json   local Cognito users (moto keeps nothing on disk)
      streams/*.json       stream poller checkpoints, one file per event source mapping
      seed.json            seed operations already applied
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any


class StateDirBusyError(RuntimeError):
    """Another runtime holds the state directory (two DynamoDB Locals on one dbPath corrupt it)."""


def write_json_atomic(path: Path, data: Any, *, mode: int = 0o644) -> None:
    """Write JSON so that readers see the old file or the new one, never a torn one.

    The temporary file sits in the same directory so ``os.replace`` is a rename on one
    filesystem; fsync before the rename so a crash cannot leave an empty file behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_json(path: Path, default: Any = None) -> Any:
    """The parsed file, or ``default`` when it does not exist."""
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return default


@dataclass(frozen=True)
class LocalSecrets:
    """Credentials the local API accepts; stable across restarts so clients keep working."""

    api_key: str
    access_key_id: str
    secret_access_key: str

    @classmethod
    def generate(cls) -> LocalSecrets:
        # Shapes mimic AWS (da2-…, AKIA…) so clients that sanity-check formats accept them.
        lower = string.ascii_lowercase + string.digits
        upper = string.ascii_uppercase + string.digits
        return cls(
            api_key="da2-" + "".join(secrets.choice(lower) for _ in range(26)),
            access_key_id="AKIA" + "".join(secrets.choice(upper) for _ in range(16)),
            secret_access_key=secrets.token_urlsafe(30)[:40],
        )


class StateDir:
    """Paths inside the state directory plus the helpers that own its files."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._lock: IO[str] | None = None

    @property
    def runtime_json(self) -> Path:
        return self.root / "runtime.json"

    @property
    def secrets_json(self) -> Path:
        return self.root / "secrets.json"

    @property
    def dynamodb_dir(self) -> Path:
        return self.root / "dynamodb"

    @property
    def cognito_dir(self) -> Path:
        return self.root / "cognito"

    @property
    def streams_dir(self) -> Path:
        return self.root / "streams"

    @property
    def seed_json(self) -> Path:
        return self.root / "seed.json"

    def acquire(self) -> None:
        """Create the directory and take its lock.

        Raises
        ------
        StateDirBusyError
            Another live process holds the lock (a crashed one does not: flock dies with it).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        fh = (self.root / "runtime.lock").open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise StateDirBusyError(
                f"{self.root} is in use by another appsync_local runtime; stop it first "
                "or pass another --state-dir"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._lock = fh

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def load_or_create_secrets(self) -> LocalSecrets:
        """The API key and IAM credentials of this state dir, generated on first use."""
        data = read_json(self.secrets_json)
        if isinstance(data, dict):
            try:
                return LocalSecrets(
                    api_key=data["apiKey"],
                    access_key_id=data["accessKeyId"],
                    secret_access_key=data["secretAccessKey"],
                )
            except KeyError:
                pass  # damaged by hand: regenerate rather than refuse to start
        created = LocalSecrets.generate()
        write_json_atomic(
            self.secrets_json,
            {
                "apiKey": created.api_key,
                "accessKeyId": created.access_key_id,
                "secretAccessKey": created.secret_access_key,
            },
            mode=0o600,
        )
        return created

    def remove_runtime_json(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.runtime_json.unlink()
