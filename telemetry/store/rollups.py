"""Rollups at 5 minutes and 1 hour (min, max, sum, count, last), maintained incrementally.

A periodic job (every minute) rolls up the 5-minute buckets that closed since its last run
(a range scan of the new raw rows only) and re-rolls the buckets that late samples touched.
A watermark, ``rolled_until``, separates the two: ingest marks a (set, bucket) pair only
when it writes a row older than the watermark. Ingest holds a shared advisory lock while it
reads the watermark and writes; the job takes it exclusively just to move the watermark, so
no row can slip between "not yet rolled" and "not marked". Every rollup row is *recomputed*
from its source (replace, never add), so running the job twice changes nothing.

Rollup rows are wide like the samples (one array per aggregate, indexed by slot) and are
computed with numpy: raw rows come out by binary COPY, are grouped with ``reduceat``, and go
back by binary COPY. See docs/decisions/0009-telemetry-rollups.md for why not SQL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone
from psycopg import sql

from telemetry.signals import late_data
from telemetry.store import copybin, partitions
from telemetry.store.config import ROLLUP_LOCK_KEY, get_config
from telemetry.store.db import pg

log = logging.getLogger(__name__)
ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)
FIVE = timedelta(minutes=5)
HOUR = timedelta(hours=1)
US_5M = 300_000_000
US_1H = 3_600_000_000
NAMES = ("cnt", "mn", "mx", "sm", "lst")

TEMP = (
    "CREATE TEMP TABLE IF NOT EXISTS _tl_rollup_in (set_id integer, bucket timestamptz, "
    "cnt integer[], mn float8[], mx float8[], sm float8[], lst float8[]) ON COMMIT DELETE ROWS"
)
UPSERT = """
WITH moved AS (DELETE FROM _tl_rollup_in RETURNING *)
INSERT INTO {} SELECT * FROM moved
ON CONFLICT (set_id, bucket) DO UPDATE SET cnt = excluded.cnt, mn = excluded.mn,
    mx = excluded.mx, sm = excluded.sm, lst = excluded.lst
