"""Time-sortable unique ids (ULID: 48-bit millisecond time + 80 random bits).

Two ids made in the same millisecond by one process stay ordered (the random
part is incremented), and ids from different processes never collide in
practice (80 random bits). This replaces the 2019 design's ``Date.now()`` sort
key, where two messages in one millisecond overwrote each other.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_RANDOM_BITS = 80


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


class UlidFactory:
    """Monotonic ULID generator. Thread-safe."""

    def __init__(self, clock_ms: Callable[[], int] | None = None) -> None:
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_rand = 0

    def new(self) -> str:
        with self._lock:
            now = self._clock_ms()
            if now <= self._last_ms:
                # Same (or an earlier, after a clock step back) millisecond: keep order.
                now = self._last_ms
                rand = self._last_rand + 1
                if rand >= 1 << _RANDOM_BITS:  # pragma: no cover - 2^80 ids in one ms
                    now += 1
                    rand = secrets.randbits(_RANDOM_BITS)
            else:
                rand = secrets.randbits(_RANDOM_BITS)
            self._last_ms, self._last_rand = now, rand
            return _encode(now, 10) + _encode(rand, 16)


def ulid_time_ms(ulid: str) -> int:
    """The millisecond timestamp encoded in a ULID."""
    value = 0
    for ch in ulid[:10].upper():
        value = value * 32 + _ALPHABET.index(ch)
    return value


def ulid_floor(ms: int) -> str:
    """The smallest ULID of a millisecond (for time-range key conditions)."""
    return _encode(ms, 10) + "0" * 16


def ulid_ceiling(ms: int) -> str:
    """The largest ULID of a millisecond."""
    return _encode(ms, 10) + "Z" * 16


def ulid_at(ms: int, randomness: int) -> str:
    """The ULID of a millisecond with the given 80-bit random part.

    For deterministic ids where the caller owns the randomness (seeding tools, tests);
    the chat itself uses ``UlidFactory``.
    """
    if not 0 <= randomness < 1 << _RANDOM_BITS:
        raise ValueError("randomness must be an 80-bit non-negative integer")
    return _encode(ms, 10) + _encode(randomness, 16)
