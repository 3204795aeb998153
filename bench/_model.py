"""What a benchmark returns: a Section of Figures (one value per repeat) and Ratios.

Figures keep every repeat's value, not only a summary, so the report can show the
spread and so paired ratios (ours vs. a baseline measured in the same repeat, moments
apart) can be computed repeat by repeat: on a shared machine the load drifts between
repeats, and pairing cancels most of that drift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from ._stats import spread

Status = Literal["ok", "partial", "skipped", "error"]
Better = Literal["lower", "higher", "none"]


@dataclass
class Figure:
    key: str  # stable id, e.g. "fanout.ours.n100.latency_p95_ms"
    label: str  # what a reader sees, e.g. "latency p95 (100 subscribers)"
    unit: str
    system: str  # "ours", or the baseline's name ("peer", "ceiling", "hello-world", ...)
    values: list[float] = field(default_factory=list)  # one per repeat
    better: Better = "lower"
    params: dict[str, Any] = field(default_factory=dict)

    def add(self, value: float | None) -> None:
        self.values.append(math.nan if value is None else float(value))

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "system": self.system,
            "better": self.better,
            "params": self.params,
            "values": [_finite(v) for v in self.values],
            **{k: _finite(v) for k, v in spread(self.values).items()},
        }


@dataclass
class Ratio:
    """numerator / denominator, paired per repeat (both lists are in repeat order)."""

    key: str
    label: str
    numerator: str  # Figure keys
    denominator: str
    values: list[float] = field(default_factory=list)
    meaning: str = ""  # how to read it, e.g. ">1: ours delivers more per second"

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "meaning": self.meaning,
            "values": [_finite(v) for v in self.values],
            **{k: _finite(v) for k, v in spread(self.values).items()},
        }


@dataclass
class Section:
    name: str  # "fanout", "pipeline", ...
    title: str
    method: str  # markdown: how it was measured, what the baselines are
    status: Status = "ok"
    reason: str = ""  # why skipped / partial / failed
    figures: list[Figure] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # caveats, said plainly
    details: dict[str, Any] = field(default_factory=dict)  # raw per-repeat data
    duration_s: float = 0.0

    def figure(self, key: str, label: str, unit: str, system: str, *,
               better: Better = "lower", **params: Any) -> Figure:
        """The figure with this key, created on first use (repeats append to it)."""
        for existing in self.figures:
            if existing.key == key:
                return existing
        created = Figure(key, label, unit, system, better=better, params=params)
        self.figures.append(created)
        return created

    def get(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)

    def pair(self, key: str, label: str, numerator: str, denominator: str,
             meaning: str = "") -> Ratio | None:
        """A ratio of two figures, repeat by repeat; None if either is missing."""
        top, bottom = self.get(numerator), self.get(denominator)
        if top is None or bottom is None:
            return None
        values = [
            (a / b) if (b and not math.isnan(a) and not math.isnan(b)) else math.nan
            for a, b in zip(top.values, bottom.values, strict=False)
        ]
        ratio = Ratio(key, label, numerator, denominator, values, meaning)
        self.ratios.append(ratio)
        return ratio

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "reason": self.reason,
            "method": self.method,
            "duration_s": round(self.duration_s, 1),
            "figures": [f.to_json() for f in self.figures],
            "ratios": [r.to_json() for r in self.ratios],
            "notes": self.notes,
            "details": self.details,
        }


def _finite(value: float) -> float | None:
    """JSON has no NaN: a missing measurement is null."""
    return None if value is None or math.isnan(value) or math.isinf(value) else value
