"""A time budget for one request: when the work must be done by.

The resolver Lambda is killed at its timeout; a post that is still translating then is
answered with an opaque ``Lambda:Unhandled`` and its outcome is unknown to the client.
So the handler turns the invocation's remaining time (minus a margin for the store write
and the response) into a ``Deadline`` and the services stop provider work when it is spent:
a required step (language, sentiment, topics) fails retryably before anything is written,
a deferrable one (translation) is recorded as pending (docs/nlp.md, "Time budget").

The clock is injected (monotonic seconds), so tests drive it by hand.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass(frozen=True)
class Deadline:
    """An instant on ``clock`` (seconds) by which the work must be done."""

    at: float
    clock: Clock = field(default=time.monotonic, compare=False, repr=False)

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        """``seconds`` from now (a negative or zero budget is already spent)."""
        return cls(clock() + seconds, clock)

    @classmethod
    def unbounded(cls) -> Deadline:
        """No budget (tools, tests, callers that have no timeout of their own)."""
        return cls(math.inf)

    @property
    def bounded(self) -> bool:
        return not math.isinf(self.at)

    def remaining(self) -> float:
        """Seconds left, never negative; ``math.inf`` when unbounded."""
        if not self.bounded:
            return math.inf
        return max(0.0, self.at - self.clock())

    @property
    def expired(self) -> bool:
        return self.bounded and self.clock() >= self.at

    def capped(self, seconds: float) -> Deadline:
        """The earlier of this deadline and ``seconds`` from now."""
        cap = self.clock() + seconds
        return self if cap >= self.at else Deadline(cap, self.clock)


__all__ = ["Clock", "Deadline"]
