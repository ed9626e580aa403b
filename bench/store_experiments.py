"""The measurements behind docs/decisions/00*-telemetry-*.md (``bench_store --experiments``).

Same values, prebuilt COPY buffers, one transaction per batch: only the table layout and
the dedup method change between runs, so the differences are PostgreSQL's.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
from psycopg import sql

from bench.store import copy_timed, fleet, narrow_copy_body, poll_batches
from telemetry import store
from telemetry.store import copybin
from telemetry.store.batch import coerce_batch
from telemetry.store.db import pg

_ingest = sys.modules["telemetry.store.ingest"]


def wide_body(batch: dict) -> bytes:
    """The COPY body ingest would send for this batch (its own internals, no DB)."""
    b = coerce_batch(batch)
    plans = store.registry.resolve(b.schemas)
    groups = _ingest._collect(b, plans, None, 2**62, Counter())
    result = _ingest.IngestResult()
    rows = [_ingest._merge_duplicates(g, result) for g in groups.values()]
    return b"".join(
        copybin.encode_rows(s, t - copybin.PG_EPOCH_US, v) for s, t, v in rows if len(s)
    )


def _table(name: str, cols: str, pk: str | None, day: datetime, partitioned: bool) -> str:
    conn = pg()
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(name)))
    ddl = f"CREATE TABLE {name} ({cols}{', PRIMARY KEY (' + pk + ')' if pk else ''})"
    if partitioned:
        ddl += " PARTITION BY RANGE (ts)"
    conn.execute(ddl)
    if partitioned:
        conn.execute(
            sql.SQL("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})").format(
                sql.Identifier(f"{name}_p"),
                sql.Identifier(name),
                sql.Literal(day),
                sql.Literal(day + timedelta(days=1)),
            )
        )
    return name


def _upsert_timed(table: str, cols: str, bodies: list[bytes]) -> float:
    conn = pg()
    conn.autocommit = True
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS stage_{table} ({cols})")
    t = time.perf_counter()
    for body in bodies:
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(f"COPY stage_{table} FROM STDIN (FORMAT BINARY)") as cp:
                cp.write(copybin.HEADER + body + copybin.TRAILER)
            cur.execute(
                f"WITH m AS (DELETE FROM stage_{table} RETURNING *) "  # noqa: S608 (constant)
                f"INSERT INTO {table} SELECT * FROM m ON CONFLICT DO NOTHING"
            )
    return time.perf_counter() - t


def run(opts: dict, log) -> dict:
    rng = np.random.default_rng(11)
    now = datetime.now(UTC).replace(microsecond=0)
    day = now.replace(hour=0, minute=0, second=0)
    devices = fleet(opts["gpu_hosts"], opts["switches"], opts["pdus"], base=3_000_000)
    t0 = max((now - timedelta(hours=1)).timestamp(), day.timestamp() + 60)
    batches = poll_batches(devices, t0, opts["cycles"], opts["batch_values"], rng)
    total = sum(len(f["values"]) for b in batches for f in b["frames"])
    for b in batches:
        store.registry.resolve(coerce_batch(b).schemas)  # registry warm (commits)
    ids = {fp: store.registry.cached(fp).series_ids for b in batches for fp in b["schemas"]}
    narrow = [narrow_copy_body(b, ids) for b in batches]
    t = time.perf_counter()
    wide = [wide_body(b) for b in batches]
    build_wide = time.perf_counter() - t
    ncols = "ts timestamptz NOT NULL, series_id bigint NOT NULL, value float8 NOT NULL"
    wcols = "set_id integer NOT NULL, ts timestamptz NOT NULL, vals float8[] NOT NULL"
    out: dict = {"values": total, "batches": len(batches), "build_wide_s": round(build_wide, 3)}

    def measure(key: str, table: str, bodies: list[bytes], upsert_cols: str | None = None):
        pg().autocommit = True
        pg().execute("CHECKPOINT")
        secs = (
            _upsert_timed(table, upsert_cols, bodies) if upsert_cols else copy_timed(table, bodies)
        )
        size = (
            pg()
            .execute(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "WHERE c.relname IN (%s, %s)",
                [table, f"{table}_p"],
            )
            .fetchone()[0]
        )
        out[key] = {"values_per_s": round(total / secs), "bytes_per_value": round(size / total, 2)}
        log(f"  {key}: {total / secs:,.0f} values/s, {size / total:.2f} B/value")

    measure("narrow_bare", _table("x_nb", ncols, None, day, False), narrow)
    measure("narrow_pk_partitioned", _table("x_np", ncols, "series_id, ts", day, True), narrow)
    _table("x_nu", ncols, "series_id, ts", day, True)
    measure("narrow_pk_staging_upsert", "x_nu", narrow, ncols)
    measure("wide_bare", _table("x_wb", wcols, None, day, False), wide)
    measure("wide_pk_partitioned_parent", _table("x_wp", wcols, "set_id, ts", day, True), wide)
    _table("x_wd", wcols, "set_id, ts", day, True)
    measure("wide_pk_partition_direct", "x_wd_p", wide)
    _table("x_wu", wcols, "set_id, ts", day, True)
    measure("wide_pk_staging_upsert", "x_wu", wide, wcols)
    for name in ("x_nb", "x_np", "x_nu", "x_wb", "x_wp", "x_wd", "x_wu"):
        pg().execute(sql.SQL("DROP TABLE {} CASCADE").format(sql.Identifier(name)))
    return out
