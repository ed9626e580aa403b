"""Ingest: a batch becomes wide rows, written by one binary COPY, idempotently.

Per batch, in one transaction:

1. schemas resolve to (set, slot) plans from the process cache (registry);
2. values and timestamps become numpy arrays; bad ones are refused one by one, with a
   reason, and the rest of the batch goes on;
3. rows are gathered per set, sorted by (set, ts) and merged where a batch repeats itself;
4. the rows are COPYed (binary, built by numpy) into the partitioned ``telemetry_sample``;
   its primary key (set_id, ts) refuses a second copy of a row. A re-delivered batch makes
   the COPY fail; the batch is then replayed through a staging table with
   ``INSERT … ON CONFLICT`` that only fills slots still empty (the slow path, for retries);
5. the newest row of each set updates ``telemetry_latest``;
6. rows older than the rollup watermark (late data) mark their 5-minute bucket for the
   rollup job.

See docs/decisions/00*-telemetry-*.md for the measurements behind these choices.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import psycopg
from django.db import transaction
from django.utils import timezone

from telemetry.store import copybin, partitions, registry
from telemetry.store.batch import Batch, coerce_batch
from telemetry.store.config import ROLLUP_LOCK_KEY, get_config
from telemetry.store.db import pg
from telemetry.store.validate import TS_REASONS, flat_timestamps, flat_values, us_to_datetime

US_PER_DAY = 86_400_000_000
US_PER_5M = 300_000_000
_US = timedelta(microseconds=1)

COPY_SAMPLES = "COPY telemetry_sample (set_id, ts, vals) FROM STDIN (FORMAT BINARY)"
TEMP_LATEST = (
    "CREATE TEMP TABLE IF NOT EXISTS _tl_latest_in "
    "(set_id integer, ts timestamptz, vals float8[]) ON COMMIT DELETE ROWS"
)
TEMP_SAMPLES = (
    "CREATE TEMP TABLE IF NOT EXISTS _tl_sample_in "
    "(set_id integer, ts timestamptz, vals float8[]) ON COMMIT DELETE ROWS"
)
UPSERT_LATEST = """
WITH moved AS (DELETE FROM _tl_latest_in RETURNING set_id, ts, vals)
INSERT INTO telemetry_latest AS l (set_id, ts, vals)
SELECT set_id, ts, vals FROM moved
ON CONFLICT (set_id) DO UPDATE SET
    ts = CASE WHEN excluded.ts >= l.ts AND array_position(excluded.vals, NULL) IS NULL
              THEN excluded.ts
              ELSE (telemetry_latest_merge(l.ts, l.vals, l.slot_ts, excluded.ts, excluded.vals)).ts
         END,
    vals = CASE WHEN excluded.ts >= l.ts AND array_position(excluded.vals, NULL) IS NULL
                THEN excluded.vals
                ELSE (telemetry_latest_merge(l.ts, l.vals, l.slot_ts, excluded.ts, excluded.vals)).vals
           END,
    slot_ts = CASE WHEN excluded.ts >= l.ts AND array_position(excluded.vals, NULL) IS NULL
                   THEN NULL
                   ELSE (telemetry_latest_merge(l.ts, l.vals, l.slot_ts, excluded.ts, excluded.vals)).slot_ts
              END
WHERE NOT (excluded.ts <= l.ts AND l.slot_ts IS NULL AND array_position(l.vals, NULL) IS NULL)
"""  # noqa: E501
CONFLICTS = """
SELECT count(*), coalesce(sum(num_nonnulls(VARIADIC i.vals)), 0),
       coalesce(sum(num_nonnulls(VARIADIC telemetry_fill(s.vals, i.vals))
                    - num_nonnulls(VARIADIC s.vals)), 0)
