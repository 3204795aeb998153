"""Count the AWS API calls a piece of code makes, and DynamoDB's capacity units.

botocore event hooks on a session (before its clients are created: clients copy the
session's handlers at creation), so the project's own wiring (bootstrap) is measured
unchanged:
- `before-parameter-build.*.*`: one call of service.Operation (stubbed calls included);
  DynamoDB operations also get `ReturnConsumedCapacity=INDEXES` unless already set;
- `after-call.dynamodb.*`: the ConsumedCapacity DynamoDB (Local) reports, read units and
  write units apart, table and indexes together.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                              "TransactWriteItems"})


@dataclass
class Tally:
    calls: Counter[str] = field(default_factory=Counter)  # "dynamodb.GetItem" -> n
    read_units: float = 0.0
    write_units: float = 0.0

    def minus(self, earlier: Tally) -> Tally:
        calls = Counter(self.calls)
        calls.subtract(earlier.calls)
        return Tally(+calls, self.read_units - earlier.read_units,
                     self.write_units - earlier.write_units)

    def copy(self) -> Tally:
        return Tally(Counter(self.calls), self.read_units, self.write_units)

    def service_calls(self, service: str) -> int:
        return sum(n for name, n in self.calls.items() if name.startswith(service + "."))


class CallCounter:
    _ids = itertools.count()

    def __init__(self) -> None:
        self.tally = Tally()
        self._id = f"bench-counter-{next(self._ids)}"
        self._events: Any = None

    def attach(self, events: Any) -> None:
        self._events = events
        events.register("before-parameter-build.*.*", self._before,
                        unique_id=self._id + "-before")
        events.register("after-call.dynamodb.*", self._after, unique_id=self._id + "-after")

    def detach(self) -> None:
        if self._events is not None:
            self._events.unregister("before-parameter-build.*.*", unique_id=self._id + "-before")
            self._events.unregister("after-call.dynamodb.*", unique_id=self._id + "-after")
            self._events = None

    def snapshot(self) -> Tally:
        return self.tally.copy()

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        service = model.service_model.service_id.hyphenize()
        self.tally.calls[f"{service}.{model.name}"] += 1
        if (service == "dynamodb" and "ReturnConsumedCapacity" in model.input_shape.members
                and "ReturnConsumedCapacity" not in params):
            params["ReturnConsumedCapacity"] = "INDEXES"

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity") if isinstance(parsed, dict) else None
        if not consumed:
            return
        units = sum(float(c.get("CapacityUnits", 0.0))
                    for c in (consumed if isinstance(consumed, list) else [consumed]))
        if model.name in WRITE_OPERATIONS:
            self.tally.write_units += units
        else:
            self.tally.read_units += units
