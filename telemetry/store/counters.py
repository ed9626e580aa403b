"""Counters and energy: rates with wrap and reset detection, energy with its coverage.

Counters are stored as read; everything here is derived at query time.

* A decrease is a reset (agent restart, driver reload, user reset): that delta is dropped.
* Unless the counter is N-bit (32 or 64) and the decrease looks like a wrap: the wrapped
  delta ``2^N - prev + cur`` is under half the range (a reset from a low value gives a
  huge wrapped delta), is no faster than ``max_rate`` when one is known (link speed), and,
  when neighbouring deltas exist, no more than 4× their rate. A Counter64 reset therefore
  never passes for a wrap; a Counter32 reset from a high value is rejected by its
  neighbours' rate.
* Values are float8: exact to 2^53; near 2^64 a delta is off by at most a few kB.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.utils import timezone

from telemetry.store.config import get_config
from telemetry.store.models import Series
from telemetry.store.queries import QueryResult, raw_points, rollup_points

WRAP_NEIGHBOUR_FACTOR = 4.0
GAP_INTERVALS = 3  # a power gap longer than this many poll intervals is not bridged


def counter_deltas(
    values: np.ndarray, ts_s: np.ndarray, bits: int | None = None, max_rate: float | None = None
) -> np.ndarray:
    """Increase over each interval between consecutive samples; NaN where it is unknown
    (a reset). ``ts_s`` in seconds. Pure numpy, so it is tested on its own."""
    values = np.asarray(values, dtype=np.float64)
    d = np.diff(values)
    dt = np.diff(np.asarray(ts_s, dtype=np.float64))
    dec = d < 0
    if not dec.any():
        return d
    d = d.copy()
    if bits:
        mod = 2.0**bits
        wrapped = mod - values[:-1] + values[1:]
        cand = dec & (wrapped > 0) & (wrapped <= mod / 2)
        if max_rate is not None:
            cand &= wrapped / dt <= max_rate
        rate = np.where(dec, np.nan, d / dt)
        prev_r = np.r_[np.nan, rate[:-1]]
        next_r = np.r_[rate[1:], np.nan]
        neighbour = np.fmax(prev_r, next_r)
        known = ~np.isnan(neighbour)
        cand &= ~known | (wrapped / dt <= WRAP_NEIGHBOUR_FACTOR * neighbour + 1e-9)
        d[cand] = wrapped[cand]
        dec &= ~cand
    d[dec] = np.nan
    return d


def rate(
    series_id: int,
    start: datetime,
    end: datetime,
    *,
    bits: int | None = None,
    max_rate: float | None = None,
    max_points: int = 1000,
    now: datetime | None = None,
) -> QueryResult:
    """Per-second rate of a counter over [start, end), at most ``max_points`` points.

    From raw samples while they are kept (else from the 5-minute rollups' last values).
    When there are more intervals than points, each point is the exact average rate of its
    time bin: the sum of valid increases over the seconds they cover.
    """
    ts, v, res = _counter_points(series_id, start, end, now)
    if len(ts) < 2:
        return QueryResult(series_id, res, ts[:0], v[:0])
    secs = _seconds(ts)
    d = counter_deltas(v, secs, bits, max_rate)
    dt = np.diff(secs)
    t_end = ts[1:]
    ok = ~np.isnan(d)
    t_end, d, dt = t_end[ok], d[ok], dt[ok]
    if len(d) <= max_points:
        return QueryResult(series_id, res, t_end, d / dt)
    edges = np.linspace(0, len(d), max_points + 1).astype(np.intp)
    inc = np.add.reduceat(d, edges[:-1])
    cov = np.add.reduceat(dt, edges[:-1])
    return QueryResult(series_id, res, t_end[edges[1:] - 1], inc / cov, downsampled="sum")


@dataclass(frozen=True)
class Energy:
    """Energy over an interval, and how much of the interval the data covers."""

    joules: float
    covered_s: float
    interval_s: float
    method: str  # "counter" or "power"
    resolution: str  # "raw" or "5m"

    @property
    def coverage(self) -> float:
        return self.covered_s / self.interval_s if self.interval_s > 0 else 0.0

    @property
    def kwh(self) -> float:
        return self.joules / 3.6e6


def energy(
    series_id: int,
    start: datetime,
    end: datetime,
    *,
    method: str | None = None,
    bits: int | None = None,
    interval_s: float | None = None,
    now: datetime | None = None,
) -> Energy:
    """Energy in [start, end) from an energy counter (joules, ``*_joules_total``) or from
    power samples (watts), with coverage = covered seconds / interval seconds.

    Counter: the sum of valid increases (last - first, reset-corrected); a reset interval
    is not covered. Power: trapezoid rule between consecutive samples, not bridging a gap
    longer than 3 poll intervals (``interval_s``, else the median spacing).
    """
    if method is None:
        s = Series.objects.filter(pk=series_id).values("metric", "unit").first() or {}
        counter = s.get("metric", "").endswith("_total") or s.get("unit") == "joules"
        method = "counter" if counter else "power"
    span = (end - start).total_seconds()
    if method == "counter":
        ts, v, res = _counter_points(series_id, start, end, now)
        if len(ts) < 2:
            return Energy(0.0, 0.0, span, method, res)
        secs = _seconds(ts)
        d = counter_deltas(v, secs, bits)
        ok = ~np.isnan(d)
        return Energy(float(d[ok].sum()), float(np.diff(secs)[ok].sum()), span, method, res)
    ts, p, res = _power_points(series_id, start, end, now)
    if len(ts) < 2:
        return Energy(0.0, 0.0, span, method, res)
    secs = _seconds(ts)
    dt = np.diff(secs)
    poll = interval_s or float(np.median(dt))
    ok = dt <= GAP_INTERVALS * poll + 1e-6
    joules = float((((p[1:] + p[:-1]) / 2) * dt)[ok].sum())
    return Energy(joules, float(dt[ok].sum()), span, method, res)


def samples(
    series_id: int, start: datetime, end: datetime, *, counter: bool, now: datetime | None = None
) -> tuple[np.ndarray, np.ndarray, str]:
    """The points a sum over [start, end) should use: raw while it is kept, else 5-minute
    rollups (a counter's last value, power's mean); a range reaching back past raw
    retention gets both, joined where raw begins. Returns (ts, values, resolution)."""
    fetch = _counter_points if counter else _power_points
    cfg = get_config()
    now = now or timezone.now()  # one instant: the raw part must not slip past the cut
    cut = None if cfg.raw_retention is None else now - cfg.raw_retention
    if cut is None or start >= cut or end <= cut:
        return fetch(series_id, start, end, now)
    old_ts, old_v, _ = fetch(series_id, start, cut, now)
    new_ts, new_v, _ = fetch(series_id, cut, end, now)
    return np.concatenate([old_ts, new_ts]), np.concatenate([old_v, new_v]), "5m+raw"


def _seconds(ts: np.ndarray) -> np.ndarray:
    return ts.astype("datetime64[us]").astype(np.int64) / 1e6


def _raw_kept(start: datetime, now: datetime | None) -> bool:
    cfg = get_config()
    return cfg.raw_retention is None or start >= (now or timezone.now()) - cfg.raw_retention


def _counter_points(series_id, start, end, now):
    if _raw_kept(start, now):
        ts, v = raw_points(series_id, start, end)
        return ts, v, "raw"
    r = rollup_points(series_id, "5m", start, end)
    return r["ts"], r["last"], "5m"


def _power_points(series_id, start, end, now):
    """Raw power; beyond raw retention, 5-minute averages (an approximation of the
    integral that assumes each bucket was sampled evenly)."""
    if _raw_kept(start, now):
        ts, v = raw_points(series_id, start, end)
        return ts, v, "raw"
    r = rollup_points(series_id, "5m", start, end)
    return r["ts"], r["sum"] / np.maximum(r["count"], 1), "5m"
