"""AppSync real-time endpoint: WebSocket dialects, subscription registry and fan-out.

Public surface: `SubscriptionHub` (construct with core's engine and authenticator, mount
`hub.routes()`) and `RealtimeLimits` (the timers and limits it enforces).
"""

from __future__ import annotations

from .config import RealtimeLimits
from .hub import SubscriptionHub

__all__ = ["RealtimeLimits", "SubscriptionHub"]
