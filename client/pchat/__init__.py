"""pchat: the Python client of the Positive Chat API (AWS AppSync or the local runtime).

Layers: ``config`` and ``auth``/``tokens`` (where and who), ``transport`` (gql over HTTP
and AppSync's real-time WebSocket), ``operations`` (typed queries and mutations),
``realtime`` (live feeds with reconnects and gap filling), ``outbox`` (offline writes),
and the ``pchat`` command line on top. Everything public is listed in ``__all__``.
"""

from __future__ import annotations

from .auth import (
    ApiKeyCredentials,
    AuthMode,
    Credentials,
    IamCredentials,
    UserPoolCredentials,
    credentials_for,
    user_session,
)
from .bootstrap import SyncMarks, open_client, outbox_for, token_cache
from .config import (
    Config,
    DevUser,
    IamKeys,
    UserPoolConfig,
    config_from_dict,
    default_config_dir,
    load_config,
)
from .errors import (
    ApiError,
    AuthError,
    ConfigError,
    ConflictError,
    OfflineError,
    PchatError,
)
from .export import ExportFormat, export_messages
from .merge import ChangeMerger
from .models import (
    Author,
    Leaderboard,
    LeaderboardEntry,
    Membership,
    Message,
    Page,
    PostResult,
    PostStatus,
    Profile,
    Rejection,
    Room,
    Sentiment,
    SyncPage,
    TagCloud,
    TagCount,
    Translation,
)
from .operations import ChatClient, SyncResult, iter_pages, new_client_id
from .outbox import (
    ConflictResolver,
    Discard,
    EntryKind,
    EntryState,
    FlushReport,
    Outbox,
    OutboxEntry,
    Outcome,
    Retry,
)
from .realtime import Backoff, ConnectionEvent, FeedEvent, MessageEvent, RoomFeed
from .tokens import CognitoSession, TokenCache, Tokens
from .transport import GqlTransport, Transport

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "ApiKeyCredentials",
    "AuthError",
    "AuthMode",
    "Author",
    "Backoff",
    "ChangeMerger",
    "ChatClient",
    "CognitoSession",
    "Config",
    "ConfigError",
    "ConflictError",
    "ConflictResolver",
    "ConnectionEvent",
    "Credentials",
    "DevUser",
    "Discard",
    "EntryKind",
    "EntryState",
    "ExportFormat",
    "FeedEvent",
    "FlushReport",
    "GqlTransport",
    "IamCredentials",
    "IamKeys",
    "Leaderboard",
    "LeaderboardEntry",
    "Membership",
    "Message",
    "MessageEvent",
    "OfflineError",
    "Outbox",
    "OutboxEntry",
    "Outcome",
    "Page",
    "PchatError",
    "PostResult",
    "PostStatus",
    "Profile",
    "Rejection",
    "Retry",
    "Room",
    "RoomFeed",
    "Sentiment",
    "SyncMarks",
    "SyncPage",
    "SyncResult",
    "TagCloud",
    "TagCount",
    "TokenCache",
    "Tokens",
    "Translation",
    "Transport",
    "UserPoolConfig",
    "UserPoolCredentials",
    "__version__",
    "config_from_dict",
    "credentials_for",
    "default_config_dir",
    "export_messages",
    "iter_pages",
    "load_config",
    "new_client_id",
    "open_client",
    "outbox_for",
    "token_cache",
    "user_session",
]
