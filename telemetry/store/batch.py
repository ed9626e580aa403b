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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

METRIC_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
UNIT_RE = re.compile(r"^[a-z_]*$")
# The registry's column sizes (telemetry.store.models.Series; a test holds them equal) and
# PostgreSQL's int4 device_id. A key past them used to reach the database and fail the
# whole batch with a raw DataError; now it is refused before, one reading at a time.
MAX_COMPONENT, MAX_METRIC, MAX_UNIT = 100, 100, 40
MAX_LABELS = 2000  # canonical JSON of a series' labels; identity, not free text
INT4 = (-(2**31), 2**31 - 1)
# A \udXXX escape that is not half of a surrogate pair, in JSON text.
_LONE_SURROGATE = re.compile(
    r"\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}", re.I
)

# (device_id, component, metric, unit, canonical labels JSON): the identity of a series.
SeriesKey = tuple[int | None, str, str, str, str]


def labels_key(labels: dict[str, str] | None) -> str:
    """Canonical JSON of the labels, so that {a, b} and {b, a} are one series."""
    return json.dumps(labels or {}, sort_keys=True, separators=(",", ":"))


class SeriesKeyError(ValueError):
    """A series key the store cannot hold; ``reason`` is the refusal reason counted."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _clean_text(text: str) -> bool:
    """PostgreSQL text holds no NUL, and psycopg cannot encode a lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def series_key(
    device_id: int | None,
    component: str,
    metric: str,
    unit: str,
    labels: dict[str, str] | str | None = None,
) -> SeriesKey:
    """Normalise one key; raises ``SeriesKeyError`` (a ValueError, with a ``reason``) for a key
    that breaks the conventions or would not fit the registry's columns."""
    if device_id is not None and (
        isinstance(device_id, bool)
        or not isinstance(device_id, int | np.integer)
        or not INT4[0] <= int(device_id) <= INT4[1]
    ):
        raise SeriesKeyError("bad_device_id", f"device id {device_id!r} is not a 32-bit integer")
    if not isinstance(metric, str) or not METRIC_RE.match(metric):
        raise SeriesKeyError("bad_metric", f"metric name {str(metric)[:120]!r} is not snake_case")
    if len(metric) > MAX_METRIC:
        raise SeriesKeyError("metric_too_long", f"metric name over {MAX_METRIC} characters")
    if not isinstance(unit, str) or not UNIT_RE.match(unit):
        raise SeriesKeyError(
            "bad_unit", f"unit {str(unit)[:60]!r} is not a lowercase base-unit name"
        )
    if len(unit) > MAX_UNIT:
        raise SeriesKeyError("unit_too_long", f"unit over {MAX_UNIT} characters")
    component = component or ""
    if not isinstance(component, str) or not _clean_text(component):
        raise SeriesKeyError("bad_text", "component is not text without NUL bytes")
    if len(component) > MAX_COMPONENT:
        raise SeriesKeyError("component_too_long", f"component over {MAX_COMPONENT} characters")
    if isinstance(labels, str):
        lk = labels
    else:
        items = dict(labels or {}).items()
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in items):
            raise SeriesKeyError("bad_labels", "label names and values must be text")
        if not all(_clean_text(k) and _clean_text(v) for k, v in items):
            raise SeriesKeyError("bad_text", "a label holds a NUL byte or a lone surrogate")
        lk = labels_key(labels)
    # Keys from JSON bring their labels as canonical JSON, escapes and all: NUL is \u0000
    # there and a lone surrogate \udXXX, and PostgreSQL's jsonb refuses both.
    if not _clean_text(lk) or "\\u0000" in lk or _LONE_SURROGATE.search(lk):
        raise SeriesKeyError("bad_text", "labels hold a NUL byte or a lone surrogate")
    if len(lk) > MAX_LABELS:
        raise SeriesKeyError("labels_too_long", f"labels over {MAX_LABELS} characters as JSON")
    return (None if device_id is None else int(device_id), component, metric, unit, lk)


def key_problem(
    device_id: int | None, component: str, metric: str, unit: str, labels=None
) -> str | None:
    """The refusal reason for a series key, or None when the store can hold it."""
    try:
        series_key(device_id, component, metric, unit, labels)
    except SeriesKeyError as exc:
        return exc.reason
    return None


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

    def add_readings(
        self,
        device_id: int | None,
        readings: Iterable[Any],
        ts: Any,
        refused: Counter | None = None,
    ) -> int:
        """Add collector ``Reading`` objects (telemetry.readings) for one device.

        Readings are grouped by timestamp (a reading without one takes ``ts``) into one
        frame per distinct timestamp. Per-value Python: meant for collector volumes.
        A reading whose key the store cannot hold is left out and counted in ``refused``
        by reason (with ``refused`` None it raises ``SeriesKeyError``, as before). Returns how
        many readings were added.
        """
        groups: dict[Any, tuple[list, list]] = {}
        added = 0
        for r in readings:
            try:
                key = series_key(device_id, r.component, r.metric, r.unit, r.labels)
            except SeriesKeyError as exc:
                if refused is None:
                    raise
                refused[exc.reason] += 1
                continue
            keys, vals = groups.setdefault(r.ts or ts, ([], []))
            keys.append(key)
            vals.append(r.value)
            added += 1
        for at, (keys, vals) in groups.items():
            self.add_frame(self.add_schema(keys), at, vals)
        return added

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