FROM _tl_sample_in i JOIN telemetry_sample s ON s.set_id = i.set_id AND s.ts = i.ts
"""
REPLAY = """
WITH moved AS (DELETE FROM _tl_sample_in RETURNING set_id, ts, vals),
up AS (
    INSERT INTO telemetry_sample AS s (set_id, ts, vals)
    SELECT set_id, ts, vals FROM moved
    ON CONFLICT (set_id, ts) DO UPDATE SET vals = telemetry_fill(s.vals, excluded.vals)
    WHERE telemetry_fills(s.vals, excluded.vals)
    RETURNING s.set_id, s.ts, s.vals
),
lat AS (
    INSERT INTO _tl_latest_in
    SELECT DISTINCT ON (set_id) set_id, ts, vals FROM up ORDER BY set_id, ts DESC
),
pend AS (
    INSERT INTO telemetry_rollup_pending (set_id, bucket)
    SELECT DISTINCT set_id, date_bin('5 minutes', ts, timestamptz '2000-01-01 00:00+00')
    FROM up WHERE ts < %s
    ON CONFLICT DO NOTHING
)
SELECT count(*) FROM up
"""
MARK_PENDING = """
INSERT INTO telemetry_rollup_pending (set_id, bucket)
SELECT * FROM unnest(%s::int[], %s::timestamptz[]) ON CONFLICT DO NOTHING
"""


@dataclass
class IngestResult:
    """What became of a batch's values. ``stored + duplicate + sum(refused)`` = received."""

    batch_id: str = ""
    stored: int = 0
    duplicate: int = 0
    refused: Counter = field(default_factory=Counter)
    rows: int = 0  # wide rows written or merged
    replayed: bool = False  # the batch (partly) repeated stored rows: slow path taken
    rolled_up: int = 0  # of ``stored``, values kept in rollups only (``backfill``: history)

    @property
    def received(self) -> int:
        return self.stored + self.duplicate + sum(self.refused.values())


