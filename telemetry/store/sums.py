"""A sum of gauges over time (IT load: every rack PDU's inlet power), for charts.

``summed_history(series_ids, start, end, step)`` returns, per bucket of ``step`` on a fixed
grid, the sum over series of each series' mean in that bucket, from the rollups (1 h ones
for steps of whole hours, else 5 min) and the raw tail past the rollup watermark.

Reading it is expensive because the rollups are wide: 7 days of 128 PDUs at 1 h is 21,504
rows of whole PDU sets (~1.6 kB each), ~110 ms in PostgreSQL whatever the SQL. But a bucket
that ends before the watermark is final: its sum can only change when rollups behind the
watermark change, which bumps ``telemetry_rollupstate.generation``. So final buckets are
kept per process, per series list and step, and each call reads only what is new: the open
bucket, the raw tail and buckets that have closed since (docs/decisions/0015).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from telemetry.store.db import new_cache, pg
from telemetry.store.rollups import FIVE, HOUR, floor_to

MAX_ENTRIES = 64  # series lists × steps kept per process; each holds a float per bucket


@dataclass
class _Final:
    generation: int
    buckets: dict[float, tuple[float, int]] = field(default_factory=dict)  # epoch -> (sum, n)


_final = new_cache()


def summed_history(
    series_ids: list[int], start: datetime, end: datetime, step: timedelta
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bucket epoch seconds, sum over series of each series' bucket mean, series counted),
    buckets aligned on ``step`` (a multiple of 5 minutes) from 2000-01-01 UTC, the first one
    the bucket holding ``start``."""
    if not series_ids or end <= start:
        return np.array([]), np.array([]), np.array([])
    rolled, generation = pg().execute(
        "SELECT rolled_until, generation FROM telemetry_rollupstate WHERE id = 1"
    ).fetchone() or (None, 0)
    first = floor_to(start, step)
    closed = floor_to(rolled, step) if rolled is not None else first
    closed = min(max(closed, first), end)
    cached = _entry(tuple(sorted(series_ids)), step, generation)
    out: dict[float, tuple[float, int]] = {}
    if closed > first:
        grid = np.arange(first.timestamp(), closed.timestamp(), step.total_seconds())
        missing = [b for b in grid.tolist() if b not in cached.buckets]
        if missing:
            lo = datetime.fromtimestamp(missing[0], UTC)
            hi = datetime.fromtimestamp(missing[-1], UTC) + step
            fresh = _read(series_ids, lo, hi, step, rolled)
            for b in missing:
                cached.buckets[b] = fresh.get(b, (0.0, 0))
        out.update({b: cached.buckets[b] for b in grid.tolist()})
    if closed < end:
        out.update(_read(series_ids, closed, end, step, rolled))
    return _arrays(out)


def summed_raw(
    series_ids: list[int], start: datetime, end: datetime, step: timedelta
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As ``summed_history``, from raw samples only, on any ``step`` (a poll interval):
    the first minutes of data, before there are enough 5-minute buckets to draw."""
    if not series_ids or end <= start:
        return np.array([]), np.array([]), np.array([])
    return _arrays(_read(series_ids, start, end, step, None))


def _arrays(out: dict[float, tuple[float, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = sorted(b for b, (_, n) in out.items() if n)
    if not keys:
        return np.array([]), np.array([]), np.array([])
    return (
        np.array(keys),
        np.array([out[b][0] for b in keys]),
        np.array([out[b][1] for b in keys], dtype=np.float64),
    )


def _entry(ids: tuple[int, ...], step: timedelta, generation: int) -> _Final:
    scope = _final.scope()
    entries = scope.setdefault("sums", OrderedDict())
    key = (hash(ids), len(ids), step)
    entry = entries.get(key)
    if entry is None or entry.generation != generation:
        entry = entries[key] = _Final(generation)
    entries.move_to_end(key)
    while len(entries) > MAX_ENTRIES:
        entries.popitem(last=False)
    return entry


def _read(
    series_ids: list[int], start: datetime, end: datetime, step: timedelta, rolled
) -> dict[float, tuple[float, int]]:
    """{bucket epoch: (sum of series means, series counted)} over [start, end), both on the
    grid, from the rollups before the watermark and raw samples after it. A bucket split by
    the watermark takes each series' mean over both parts, weighted by sample count."""
    hourly = step >= timedelta(hours=1) and step % timedelta(hours=1) == timedelta(0)
    table = "telemetry_rollup_1h" if hourly else "telemetry_rollup_5m"
    cut = start if rolled is None else min(end, max(start, rolled))
    params = {"step": step, "ids": list(series_ids), "a": start, "b": end, "cut": cut}
    if cut == end and step == (HOUR if hourly else FIVE):
        # Closed buckets of the table's own size: one rollup row per series and bucket, so
        # one grouping, not two (~50 ms less for 7 days of 128 PDUs).
        q = (
            "SELECT extract(epoch FROM r.bucket)::float8, sum(r.sm[s.slot] / r.cnt[s.slot]), "  # noqa: S608
            "count(*) FROM telemetry_series s JOIN " + table + " r ON r.set_id = s.set_id "
            "WHERE s.id = ANY(%(ids)s) AND r.bucket >= %(a)s AND r.bucket < %(b)s "
            "AND r.cnt[s.slot] > 0 GROUP BY r.bucket"
        )
        return {b: (float(v), int(n)) for b, v, n in pg().execute(q, params).fetchall()}
    origin = "timestamptz '2000-01-01 00:00+00'"
    parts = []
    if cut > start:
        parts.append(
            "SELECT date_bin(%(step)s, r.bucket, " + origin + ") AS b, s.id AS sid, "  # noqa: S608
            "sum(r.sm[s.slot]) AS sm, sum(r.cnt[s.slot]) AS cnt FROM telemetry_series s "
            "JOIN " + table + " r ON r.set_id = s.set_id WHERE s.id = ANY(%(ids)s) "
            "AND r.bucket >= %(a)s AND r.bucket < %(cut)s AND r.cnt[s.slot] > 0 GROUP BY 1, 2"
        )
    if cut < end:
        parts.append(
            "SELECT date_bin(%(step)s, t.ts, " + origin + ") AS b, s.id AS sid, "  # noqa: S608
            "sum(t.vals[s.slot]) AS sm, count(*) AS cnt FROM telemetry_series s "
            "JOIN telemetry_sample t ON t.set_id = s.set_id WHERE s.id = ANY(%(ids)s) "
            "AND t.ts >= %(cut)s AND t.ts < %(b)s AND t.vals[s.slot] IS NOT NULL GROUP BY 1, 2"
        )
    # Only constant fragments are joined (the table name is one of two); values are params.
    q = (
        "SELECT extract(epoch FROM b)::float8, sum(v), count(*) FROM ("  # noqa: S608
        "SELECT b, sid, sum(sm) / sum(cnt) AS v FROM (" + " UNION ALL ".join(parts) + ") x "
        "GROUP BY 1, 2) y GROUP BY 1"
    )
    return {b: (float(v), int(n)) for b, v, n in pg().execute(q, params).fetchall()}
