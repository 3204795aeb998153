"""What every CLI command needs, built lazily from the parsed arguments: config,
credentials, client, outbox, and output in the chosen form (people or ``--json``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, is_dataclass
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any, TextIO

from ._render import Style, unicode_ok
from .auth import AuthMode, Credentials, credentials_for
from .bootstrap import SyncMarks, open_client, outbox_for, token_cache
from .config import Config, default_config_dir, load_config
from .errors import AuthError, ConfigError, PchatError
from .operations import ChatClient
from .outbox import Outbox
from .tokens import TokenCache
from .transport import Transport

# The seam for tests (and embedders): build the transport the commands talk through.
TransportFactory = Callable[[Config, Credentials], Transport]


class ExitCode(IntEnum):
    OK = 0
    API_ERROR = 1
    USAGE = 2  # also: configuration missing or invalid
    AUTH = 3  # not signed in, credentials refused, or not allowed (private room)
    OFFLINE = 4  # API unreachable; a post made now stays queued in the outbox
    REJECTED = 5  # the sentiment gate refused the post


AUTH_MODES = {"user": AuthMode.USER_POOL, "api-key": AuthMode.API_KEY, "iam": AuthMode.IAM}


class UsageError(PchatError):
    """Arguments the command cannot use (found after argparse): exit 2, nothing was sent."""


class Context:
    def __init__(self, args: argparse.Namespace, env: Mapping[str, str], out: TextIO,
                 err: TextIO, stdin: TextIO,
                 transport_factory: TransportFactory | None = None) -> None:
        self.args, self.env, self.out, self.err, self.stdin = args, env, out, err, stdin
        self._transport_factory = transport_factory
        self.json: bool = bool(args.json)
        self.style = Style.detect(out, env, forced_off=self.json or args.no_color)
        # Charts use block characters unless --no-color or stdout cannot encode them.
        self.unicode = not args.no_color and unicode_ok(out)
        self.err_style = Style.detect(err, env, forced_off=args.no_color)
        self._config: Config | None = None
        self._credentials: Credentials | None = None
        self._client: ChatClient | None = None
        self._outbox: Outbox | None = None

    # -- configuration and identity -------------------------------------------------

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.args.config, self.env)
        return self._config

    @property
    def config_dir(self) -> Path:
        return default_config_dir(self.env)

    @property
    def tokens(self) -> TokenCache:
        return token_cache(self.config_dir)

    @property
    def credentials(self) -> Credentials:
        if self._credentials is None:
            mode = AUTH_MODES[self.args.auth]
            try:
                self._credentials = credentials_for(self.config, mode, cache=self.tokens,
                                                    username=self.args.user)
            except AuthError as exc:
                raise AuthError(f"{exc} (public rooms can be read with --auth api-key)") from exc
        return self._credentials

    @property
    def client(self) -> ChatClient:
        if self._client is None:
            if self._transport_factory is not None:
                self._client = ChatClient(self._transport_factory(self.config, self.credentials))
            else:
                self._client = open_client(self.config, self.credentials,
                                           timeout_s=self.args.timeout)
        return self._client

    @property
    def is_user(self) -> bool:
        return self.credentials.mode is AuthMode.USER_POOL

    @property
    def outbox(self) -> Outbox:
        """The signed-in user's outbox (posts are authored by the token, so per user)."""
        if self._outbox is None:
            if not self.is_user:
                raise ConfigError("the outbox belongs to a signed-in user: use --auth user")
            self._outbox = outbox_for(self.config, self.credentials.principal, self.config_dir)
        return self._outbox

    def sync_marks(self) -> SyncMarks:
        return SyncMarks.for_user(self.config, self.credentials.principal, self.config_dir)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.transport.close()
        if self._outbox is not None:
            self._outbox.close()

    # -- output ---------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        """Human output (suppressed in --json mode, where stdout is for data only)."""
        if not self.json:
            print(text, file=self.out, flush=True)

    def note(self, text: str, *style: str) -> None:
        """Status for people on stderr, in both modes (never data, never secrets)."""
        print(self.err_style(text, *style), file=self.err, flush=True)

    def emit(self, value: Any) -> None:
        """One JSON document per line on stdout (--json mode only)."""
        if self.json:
            print(json.dumps(to_jsonable(value), ensure_ascii=False), file=self.out, flush=True)


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value
