"""Meter history for the energy tests, written through the store's public ingest as a
collector would."""

from __future__ import annotations

from datetime import datetime, timedelta

from telemetry import store
from telemetry.readings import Reading


def write(device, metric: str, unit: str, points, component: str = "") -> None:
    """Store ``points`` [(datetime, value)] of one metric of ``device``."""
    batch = store.Batch(batch_id=f"energy-test-{device.pk}-{metric}")
    for ts, value in points:
        batch.add_readings(device.pk, [Reading(metric, value, unit, component)], ts)
    store.ingest(batch)


def every(start: datetime, end: datetime, step_s: float, value) -> list[tuple[datetime, float]]:
    """Samples from ``start`` (inclusive) to ``end`` (inclusive) every ``step_s`` seconds;
    ``value`` is a number or a function of seconds since ``start``."""
    out, t = [], 0.0
    while start + timedelta(seconds=t) <= end:
        v = value(t) if callable(value) else value
        out.append((start + timedelta(seconds=t), v))
        t += step_s
    return out
