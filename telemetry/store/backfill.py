"""Backfill: history older than raw retention, written as the rollups that keep it.

``ingest`` refuses a sample older than raw retention: its raw row would be dropped at once.
But the store keeps older history as 5-minute rollups (``rollup_5m_retention``) and 1-hour
rollups (``rollup_1h_retention``, kept by default), which is what readers use beyond raw
retention (``queries.rollup_points``, ``counters.samples``). ``backfill(batch)`` takes the
same batches as ``ingest`` and writes each sample where the store keeps it:

* at or after ``edge`` (raw retention's cut, floored to its 5-minute bucket): raw rows, by
  ingest's own write path (COPY or replay, latest values, late-data marks). The few
  minutes before the cut share the cut's bucket and its day partition, so that bucket stays
  whole in raw and the rollup job's recompute of it is complete;
* older, where the store still holds raw rows of the same (set, 5-minute bucket) (a day
  partition retention has not dropped yet): raw rows too, for the same reason;
* older, where it does not: aggregated (cnt, mn, mx, sm, lst) into 5-minute rows while the
  5-minute partition would survive retention, else straight into 1-hour rows; the hours
  above new 5-minute rows are recombined from them, as the rollup job does. No raw row.
* older than any partition the 1-hour retention keeps: refused, ``older_than_retention``.

The rule for a rollup bucket that exists already, which makes a re-import harmless: for
each series (slot) the batch gives samples for, the bucket's values are *replaced* by the
aggregate of the samples this batch gives for that bucket; other slots are kept. So
importing the same file twice changes nothing (and the second time counts its values as
``duplicate``), and a corrected export replaces the earlier one's buckets. A caller must
give all samples of one series and hour in one call: a bucket given in two calls keeps
only the second call's samples.

Locks and watermark: backfills run one at a time (``BACKFILL_LOCK_KEY``: a rollup row is
read, merged and replaced). A rollup bucket written here has no raw rows, so neither the
rollup job (which recomputes buckets from raw) nor late ingest (which cannot write rows
older than raw retention) will replace it. If the watermark was never set (the job has not
run yet), it is set, under the exclusive rollup lock as the job does, to where the job
would start (the oldest raw sample's bucket, or ``edge``), so readers see the history.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone
from psycopg import sql

from telemetry.store import partitions, registry, rollups
from telemetry.store.batch import Batch, coerce_batch
from telemetry.store.config import ROLLUP_LOCK_KEY, get_config
from telemetry.store.db import pg
from telemetry.store.ingest import (
    US_PER_5M,
    US_PER_DAY,
    IngestResult,
    _collect,
    _merge_duplicates,
    ingest,
)
from telemetry.store.ingest import _write as write_raw
from telemetry.store.validate import UNIX_EPOCH, us_to_datetime

BACKFILL_LOCK_KEY = 0x7E1E_0004
US_PER_HOUR = 3_600_000_000
_US = timedelta(microseconds=1)

RAW_PRESENT = """
SELECT p.set_id, p.bucket FROM unnest(%s::int[], %s::timestamptz[]) AS p(set_id, bucket)
WHERE EXISTS (SELECT 1 FROM telemetry_sample s WHERE s.set_id = p.set_id
              AND s.ts >= p.bucket AND s.ts < p.bucket + interval '5 minutes')
"""
EXISTING = """
SELECT r.set_id, r.bucket, r.cnt, r.mn, r.mx, r.sm, r.lst
FROM unnest(%s::int[], %s::timestamptz[]) AS p(set_id, bucket)
JOIN {} r ON r.set_id = p.set_id AND r.bucket = p.bucket
"""
FIVES_OF_HOURS = """
SELECT r.set_id, r.bucket, r.cnt, r.mn, r.mx, r.sm, r.lst
FROM unnest(%s::int[], %s::timestamptz[]) AS p(set_id, hour)
JOIN telemetry_rollup_5m r ON r.set_id = p.set_id AND r.bucket >= p.hour
    AND r.bucket < p.hour + interval '1 hour'
