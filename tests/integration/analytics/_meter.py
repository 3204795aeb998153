"""DynamoDB calls, items read and capacity consumed by one query, measured on the client.

botocore event hooks add ``ReturnConsumedCapacity=TOTAL`` to every read and sum what comes
back, so the adapters stay unchanged (they never ask for it in production). Items read are
what DynamoDB charges for: ``ScannedCount`` of a Query (before any filter), the items a
BatchGetItem or GetItem returned.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_READS = {"Query", "GetItem", "BatchGetItem", "Scan"}


class Meter:
    def __init__(self, client: Any) -> None:
        self.calls = 0
        self.items = 0
        self.capacity = 0.0
        client.meta.events.register("before-parameter-build.dynamodb", self._ask)
        client.meta.events.register("after-call.dynamodb", self._count)
        self.records: list[dict[str, Any]] = []

    def _ask(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in _READS:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _count(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls += 1
        consumed = parsed.get("ConsumedCapacity") or []
        for entry in consumed if isinstance(consumed, list) else [consumed]:
            self.capacity += float(entry.get("CapacityUnits", 0.0))
        if model.name in ("Query", "Scan"):
            self.items += int(parsed.get("ScannedCount", 0))
        elif model.name == "BatchGetItem":
            self.items += sum(len(v) for v in parsed.get("Responses", {}).values())
        elif model.name == "GetItem":
            self.items += 1 if "Item" in parsed else 0

    @contextmanager
    def measure(self, query: str, **args: Any) -> Iterator[dict[str, Any]]:
        """Record one call of the API (one GraphQL field resolution)."""
        record: dict[str, Any] = {"query": query, "args": args}
        calls, items, capacity = self.calls, self.items, self.capacity
        started = time.perf_counter()
        yield record
        record.update(
            latency_ms=round((time.perf_counter() - started) * 1000, 2),
            dynamodb_calls=self.calls - calls,
            items_read=self.items - items,
            capacity_units=round(self.capacity - capacity, 2),
        )
        self.records.append(record)

    def timed(self, query: str, call: Callable[[], Any], **args: Any) -> Any:
        with self.measure(query, **args) as record:
            result = call()
        record["result_size"] = _size(result)
        return result


def _size(result: Any) -> int:
    for attribute in ("items", "buckets"):
        if hasattr(result, attribute):
            return len(getattr(result, attribute))
    return len(result) if isinstance(result, list) else 1


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    by_query: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_query.setdefault(r["query"], []).append(r)
    return {name: _figures(rows) for name, rows in sorted(by_query.items())}


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def spread(key: str) -> dict[str, float]:
        values = sorted(float(r[key]) for r in rows)
        return {
            "p50": round(_pct(values, 50), 2),
            "p95": round(_pct(values, 95), 2),
            "max": round(values[-1], 2),
            "mean": round(statistics.fmean(values), 2),
        }

    return {
        "calls": len(rows),
        "latency_ms": spread("latency_ms"),
        "items_read": spread("items_read"),
        "capacity_units": spread("capacity_units"),
        "dynamodb_calls": spread("dynamodb_calls"),
    }


def _pct(values: list[float], q: float) -> float:
    rank = (len(values) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)
