"""Order statistics for latency samples and for figures repeated across runs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), linear interpolation between closest ranks.

    Returns NaN for no values so that an empty measurement is visible as such in the
    report instead of raising in the middle of a run.
    """
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def latency_summary(values_ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max/mean of one run's samples (milliseconds)."""
    return {
        "n": float(len(values_ms)),
        "p50": percentile(values_ms, 50),
        "p95": percentile(values_ms, 95),
        "p99": percentile(values_ms, 99),
        "max": max(values_ms) if values_ms else math.nan,
        "mean": statistics.fmean(values_ms) if values_ms else math.nan,
    }


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median, min, max and quartiles of one figure over repeated runs (NaNs ignored)."""
    clean = [float(v) for v in values if v is not None and not math.isnan(v)]
    if not clean:
        nan = math.nan
        return {"median": nan, "min": nan, "max": nan, "q1": nan, "q3": nan, "n": 0.0}
    return {
        "median": statistics.median(clean),
        "min": min(clean),
        "max": max(clean),
        "q1": percentile(clean, 25),
        "q3": percentile(clean, 75),
        "n": float(len(clean)),
    }
