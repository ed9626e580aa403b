"""Time ranges and the charts drawn over them: Plotly traces and table sparklines.

A chart reads the store at the resolution its range calls for (raw, 5 min or 1 h) and at
most ``MAX_POINTS`` points a trace, and shows times on the site's wall clock. Partial
buckets and charts with too little data follow one rule, in ``buckets``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.utils import timezone

from dcim.dashboard import buckets, chart_units
from dcim.ui import units
from dcim.ui.bad_input import storable_time
from telemetry import store

RANGES = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "24h": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
MAX_POINTS = 2000
MAX_TRACES = 16


class RangeError(ValueError):
    """A range the user asked for that cannot be read (bad date, end before start)."""


def parse_range(params: Any, tz: ZoneInfo, now: datetime | None = None) -> tuple:
    """(start, end, key) from ``range=1h|6h|24h|7d|30d`` or ``start``/``end`` given as local
    times in the site's zone (what a datetime-local input sends)."""
    now = now or timezone.now()
    key = params.get("range") or "6h"
    if key in RANGES:
        return now - RANGES[key], now, key
    if key != "custom":
        raise RangeError(f"unknown range {key!r}")
    try:
        start = _local(params.get("start", ""), tz)
        end = _local(params.get("end", ""), tz) if params.get("end") else now
    except ValueError as exc:
        raise RangeError("start and end must be dates and times, e.g. 2025-06-01 08:00") from exc
    try:  # an offset no zone has, or a year that cannot be carried to UTC
        start, end = storable_time(start), storable_time(end)
    except ValueError as exc:
        raise RangeError(f"start and end: {exc}") from None
    if end <= start:
        raise RangeError("the end must come after the start")
    if end - start > timedelta(days=400):
        raise RangeError("a custom range is at most 400 days")
    return start, end, "custom"


def _local(text: str, tz: ZoneInfo) -> datetime:
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt


def local_ms(ts: np.ndarray, tz: ZoneInfo) -> list[int]:
    """datetime64 UTC -> epoch ms shifted to the zone's wall clock, which Plotly draws as
    local time (it ignores zones). Offsets are looked up per distinct hour, so DST works."""
    if not len(ts):
        return []
    secs = ts.astype("datetime64[s]").astype(np.int64)
    hours = secs // 3600
    offsets = {}
    for h in np.unique(hours):
        at = datetime.fromtimestamp(int(h) * 3600, UTC).astimezone(tz)
        offsets[int(h)] = int(at.utcoffset().total_seconds())
    shift = np.array([offsets[int(h)] for h in hours], dtype=np.int64)
    ms = ts.astype("datetime64[ms]").astype(np.int64) + shift * 1000
    return ms.tolist()


def chart(
    device_id: int,
    metric: str,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    components: list[str] | None = None,
    max_points: int = MAX_POINTS,
    interval_s: float | None = None,
) -> dict[str, Any]:
    """Plotly traces, one per component of the device that has ``metric``, at the
    resolution the range calls for and at most ``max_points`` points each, partial buckets
    apart and too little data said so (the rule in ``buckets``). ``interval_s``: the
    device's poll interval, which tells a late first sample from a normal one."""
    now, interval_s = timezone.now(), interval_s or store.default_interval_s()
    began = []
    series = [
        s
        for s in store.find_series(device_id=device_id, metric=metric)
        if components is None or s["component"] in components
    ]
    series.sort(key=lambda s: natural_key(s["component"]))
    traces, resolutions, unit = [], set(), ""
    counter = metric.endswith("_total")  # counters are charted as rates, per second
    for s in series[:MAX_TRACES]:
        if counter:
            r = store.rate(s["id"], start, end, bits=64, max_points=max_points)
            verdict = buckets.raw_verdict(r.ts)
        else:
            r, verdict = buckets.read_series(
                s["id"], start, end, now=now, interval_s=interval_s, tz=tz, max_points=max_points
            )
        began += [verdict.began] if verdict.began else []
        unit = units.rate_unit(s["unit"]) if counter else s["unit"]
        resolutions.add(r.resolution)
        trace = {
            "name": s["component"] or metric,
            "x": local_ms(r.ts, tz),
            "y": [round(v, 3) for v in r.value.tolist()],
        }
        traces.append(buckets.split_trace(trace, verdict.reasons))
    data = {
        "metric": metric,
        "unit": unit,
        "traces": traces,
        "resolution": ", ".join(sorted(resolutions)) or "none",
        "truncated": max(0, len(series) - MAX_TRACES),
    }
    chart_units.show(data, metric)  # the axis in °C, kW, GB/s, states in words
    live = now - end < timedelta(minutes=1)
    pad = timedelta(seconds=max(60.0, 2 * interval_s))
    return buckets.annotate(data, min(began, default=None), tz, live, pad)


def natural_key(text: str) -> tuple:
    """gpu2 before gpu10, if:1/2 before if:1/10."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def sparkline(series_id: int, start: datetime, end: datetime, points: int = 60) -> str:
    """An SVG polyline ``points`` attribute (100 × 20 box) of one series: a tiny trend for
    a table cell, drawn server-side so a table of GPUs costs no chart library."""
    r = store.query(
        series_id, start, end, max_points=points, resolution="raw", downsample_with="lttb"
    )
    if len(r) < 2:
        return ""
    x = r.ts.astype("datetime64[s]").astype(np.int64).astype(float)
    y = r.value
    span_x = (x[-1] - x[0]) or 1.0
    lo, hi = float(np.min(y)), float(np.max(y))
    span_y = (hi - lo) or 1.0
    return " ".join(
        f"{100 * (a - x[0]) / span_x:.1f},{19 - 18 * (b - lo) / span_y:.1f}"
        for a, b in zip(x, y, strict=True)
    )
