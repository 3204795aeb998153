"""Merging message changes from the live subscription and from delta sync.

After a reconnect the same change can arrive twice (pushed before the drop and listed
again by ``syncMessages``, or pushed while the catch-up sync runs). A change is
identified by ``(id, _version)``; versions only grow, so a change is new exactly when
its version is above the highest one already delivered for that message. Batches are
delivered in server time order (``_lastChangedAt``, then id for equal milliseconds).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from .models import Message

DEFAULT_CAPACITY = 50_000  # messages remembered; older ones fall out least-recently-seen first


class ChangeMerger:
    """Remembers what was delivered; ``merge`` returns only what was not, in order."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._versions: OrderedDict[str, int] = OrderedDict()
        self.watermark: int | None = None  # highest _lastChangedAt delivered

    def is_new(self, message: Message) -> bool:
        seen = self._versions.get(message.id)
        return seen is None or message.version > seen

    def accept(self, message: Message) -> bool:
        """Record ``message`` as delivered if it is new; True when the caller should deliver it."""
        if not self.is_new(message):
            return False
        self._versions[message.id] = message.version
        self._versions.move_to_end(message.id)
        if len(self._versions) > self._capacity:
            self._versions.popitem(last=False)
        if self.watermark is None or message.last_changed_at > self.watermark:
            self.watermark = message.last_changed_at
        return True

    def merge(self, *batches: Iterable[Message]) -> list[Message]:
        """The new changes among ``batches``, oldest first, each (id, version) once."""
        ordered = sorted((m for batch in batches for m in batch), key=order_key)
        return [m for m in ordered if self.accept(m)]


def order_key(message: Message) -> tuple[int, str, int]:
    # Message ids are ULIDs (time-sortable), so equal milliseconds still order by creation.
    return (message.last_changed_at, message.id, message.version)