def ingest(batch: Batch | dict, *, now: datetime | None = None) -> IngestResult:
    """Store a batch (a ``Batch`` or its JSON form); safe to call twice with the same batch."""
    batch = coerce_batch(batch)
    cfg = get_config()
    now = now or timezone.now()
    result = IngestResult(batch_id=batch.batch_id)

    used = {f.schema for f in batch.frames}
    plans = registry.resolve({fp: batch.schemas[fp] for fp in used if fp in batch.schemas})
    now_us = int(now.timestamp() * 1e6)
    lo = None if cfg.raw_retention is None else now_us - cfg.raw_retention // _US
    hi = now_us + cfg.max_future // _US
    groups = _collect(batch, plans, lo, hi, result.refused)

    rows = [_merge_duplicates(g, result) for g in groups.values()]
    rows = [r for r in rows if len(r[0])]
    if not rows:
        return result
    days = np.unique(np.concatenate([r[1] for r in rows]) // US_PER_DAY)
    partitions.ensure(partitions.RAW, [us_to_datetime(d * US_PER_DAY) for d in days])
    _write(rows, result)
    return result


def _collect(batch: Batch, plans: dict, lo, hi, refused: Counter) -> dict[int, tuple]:
    """Validate every frame and lay its values out as wide rows, grouped by set width.

    All values of the batch are converted in one go; per frame and set only an index
    array is built, and one fancy-indexing take per width makes the rows.
    Returns width -> (set_ids, ts, vals) with rows whose timestamp is refused removed.
    """
    frames, vparts, tparts = [], [], []
    nv = nt = 0
    for f in batch.frames:
        plan = plans.get(f.schema) or registry.cached(f.schema)
        if not isinstance(plan, registry.SchemaPlan):
            refused[plan.reason if plan is not None else "unknown_schema"] += len(f.values)
            continue
        rows, cols = len(f.ts), len(plan.series_ids)
        if len(f.values) != rows * cols or rows == 0:
            refused["bad_shape"] += len(f.values)
            continue
        frames.append((plan, nv, nt, rows))
        vparts.append(f.values if isinstance(f.values, list) else np.asarray(f.values).ravel())
        tparts.append(f.ts if isinstance(f.ts, list) else np.asarray(f.ts))
        nv += rows * cols
        nt += rows
    if not frames:
        return {}
    values = np.append(flat_values(vparts, refused), np.nan)  # index nv: an empty slot
    ts, codes = flat_timestamps(tparts)
    if lo is not None:
        codes[(codes == 0) & (ts < lo)] = 3
    codes[(codes == 0) & (ts > hi)] = 4

    pieces: dict[int, tuple[list, list, list, list]] = {}
    for plan, ov, ot, rows in frames:
        cols = len(plan.series_ids)
        if plan.duplicate_columns:
            refused["duplicate_column"] += plan.duplicate_columns * rows
        for sp in plan.sets:
            if rows == 1:
                idx = sp.gather + ov
                if not sp.full:
                    idx[sp.holes] = nv
            else:
                idx = (np.arange(rows) * cols + ov)[:, None] + sp.gather
                if not sp.full:
                    idx[:, sp.holes] = nv
            p = pieces.setdefault(sp.width, ([], [], [], []))
            p[0].append(idx.ravel())
            p[1].append(sp.set_id)
            p[2].append(rows)
            p[3].append(ot)
    out = {}
    for width, (idx, set_ids, counts, firsts) in pieces.items():
        vals = values[np.concatenate(idx)].reshape(-1, width)
        counts_a = np.array(counts)
        sid = np.repeat(np.array(set_ids, dtype=np.int32), counts_a)
        starts = np.repeat(np.array(firsts) - np.cumsum(counts_a) + counts_a, counts_a)
        row = starts + np.arange(len(sid))
        rts, rcode = ts[row], codes[row]
        present = ~np.isnan(vals)
        keep = present.any(axis=1)
        if rcode.any():
            for code in np.unique(rcode[rcode > 0]).tolist():
                refused[TS_REASONS[code]] += int(np.count_nonzero(present[rcode == code]))
            keep &= rcode == 0
        if not keep.all():
            sid, rts, vals = sid[keep], rts[keep], vals[keep]
        out[width] = (sid, rts, vals)
    return out


def _merge_duplicates(g: tuple, result: IngestResult):
    """Sort rows by (set, ts) and fold rows a batch repeats into the first one."""
    set_ids, ts, vals = g
    order = np.lexsort((ts, set_ids))
    if not (order[1:] > order[:-1]).all():
        set_ids, ts, vals = set_ids[order], ts[order], vals[order]
    dup = (set_ids[1:] == set_ids[:-1]) & (ts[1:] == ts[:-1])
    if dup.any():
        vals = vals.copy()
        keep = np.ones(len(ts), dtype=bool)
        first = 0
        for i in range(1, len(ts)):
            if dup[i - 1]:
                row = vals[i]
                fill = np.isnan(vals[first]) & ~np.isnan(row)
                vals[first][fill] = row[fill]
                result.duplicate += int(np.count_nonzero(~np.isnan(row))) - int(fill.sum())
                keep[i] = False
            else:
                first = i
        set_ids, ts, vals = set_ids[keep], ts[keep], vals[keep]
    return set_ids, ts, vals


def _write(rows, result: IngestResult) -> None:
    pg_rows = [(s, t - copybin.PG_EPOCH_US, v) for s, t, v in rows]
    body = b"".join(copybin.encode_rows(s, t, v) for s, t, v in pg_rows)
    valid = sum(int(np.count_nonzero(~np.isnan(v))) for _, _, v in rows)
    newest = []
    for s, t, v in pg_rows:
        last = np.r_[s[1:] != s[:-1], True]
        newest.append((s[last], t[last], v[last]))
    latest = b"".join(copybin.encode_rows(s, t, v) for s, t, v in newest)

    with transaction.atomic():
        conn = pg()
        rolled_until = conn.execute(
            "SELECT pg_advisory_xact_lock_shared(%s), "
            "(SELECT rolled_until FROM telemetry_rollupstate WHERE id = 1)",
            [ROLLUP_LOCK_KEY],
        ).fetchone()[1]
        conn.execute(TEMP_LATEST)
        try:
            with transaction.atomic(), conn.cursor() as cur:
                _copy(cur, COPY_SAMPLES, body)
        except psycopg.errors.UniqueViolation:
            _replay(conn, body, valid, rolled_until, result)
        else:
            result.stored += valid
            result.rows += sum(len(s) for s, _, _ in rows)
            with conn.cursor() as cur:
                _copy(cur, "COPY _tl_latest_in FROM STDIN (FORMAT BINARY)", latest)
            if rolled_until is not None:
                _mark_late(conn, rows, rolled_until)
        conn.execute(UPSERT_LATEST)


def _copy(cur: psycopg.Cursor, statement: str, body: bytes) -> None:
    with cur.copy(statement) as cp:
        cp.write(copybin.HEADER)
        cp.write(body)
        cp.write(copybin.TRAILER)


def _replay(conn, body: bytes, valid: int, rolled_until, result: IngestResult) -> None:
    """The slow path: some rows are stored already. Stage, count, and merge."""
    result.replayed = True
    conn.execute(TEMP_SAMPLES)
    with conn.cursor() as cur:
        _copy(cur, "COPY _tl_sample_in FROM STDIN (FORMAT BINARY)", body)
    _, offered, filled = conn.execute(CONFLICTS).fetchone()
    dup = int(offered) - int(filled)
    result.duplicate += dup
    result.stored += valid - dup
    result.rows += conn.execute(REPLAY, [rolled_until]).fetchone()[0]


def _mark_late(conn, rows, rolled_until: datetime) -> None:
    """Mark (set, 5-min bucket) for re-rollup where rows are older than the watermark."""
    limit = int(rolled_until.timestamp() * 1e6)
    sets, buckets = [], []
    for s, t, _ in rows:
        late = t < limit
        if late.any():
            pairs = np.unique(np.stack([s[late], t[late] // US_PER_5M * US_PER_5M]), axis=1)
            sets += pairs[0].tolist()
            buckets += [us_to_datetime(b) for b in pairs[1].tolist()]
    if sets:
        conn.execute(MARK_PENDING, [sets, buckets])