"""

Rows = tuple[np.ndarray, np.ndarray, np.ndarray]  # set ids, Unix µs, (rows, width) values


def backfill(batch: Batch | dict, *, now: datetime | None = None) -> IngestResult:
    """Store a batch of any age the store keeps (see the module docstring); idempotent.

    ``stored + duplicate + sum(refused)`` = received, as for ``ingest``; ``rolled_up``
    says how many of ``stored`` went into rollups only.
    """
    batch = coerce_batch(batch)
    cfg = get_config()
    now = now or timezone.now()
    if cfg.raw_retention is None:
        return ingest(batch, now=now)  # raw keeps everything: nothing is history
    result = IngestResult(batch_id=batch.batch_id)
    used = {f.schema for f in batch.frames}
    plans = registry.resolve({fp: batch.schemas[fp] for fp in used if fp in batch.schemas})
    keep_1h = cfg.rollup_1h_retention
    lo = None if keep_1h is None else _us(partitions.ROLLUP_1H.floor(now - keep_1h))
    hi = _us(now) + cfg.max_future // _US
    groups = _collect(batch, plans, lo, hi, result.refused)
    rows = [_merge_duplicates(g, result) for g in groups.values()]
    rows = [r for r in rows if len(r[0])]
    if not rows:
        return result
    cut_us = _us(now - cfg.raw_retention)
    edge_us = cut_us // US_PER_5M * US_PER_5M
    with transaction.atomic():
        conn = pg()
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [BACKFILL_LOCK_KEY])
        raw, history = _split(rows, edge_us)
        if history:
            _start_watermark(edge_us)
        if raw:
            _write_raw(raw, cut_us, result)
        if history:
            _write_history(history, now, result)
    return result


def _us(t: datetime) -> int:
    return (t - UNIX_EPOCH) // _US


def _start_watermark(edge_us: int) -> None:
    """Set ``rolled_until`` where the job would start, if the job never ran: rollup rows
    are read only before the watermark. Exclusive lock, as the job takes to move it."""
    conn = pg()
    (rolled,) = conn.execute(
        "SELECT rolled_until FROM telemetry_rollupstate WHERE id = 1"
    ).fetchone()
    if rolled is not None:
        return
    conn.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_KEY])
    (rolled,) = conn.execute(
        "SELECT rolled_until FROM telemetry_rollupstate WHERE id = 1 FOR UPDATE"
    ).fetchone()
    if rolled is not None:
        return
    (first,) = conn.execute("SELECT min(ts) FROM telemetry_sample").fetchone()
    start = us_to_datetime(edge_us)
    if first is not None:
        start = min(start, rollups.floor_to(first, rollups.FIVE))
    conn.execute("UPDATE telemetry_rollupstate SET rolled_until = %s WHERE id = 1", [start])


def _split(rows: list[Rows], edge_us: int) -> tuple[list[Rows], list[Rows]]:
    """(raw-bound, history) rows: history is older than ``edge`` in a (set, bucket) that
    holds no raw rows now."""
    oldest_raw = min((a for a, _ in partitions.existing(partitions.RAW).values()), default=None)
    raw, history = [], []
    for s, t, v in rows:
        old = t < edge_us
        if old.any() and oldest_raw is not None:
            bucket = t // US_PER_5M * US_PER_5M
            maybe = old & (bucket >= _us(oldest_raw))
            if maybe.any():
                pairs = np.unique(np.stack([s[maybe], bucket[maybe]]), axis=1)
                found = (
                    pg()
                    .execute(
                        RAW_PRESENT,
                        [pairs[0].tolist(), [us_to_datetime(b) for b in pairs[1].tolist()]],
                    )
                    .fetchall()
                )
                present = {(sid, _us(b)) for sid, b in found}
                if present:
                    hit = np.array(
                        [
                            (a, b) in present
                            for a, b in zip(s.tolist(), bucket.tolist(), strict=True)
                        ]
                    )
                    old &= ~hit
        if (~old).any():
            raw.append((s[~old], t[~old], v[~old]))
        if old.any():
            history.append((s[old], t[old], v[old]))
    return raw, history


def _write_raw(raw: list[Rows], cut_us: int, result: IngestResult) -> None:
    """Ingest's write path; buckets older than the cut are re-rolled now, not left to the
    job: retention drops late-data marks older than the cut (``apply_retention``)."""
    days = np.unique(np.concatenate([t for _, t, _ in raw]) // US_PER_DAY)
    partitions.ensure(partitions.RAW, [us_to_datetime(d * US_PER_DAY) for d in days])
    write_raw(raw, result)
    if any((t < cut_us).any() for _, t, _ in raw):
        conn = pg()
        (rolled,) = conn.execute(
            "SELECT rolled_until FROM telemetry_rollupstate WHERE id = 1"
        ).fetchone()
        if rolled is None:
            return  # nothing was marked: the job rolls these rows in its first range
        conn.execute(rollups.TEMP)
        rollups._roll_pending(rolled, rollups.RollupReport())


def _write_history(history: list[Rows], now: datetime, result: IngestResult) -> None:
    cfg = get_config()
    keep_5m = cfg.rollup_5m_retention
    five_lo = None if keep_5m is None else _us(partitions.ROLLUP_5M.floor(now - keep_5m))
    pg().execute(rollups.TEMP)
    hours: set[tuple[int, int]] = set()
    changed = 0
    for s, t, v in history:
        fine = np.ones(len(t), dtype=bool) if five_lo is None else t >= five_lo
        if fine.any():
            sids, buckets, parts = rollups.aggregate_raw(s[fine], t[fine], v[fine], US_PER_5M)
            written = _replace_slots(partitions.ROLLUP_5M, sids, buckets, parts, result)
            changed += len(written[0])
            hours |= set(
                zip(
                    written[0].tolist(),
                    (written[1] // US_PER_HOUR * US_PER_HOUR).tolist(),
                    strict=True,
                )
            )
        if (~fine).any():
            sids, buckets, parts = rollups.aggregate_raw(s[~fine], t[~fine], v[~fine], US_PER_HOUR)
            changed += len(_replace_slots(partitions.ROLLUP_1H, sids, buckets, parts, result)[0])
    _recombine_hours(sorted(hours))
    if changed:
        # Rows behind the watermark changed: readers caching closed buckets must drop them.
        pg().execute("UPDATE telemetry_rollupstate SET generation = generation + 1 WHERE id = 1")


def _replace_slots(
    kind: partitions.Kind, sids: np.ndarray, buckets: np.ndarray, parts: dict, result: IngestResult
) -> tuple[np.ndarray, np.ndarray]:
    """Write these aggregates over the stored rows: a slot given here replaces the stored
    slot, the others are kept. Rows where nothing changes are not written; their values
    count as ``duplicate``. Returns the (set ids, buckets) written."""
    when = [us_to_datetime(b) for b in buckets.tolist()]
    partitions.ensure(kind, sorted({kind.floor(w) for w in when}))
    conn = pg()
    query = sql.SQL(EXISTING).format(sql.Identifier(kind.parent))
    stored = conn.execute(query, [sids.tolist(), when]).fetchall()
    index = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(sids, buckets, strict=True))}
    given = parts["cnt"] > 0
    same = np.zeros_like(given)
    for sid, bucket, *old in stored:
        i = index[(sid, _us(bucket))]
        olds = dict(zip(rollups.NAMES, old, strict=True))
        slot_same = given[i].copy()
        for name in rollups.NAMES:
            was = np.asarray(olds[name], dtype=parts[name].dtype)
            slot_same &= was == parts[name][i]
            parts[name][i] = np.where(given[i], parts[name][i], was)
        same[i] = slot_same
    counts = parts["cnt"]
    result.duplicate += int(counts[same].sum())
    fresh = int(counts[given & ~same].sum())
    result.stored += fresh
    result.rolled_up += fresh
    write = (given & ~same).any(axis=1)
    if write.any():
        picked = {k: v[write] for k, v in parts.items()}
        rollups._write(kind.parent, sids[write], buckets[write], picked)
        result.rows += int(write.sum())
    return sids[write], buckets[write]


def _recombine_hours(hours: list[tuple[int, int]]) -> None:
    """Recompute the hourly rows above changed 5-minute rows from all their 5-minute rows,
    as the rollup job does."""
    if not hours:
        return
    rows = (
        pg()
        .execute(FIVES_OF_HOURS, [[h[0] for h in hours], [us_to_datetime(h[1]) for h in hours]])
        .fetchall()
    )
    partitions.ensure(partitions.ROLLUP_1H, sorted({us_to_datetime(h[1]) for h in hours}))
    by_width: dict[int, list] = defaultdict(list)
    for row in rows:
        by_width[len(row[2])].append(row)
    for group in by_width.values():
        s = np.array([r[0] for r in group], dtype=np.int32)
        t = np.array([_us(r[1]) for r in group], dtype=np.int64)
        parts = {
            k: np.array([r[2 + i] for r in group], dtype=np.int32 if k == "cnt" else float)
            for i, k in enumerate(rollups.NAMES)
        }
        s2, t2, out = rollups.combine(s, t, parts, US_PER_HOUR)
        rollups._write("telemetry_rollup_1h", s2, t2, out)
