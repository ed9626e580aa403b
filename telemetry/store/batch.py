"""The ingest input: a plain, JSON-serialisable, columnar batch.

A batch carries *schemas* (an ordered list of series keys, named by a fingerprint) and
*frames* (a schema, R timestamps and R × C values, row-major). A GPU host agent builds its
schema once (8 GPUs × 27 metrics = 216 keys) and then sends one short frame per poll, so the
ingest worker does a dictionary look-up per frame, not per value::

    {"batch_id": "gpu-host-17/2025-06-01T12:00:15Z",
     "schemas": {"9f2c…": [[17, "gpu0", "gpu_power_watts", "watts", {}], …]},
     "frames": [{"schema": "9f2c…", "ts": [1748779215.0], "values": [412.5, 61.0, …]}]}

Timestamps are Unix seconds (float) or timezone-aware datetimes; values are numbers, and
anything else (None, NaN, ±inf, strings, booleans) is refused value by value, with a reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

METRIC_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
UNIT_RE = re.compile(r"^[a-z_]*$")

# (device_id, component, metric, unit, canonical labels JSON): the identity of a series.
SeriesKey = tuple[int | None, str, str, str, str]


def labels_key(labels: dict[str, str] | None) -> str:
    """Canonical JSON of the labels, so that {a, b} and {b, a} are one series."""
    return json.dumps(labels or {}, sort_keys=True, separators=(",", ":"))


def series_key(
    device_id: int | None,
    component: str,
    metric: str,
    unit: str,
    labels: dict[str, str] | str | None = None,
) -> SeriesKey:
    """Normalise one key; raises ValueError for a name that breaks the conventions."""
    if not METRIC_RE.match(metric or ""):
        raise ValueError(f"metric name {metric!r} is not snake_case")
    if not UNIT_RE.match(unit or ""):
        raise ValueError(f"unit {unit!r} is not a lowercase base-unit name")
    lk = labels if isinstance(labels, str) else labels_key(labels)
    return (None if device_id is None else int(device_id), str(component or ""), metric, unit, lk)


def schema_id(keys: Sequence[SeriesKey]) -> str:
    """Fingerprint of an ordered list of normalised keys (128 bits of SHA-256)."""
    blob = json.dumps([list(k) for k in keys], separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


@dataclass
class Frame:
    """R timestamps × C values of one schema; ``values`` is flat and row-major."""

    schema: str
    ts: Sequence[float | datetime] | np.ndarray
    values: Sequence[Any] | np.ndarray


@dataclass
class Batch:
    """What one ingest call stores. ``batch_id`` is for logs: idempotence is per value."""

    schemas: dict[str, list[SeriesKey]] = field(default_factory=dict)
    frames: list[Frame] = field(default_factory=list)
    batch_id: str = ""

    def add_schema(self, keys: Iterable[Sequence[Any]]) -> str:
        """Register an ordered list of (device_id, component, metric, unit, labels); its id."""
        norm = [series_key(*k) for k in keys]
        sid = schema_id(norm)
        self.schemas[sid] = norm
        return sid

    def add_frame(self, schema: str, ts: Any, values: Any) -> None:
        """One or more rows of a schema: ``ts`` a timestamp or a list, ``values`` flat."""
        if not isinstance(ts, list | tuple | np.ndarray):
            ts = [ts]
        self.frames.append(Frame(schema, ts, values))

    def add_readings(self, device_id: int | None, readings: Iterable[Any], ts: Any) -> None:
        """Add collector ``Reading`` objects (telemetry.readings) for one device.

        Readings are grouped by timestamp (a reading without one takes ``ts``) into one
        frame per distinct timestamp. Per-value Python: meant for collector volumes.
        """
        groups: dict[Any, tuple[list, list]] = {}
        for r in readings:
            key = (device_id, r.component, r.metric, r.unit, labels_key(r.labels))
            keys, vals = groups.setdefault(r.ts or ts, ([], []))
            keys.append(key)
            vals.append(r.value)
        for at, (keys, vals) in groups.items():
            self.add_frame(self.add_schema(keys), at, vals)

    @property
    def value_count(self) -> int:
        return sum(len(f.values) for f in self.frames)

    def to_json(self) -> dict:
        """Plain data for the broker (timestamps become Unix seconds)."""
        return {
            "batch_id": self.batch_id,
            "schemas": {k: [list(x) for x in v] for k, v in self.schemas.items()},
            "frames": [
                {"schema": f.schema, "ts": _ts_list(f.ts), "values": _val_list(f.values)}
                for f in self.frames
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Batch:
        """The inverse of ``to_json``. Schema keys are kept as sent (lists): they are only
        normalised and checked when a schema is first seen, not on every batch."""
        return cls(
            schemas=dict(data.get("schemas") or {}),
            frames=[Frame(f["schema"], f["ts"], f["values"]) for f in data.get("frames") or []],
            batch_id=str(data.get("batch_id") or ""),
        )


def _ts_list(ts: Any) -> list:
    """Unix seconds. A naive datetime is an error here, on the producer's side, where the
    mistake can be fixed (``timestamp()`` would silently read it as local time)."""
    out = []
    for t in ts:
        if isinstance(t, datetime):
            if t.tzinfo is None or t.utcoffset() is None:
                raise ValueError(f"naive timestamp {t!r}: readings need timezone-aware times")
            out.append(t.timestamp())
        else:
            out.append(float(t))
    return out


def _val_list(values: Any) -> list:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def coerce_batch(batch: Batch | dict) -> Batch:
    return batch if isinstance(batch, Batch) else Batch.from_json(batch)
