"""What every collector produces: readings, and a per-target poll result.

A collector turns one device's answer into ``Reading`` values in base units (watts, joules,
celsius, percent 0–100, bytes, seconds, volts, amperes, rpm, hertz) with Prometheus-style
metric names (``_total`` for counters). It never raises for one bad value: it skips it and
counts why in ``PollResult.skipped``. Only a failure of the whole target (timeout, refused
login, NVML init failure) is an error, and it is recorded, not raised.

These are plain data so that a GPU host can send them through the broker as JSON.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of one metric of one component at one time.

    ``component`` names the part of the device the value belongs to: "" for the device
    itself, "gpu0", "if:Ethernet1/1", "outlet:12", "phase:L1", "sensor:inlet-temp" ...
    ``labels`` carry identity that is not part of the series key's component (GPU UUID,
    ifAlias, ...), kept short.
    """

    metric: str
    value: float
    unit: str
    component: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    ts: datetime | None = None  # None: the poll's timestamp

    def to_json(self) -> dict:
        data = asdict(self)
        data["ts"] = self.ts.isoformat() if self.ts else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> Reading:
        ts = data.get("ts")
        return cls(
            metric=data["metric"],
            value=data["value"],
            unit=data["unit"],
            component=data.get("component", ""),
            labels=dict(data.get("labels") or {}),
            ts=datetime.fromisoformat(ts) if ts else None,
        )


@dataclass(slots=True)
class PollResult:
    """The outcome of polling one target once."""

    target: str
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    readings: list[Reading] = field(default_factory=list)
    error: str = ""  # the whole target failed: the reason, as an operator should read it
    latency_s: float = 0.0
    skipped: Counter = field(default_factory=Counter)  # reason -> how many values skipped
    events: list[dict] = field(default_factory=list)  # e.g. XID events: {"kind", "gpu", ...}

    @property
    def ok(self) -> bool:
        return not self.error

    def add(
        self,
        metric: str,
        value: float | int | None,
        unit: str,
        component: str = "",
        labels: dict[str, str] | None = None,
    ) -> None:
        """Add a reading, or count it as skipped when the value is not a finite number."""
        if value is None:
            self.skipped["missing"] += 1
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.skipped["not_a_number"] += 1
            return
        if not math.isfinite(value):
            self.skipped["not_finite"] += 1
            return
        self.readings.append(Reading(metric, float(value), unit, component, labels or {}))

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    def to_json(self) -> dict:
        return {
            "target": self.target,
            "started": self.started.isoformat(),
            "readings": [r.to_json() for r in self.readings],
            "error": self.error,
            "latency_s": self.latency_s,
            "skipped": dict(self.skipped),
            "events": self.events,
        }

    @classmethod
    def from_json(cls, data: dict) -> PollResult:
        return cls(
            target=data["target"],
            started=datetime.fromisoformat(data["started"]),
            readings=[Reading.from_json(r) for r in data["readings"]],
            error=data.get("error", ""),
            latency_s=data.get("latency_s", 0.0),
            skipped=Counter(data.get("skipped") or {}),
            events=list(data.get("events") or []),
        )
