"""Timers and limits of the real-time endpoint (reference section 1.5)."""

from __future__ import annotations

from dataclasses import dataclass

#: What AppSync advertises in `connection_ack`; clients close if no `ka` arrives within it.
CONNECTION_TIMEOUT_MS = 300_000


@dataclass(frozen=True)
class RealtimeLimits:
    """AWS defaults; tests shorten the timers.

    keepalive_s: interval between `ka` frames. AWS sends one right after the ack and then
        about every minute; Amplify flags "keep-alive missed" after 65 s (reference 1.5).
    max_subscriptions: live operations per connection (AWS: 100).
    max_event_bytes: larger events are dropped, not sent (AWS: 240 KB over WebSocket).
    connection_init_timeout_s: close a connection that neither sends `connection_init` nor
        starts an operation within this time (AWS value not documented; emulator choice).
    max_connection_s: maximum connection duration (AWS: 24 h), then the server closes.
    send_queue_frames: frames queued for one client before it is disconnected as too slow
        (AWS behaviour not documented; emulator choice so one slow client cannot stall others).
    """

    keepalive_s: float = 60.0
    max_subscriptions: int = 100
    max_event_bytes: int = 240 * 1024
    connection_init_timeout_s: float = 300.0
    max_connection_s: float = 24 * 3600.0
    send_queue_frames: int = 1000

    def __post_init__(self) -> None:
        for name in ("keepalive_s", "connection_init_timeout_s", "max_connection_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("max_subscriptions", "max_event_bytes", "send_queue_frames"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