"""


@dataclass
class RollupReport:
    rolled_from: datetime | None = None
    rolled_until: datetime | None = None
    rows_5m: int = 0
    rows_1h: int = 0
    late_buckets: int = 0


def floor_to(t: datetime, step: timedelta) -> datetime:
    return ORIGIN + ((t - ORIGIN) // step) * step


# -- the aggregation, pure numpy (tested against brute force) ------------------------------


def aggregate_raw(set_ids: np.ndarray, ts_us: np.ndarray, vals: np.ndarray, step_us: int):
    """Group raw rows by (set, bucket): returns set_ids, buckets (µs) and the five arrays.

    ``vals`` is (rows, width) with NaN for an empty slot.
    """
    bucket = ts_us // step_us * step_us
    order = np.lexsort((ts_us, bucket, set_ids))
    set_ids, bucket, vals = set_ids[order], bucket[order], vals[order]
    starts = _starts(set_ids, bucket)
    present = ~np.isnan(vals)
    rows = np.where(present, np.arange(len(vals))[:, None], -1)
    last = np.maximum.reduceat(rows, starts, axis=0)
    out = {
        "cnt": np.add.reduceat(present.astype(np.int32), starts, axis=0),
        "mn": np.fmin.reduceat(vals, starts, axis=0),
        "mx": np.fmax.reduceat(vals, starts, axis=0),
        "sm": np.add.reduceat(np.where(present, vals, 0.0), starts, axis=0),
        "lst": _take_last(vals, last),
    }
    return set_ids[starts], bucket[starts], out


def combine(set_ids: np.ndarray, buckets_us: np.ndarray, parts: dict, step_us: int):
    """Group finer rollup rows into coarser buckets (5 min -> 1 h)."""
    bucket = buckets_us // step_us * step_us
    order = np.lexsort((buckets_us, bucket, set_ids))
    set_ids, bucket = set_ids[order], bucket[order]
    p = {k: v[order] for k, v in parts.items()}
    starts = _starts(set_ids, bucket)
    rows = np.where(p["cnt"] > 0, np.arange(len(bucket))[:, None], -1)
    last = np.maximum.reduceat(rows, starts, axis=0)
    out = {
        "cnt": np.add.reduceat(p["cnt"], starts, axis=0),
        "mn": np.fmin.reduceat(p["mn"], starts, axis=0),
        "mx": np.fmax.reduceat(p["mx"], starts, axis=0),
        "sm": np.add.reduceat(p["sm"], starts, axis=0),
        "lst": _take_last(p["lst"], last),
    }
    return set_ids[starts], bucket[starts], out


def _starts(set_ids: np.ndarray, bucket: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, (set_ids[1:] != set_ids[:-1]) | (bucket[1:] != bucket[:-1])])


def _take_last(vals: np.ndarray, last: np.ndarray) -> np.ndarray:
    cols = np.arange(vals.shape[1])
    return np.where(last >= 0, vals[np.maximum(last, 0), cols], np.nan)


# -- the job -------------------------------------------------------------------------------


def _advance(target: datetime, max_span: timedelta) -> tuple[datetime, datetime]:
    """Move the watermark towards ``target`` (exclusive lock: waits for in-flight ingest).

    Returns the range to roll. If the previous run died after moving the watermark, its
    range (``rolling_from``) is returned again first.
    """
    with transaction.atomic():
        conn = pg()
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_KEY])
        old, unfinished = conn.execute(
            "SELECT rolled_until, rolling_from FROM telemetry_rollupstate WHERE id = 1 FOR UPDATE"
        ).fetchone()
        if unfinished is not None:
            return unfinished, old
        start = old
        if start is None:
            (first,) = conn.execute("SELECT min(ts) FROM telemetry_sample").fetchone()
            start = floor_to(first, FIVE) if first is not None else target
        new = max(start, min(target, start + max_span))
        conn.execute(
            "UPDATE telemetry_rollupstate SET rolled_until = %s, rolling_from = %s WHERE id = 1",
            [new, start],
        )
    return start, new


def run_rollups(
    now: datetime | None = None, max_span: timedelta = timedelta(hours=6)
) -> RollupReport:
    """Roll up every closed bucket not yet rolled, and every bucket late data touched."""
    cfg = get_config()
    now = now or timezone.now()
    target = floor_to(now - cfg.rollup_grace, FIVE)
    report = RollupReport()
    while True:
        start, new = _advance(target, max_span)
        report.rolled_from = report.rolled_from or start
        report.rolled_until = new
        with transaction.atomic():
            pg().execute(TEMP)
            if new > start:
                _roll_range(start, new, report)
            _roll_pending(new, report)
            pg().execute("UPDATE telemetry_rollupstate SET rolling_from = NULL WHERE id = 1")
        if new >= target:
            return report


def _widths() -> list[int]:
    return [r[0] for r in pg().execute("SELECT DISTINCT width FROM telemetry_seriesset")]


def _roll_range(a: datetime, b: datetime, report: RollupReport) -> None:
    partitions.ensure(partitions.ROLLUP_5M, _months(a, b))
    partitions.ensure(partitions.ROLLUP_1H, [a, b])
    h0, h1 = floor_to(a, HOUR), floor_to(b - timedelta(microseconds=1), HOUR) + HOUR
    for w in _widths():
        raw = _copy_rows(
            sql.SQL(
                "SELECT set_id, ts, array_replace(vals, NULL, 'NaN'::float8) "
                "FROM telemetry_sample WHERE ts >= {} AND ts < {} AND cardinality(vals) = {}"
            ).format(sql.Literal(a), sql.Literal(b), sql.Literal(w)),
            copybin.row_dtype(w),
        )
        if len(raw):
            s, t, parts = aggregate_raw(
                raw["set_id"].astype(np.int32), _us(raw["ts"]), raw["el"]["v"].astype(float), US_5M
            )
            report.rows_5m += _write("telemetry_rollup_5m", s, t, parts)
        fine = _copy_rows(
            sql.SQL(
                "SELECT set_id, bucket, cnt, mn, mx, sm, lst FROM telemetry_rollup_5m "
                "WHERE bucket >= {} AND bucket < {} AND cardinality(cnt) = {}"
            ).format(sql.Literal(h0), sql.Literal(h1), sql.Literal(w)),
            copybin.rollup_dtype(w),
        )
        if len(fine):
            parts = {k: fine[k]["v"].astype(np.int32 if k == "cnt" else float) for k in NAMES}
            s, t, out = combine(fine["set_id"].astype(np.int32), _us(fine["ts"]), parts, US_1H)
            report.rows_1h += _write("telemetry_rollup_1h", s, t, out)


def _announce_late(pairs: list[tuple[int, datetime]]) -> None:
    """``telemetry.signals.late_data`` for the series of the late sets, from the earliest
    late bucket (receivers that fail are logged, never fail the job)."""
    sets = sorted({p[0] for p in pairs})
    found = pg().execute("SELECT id FROM telemetry_series WHERE set_id = ANY(%s)", [sets])
    ids = [r[0] for r in found.fetchall()]
    for _, error in late_data.send_robust(
        sender=None, series_ids=ids, since=min(p[1] for p in pairs)
    ):
        if isinstance(error, Exception):
            log.error("late_data receiver failed: %r", error)


def _roll_pending(watermark: datetime, report: RollupReport) -> None:
    """Recompute the (set, 5-min bucket) pairs marked by late samples, then their hours."""
    conn = pg()
    pairs = conn.execute(
        "DELETE FROM telemetry_rollup_pending WHERE bucket < %s RETURNING set_id, bucket",
        [watermark],
    ).fetchall()
    if not pairs:
        return
    report.late_buckets += len(pairs)
    _announce_late(pairs)
    # Rows behind the watermark change: readers caching closed buckets must drop them.
    conn.execute("UPDATE telemetry_rollupstate SET generation = generation + 1 WHERE id = 1")
    sets, buckets = [p[0] for p in pairs], [p[1] for p in pairs]
    partitions.ensure(partitions.ROLLUP_5M, buckets)
    partitions.ensure(partitions.ROLLUP_1H, buckets)
    rows = conn.execute(
        "SELECT s.set_id, s.ts, array_replace(s.vals, NULL, 'NaN'::float8) "
        "FROM unnest(%s::int[], %s::timestamptz[]) AS p(set_id, bucket) "
        "JOIN telemetry_sample s ON s.set_id = p.set_id AND s.ts >= p.bucket "
        "AND s.ts < p.bucket + interval '5 minutes'",
        [sets, buckets],
    ).fetchall()
    for w, (s, t, v) in _by_width(rows).items():
        del w
        s2, t2, parts = aggregate_raw(s, t, v, US_5M)
        report.rows_5m += _write("telemetry_rollup_5m", s2, t2, parts)
    hours = sorted({(s, floor_to(b, HOUR)) for s, b in pairs})
    fine = conn.execute(
        "SELECT r.set_id, r.bucket, r.cnt, r.mn, r.mx, r.sm, r.lst "
        "FROM unnest(%s::int[], %s::timestamptz[]) AS p(set_id, hour) "
        "JOIN telemetry_rollup_5m r ON r.set_id = p.set_id AND r.bucket >= p.hour "
        "AND r.bucket < p.hour + interval '1 hour'",
        [[h[0] for h in hours], [h[1] for h in hours]],
    ).fetchall()
    groups: dict[int, list] = {}
    for row in fine:
        groups.setdefault(len(row[2]), []).append(row)
    for rows_w in groups.values():
        s = np.array([r[0] for r in rows_w], dtype=np.int32)
        t = np.array([_dt_us(r[1]) for r in rows_w], dtype=np.int64)
        parts = {
            k: np.array([r[2 + i] for r in rows_w], dtype=np.int32 if k == "cnt" else float)
            for i, k in enumerate(NAMES)
        }
        s2, t2, out = combine(s, t, parts, US_1H)
        report.rows_1h += _write("telemetry_rollup_1h", s2, t2, out)


def _by_width(rows) -> dict[int, tuple]:
    groups: dict[int, list] = {}
    for r in rows:
        groups.setdefault(len(r[2]), []).append(r)
    out = {}
    for w, rs in groups.items():
        out[w] = (
            np.array([r[0] for r in rs], dtype=np.int32),
            np.array([_dt_us(r[1]) for r in rs], dtype=np.int64),
            np.array([r[2] for r in rs], dtype=float),
        )
    return out


def _write(table: str, set_ids, buckets_us, parts: dict) -> int:
    """Replace the rollup rows (set, bucket) with these: COPY to staging, then upsert."""
    conn = pg()
    body = copybin.encode_rollups(set_ids, buckets_us - copybin.PG_EPOCH_US, parts)
    with conn.cursor() as cur:
        with cur.copy("COPY _tl_rollup_in FROM STDIN (FORMAT BINARY)") as cp:
            cp.write(copybin.HEADER)
            cp.write(body)
            cp.write(copybin.TRAILER)
        cur.execute(sql.SQL(UPSERT).format(sql.Identifier(table)))
    return len(set_ids)


def _copy_rows(query: sql.Composable, dtype: np.dtype) -> np.ndarray:
    with pg().cursor() as cur:
        stmt = sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(query)
        with cur.copy(stmt) as cp:
            data = b"".join(bytes(chunk) for chunk in cp)
    body = data[19:-2] if len(data) > 21 else b""
    return np.frombuffer(body, dtype=dtype)


def _us(pg_ts: np.ndarray) -> np.ndarray:
    return pg_ts.astype(np.int64) + copybin.PG_EPOCH_US


def _dt_us(t: datetime) -> int:
    return (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _months(a: datetime, b: datetime) -> list[datetime]:
    out, t = [], a
    while t < b:
        out.append(t)
        t += timedelta(days=28)
    return [*out, b - timedelta(microseconds=1)]
