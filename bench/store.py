"""The store benchmark (``manage.py bench_store``): ingest vs. a raw-COPY baseline, query
latency on 7 days × 2,000 GPUs, bytes per value. Runs in a scratch database it creates and
drops, on whatever server DATABASE_URL names. Not a test: it prints and writes numbers.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from django.db import connection

from telemetry import store
from telemetry.store import copybin
from telemetry.store.batch import Batch
from telemetry.store.db import pg

GPU_METRICS = [
    ("gpu_utilization_percent", "percent"),
    ("gpu_memory_utilization_percent", "percent"),
    ("gpu_memory_used_bytes", "bytes"),
    ("gpu_memory_free_bytes", "bytes"),
    ("gpu_temperature_celsius", "celsius"),
    ("gpu_memory_temperature_celsius", "celsius"),
    ("gpu_power_watts", "watts"),
    ("gpu_power_limit_watts", "watts"),
    ("gpu_energy_joules_total", "joules"),
    ("gpu_sm_clock_hertz", "hertz"),
    ("gpu_memory_clock_hertz", "hertz"),
    ("gpu_throttle_reasons", ""),
    ("gpu_ecc_corrected_errors_total", ""),
    ("gpu_ecc_uncorrected_errors_total", ""),
    ("gpu_remapped_rows_corrected_total", ""),
    ("gpu_remapped_rows_pending", ""),
    ("gpu_pcie_replay_errors_total", ""),
    ("gpu_nvlink_errors_total", ""),
    ("gpu_fan_speed_percent", "percent"),
    ("gpu_xid_last", ""),
]
PORT_METRICS = [
    ("if_in_octets_total", "bytes"),
    ("if_out_octets_total", "bytes"),
    ("if_in_errors_total", ""),
    ("if_out_errors_total", ""),
    ("if_in_discards_total", ""),
    ("if_out_discards_total", ""),
    ("if_oper_status", ""),
    ("if_speed_bits_per_second", ""),
]
OUTLET_METRICS = [
    ("outlet_power_watts", "watts"),
    ("outlet_current_amperes", "amperes"),
    ("outlet_energy_joules_total", "joules"),
]


@dataclass
class Device:
    device_id: int
    keys: list[tuple]


def fleet(gpu_hosts: int, switches: int, pdus: int, base: int, gpu_metrics=GPU_METRICS):
    """GPU hosts (8 GPUs × metrics), switches (64 ports × 8), PDUs (24 outlets × 3)."""
    out = []
    for h in range(gpu_hosts):
        keys = [(base + h, f"gpu{g}", m, u, {}) for g in range(8) for m, u in gpu_metrics]
        out.append(Device(base + h, keys))
    for s in range(switches):
        d = base + 50_000 + s
        keys = [(d, f"if:Ethernet1/{p}", m, u, {}) for p in range(1, 65) for m, u in PORT_METRICS]
        out.append(Device(d, keys))
    for p in range(pdus):
        d = base + 60_000 + p
        keys = [(d, f"outlet:{o}", m, u, {}) for o in range(1, 25) for m, u in OUTLET_METRICS]
        out.append(Device(d, keys))
    return out


def poll_batches(devices, t0: float, cycles: int, per_batch: int, rng) -> list[dict]:
    """JSON-form batches, one frame per device poll, values as Python lists (as decoded
    from the broker), about ``per_batch`` values each."""
    schemas = {}
    for d in devices:
        b = Batch()
        schemas[d.device_id] = (b.add_schema(d.keys), b.schemas)
    batches, cur, n = [], None, 0
    for c in range(cycles):
        for d in devices:
            if cur is None:
                cur, n = {"batch_id": f"bench-{len(batches)}", "schemas": {}, "frames": []}, 0
            sid, sch = schemas[d.device_id]
            cur["schemas"][sid] = [list(k) for k in sch[sid]]
            ts = t0 + 15.0 * c + rng.random() * 0.5
            vals = (rng.random(len(d.keys)) * 100).tolist()
            cur["frames"].append({"schema": sid, "ts": [ts], "values": vals})
            n += len(vals)
            if n >= per_batch:
                batches.append(cur)
                cur = None
    if cur:
        batches.append(cur)
    return batches


def narrow_copy_body(batch: dict, series_ids: dict[str, np.ndarray]) -> bytes:
    """The same values as narrow (ts, series_id, value) rows, binary COPY, built by numpy."""
    ts, sid, val = [], [], []
    for f in batch["frames"]:
        ids = series_ids[f["schema"]]
        ts.append(np.full(len(ids), round(f["ts"][0] * 1e6) - copybin.PG_EPOCH_US))
        sid.append(ids)
        val.append(np.asarray(f["values"]))
    dt = np.dtype(
        [
            ("nf", ">i2"),
            ("l1", ">i4"),
            ("ts", ">i8"),
            ("l2", ">i4"),
            ("sid", ">i8"),
            ("l3", ">i4"),
            ("v", ">f8"),
        ]
    )
    rec = np.empty(sum(len(x) for x in ts), dtype=dt)
    rec["nf"], rec["l1"], rec["l2"], rec["l3"] = 3, 8, 8, 8
    rec["ts"], rec["sid"], rec["v"] = np.concatenate(ts), np.concatenate(sid), np.concatenate(val)
    return rec.tobytes()


def copy_timed(table: str, bodies: list[bytes]) -> float:
    """Seconds to COPY the bodies, one transaction each (autocommit per COPY)."""
    conn = pg()
    conn.autocommit = True
    t = time.perf_counter()
    for body in bodies:
        with conn.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as cp:
            cp.write(copybin.HEADER)
            cp.write(body)
            cp.write(copybin.TRAILER)
    return time.perf_counter() - t


def table_bytes(parent: str) -> int:
    return int(
        pg()
        .execute(
            "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
            "WHERE inhparent = %s::regclass",
            [parent],
        )
        .fetchone()[0]
    )


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.array(xs), p)) if xs else float("nan")


def run(opts: dict, log) -> dict:
    rng = np.random.default_rng(7)
    now = datetime.now(UTC).replace(microsecond=0)
    store.maintain(now)
    out: dict = {"when": now.isoformat(), "options": opts}

    # 1. ingest throughput on a realistic poll mix, against the raw-COPY baseline
    devices = fleet(opts["gpu_hosts"], opts["switches"], opts["pdus"], base=1_000_000)
    per_cycle = sum(len(d.keys) for d in devices)
    t0 = (now - timedelta(hours=1)).timestamp()
    warm = poll_batches(devices, t0 - 15, 1, opts["batch_values"], rng)
    for b in warm:  # first sight: the registry creates every series (not timed)
        store.ingest(b)
    batches = poll_batches(devices, t0, opts["cycles"], opts["batch_values"], rng)
    total = sum(len(f["values"]) for b in batches for f in b["frames"])
    log(f"ingest: {len(batches)} batches, {total:,} values, {per_cycle:,} values per cycle")
    ids = {}
    for b in warm:
        for sid in b["schemas"]:
            ids[sid] = store.registry.cached(sid).series_ids
    bodies = [narrow_copy_body(b, ids) for b in batches]
    pg().execute("CREATE TABLE bench_baseline (ts timestamptz, series_id bigint, value float8)")
    connection.close()
    pg().autocommit = True
    pg().execute("CHECKPOINT")  # both runs start with no dirty buffers to flush
    base_s = copy_timed("bench_baseline", bodies)
    base_rate = total / base_s
    log(f"baseline: {base_rate:,.0f} values/s")
    size_before = table_bytes("telemetry_sample")
    pg().execute("CHECKPOINT")
    t = time.perf_counter()
    stored = 0
    for b in batches:
        stored += store.ingest(b).stored
    ingest_s = time.perf_counter() - t
    assert stored == total, (stored, total)
    ingest_rate = total / ingest_s
    log(f"ingest: {ingest_rate:,.0f} values/s")
    # a re-delivered batch: the slow path (measured, not part of the headline)
    t = time.perf_counter()
    dup = store.ingest(batches[len(batches) // 2])
    redelivery_ms = (time.perf_counter() - t) * 1000
    pg().execute("CHECKPOINT")
    bytes_mix = (table_bytes("telemetry_sample") - size_before) / total
    baseline_bytes = (
        pg().execute("SELECT pg_total_relation_size('bench_baseline')").fetchone()[0] / total
    )
    pg().execute("DROP TABLE bench_baseline")
    out.update(
        ingest_values_per_s=round(ingest_rate),
        baseline_values_per_s=round(base_rate),
        ratio=round(ingest_rate / base_rate, 3),
        bytes_per_value=round(bytes_mix, 2),
        baseline_bytes_per_value=round(baseline_bytes, 2),
        ingest_detail={
            "values": total,
            "batches": len(batches),
            "values_per_batch": round(total / len(batches)),
            "redelivered_batch_ms": round(redelivery_ms, 1),
            "redelivered_duplicates": dup.duplicate,
        },
    )

    # 2. query latency on days × GPUs of history
    out.update(load_and_query(opts, now, rng, log))
    return out


def load_and_query(opts: dict, now: datetime, rng, log) -> dict:
    hosts = opts["query_gpus"] // 8
    metrics = GPU_METRICS[: opts["query_metrics"]]
    devices = fleet(hosts, 0, 0, base=2_000_000, gpu_metrics=metrics)
    polls = int(opts["query_days"] * 86400 / 15)
    start = now - timedelta(seconds=15 * polls)
    store.maintain(now)
    t = time.perf_counter()
    loaded, per_batch_rows = 0, 240  # one hour of one host per frame
    group = max(1, opts["batch_values"] // (per_batch_rows * len(devices[0].keys)))
    for h0 in range(0, polls, per_batch_rows):
        rows = min(per_batch_rows, polls - h0)
        ts = (start.timestamp() + 15.0 * (h0 + np.arange(rows))).tolist()
        for g in range(0, len(devices), group):
            b = Batch()
            for d in devices[g : g + group]:
                sid = b.add_schema(d.keys)
                base = rng.random(len(d.keys)) * 100
                vals = base + rng.normal(0, 5, (rows, len(d.keys)))
                b.add_frame(sid, ts, vals.ravel().tolist())
            loaded += store.ingest(b, now=now).stored
        if h0 % (per_batch_rows * 24) == 0:
            log(f"  loaded {loaded:,} values ({h0 * 15 / 86400:.1f} days)")
    load_s = time.perf_counter() - t
    log(f"query data: {loaded:,} values in {load_s:.0f} s ({loaded / load_s:,.0f}/s)")
    samples_bytes = table_bytes("telemetry_sample")
    t = time.perf_counter()
    rr = store.run_rollups(now=now, max_span=timedelta(hours=12))
    roll_s = time.perf_counter() - t
    log(f"rollups: {rr.rows_5m:,} 5-min rows in {roll_s:.0f} s ({loaded / roll_s:,.0f} values/s)")
    pg().execute("ANALYZE")
    rollup_bytes = table_bytes("telemetry_rollup_5m") + table_bytes("telemetry_rollup_1h")

    device_ids = [d.device_id for d in devices]
    power = [
        s["id"]
        for s in store.find_series(metric="gpu_utilization_percent")
        if s["device_id"] in set(device_ids)
    ]
    timings: dict[str, list[float]] = {"1h": [], "24h": [], "30d": [], "latest_all_gpus": []}
    resolutions = {}
    for i in range(opts["query_reps"]):
        sid = power[int(rng.integers(len(power)))]
        for key, span in (
            ("1h", timedelta(hours=1)),
            ("24h", timedelta(days=1)),
            ("30d", timedelta(days=30)),
        ):
            t = time.perf_counter()
            r = store.query(sid, now - span, now, max_points=1000, now=now)
            timings[key].append((time.perf_counter() - t) * 1000)
            assert len(r) <= 1000
            resolutions[key] = (r.resolution, len(r))
        t = time.perf_counter()
        lat = store.latest(metric="gpu_utilization_percent", device_ids=device_ids)
        timings["latest_all_gpus"].append((time.perf_counter() - t) * 1000)
        if i == 0:
            log(f"  latest: {len(lat)} GPUs; resolutions {resolutions}")
    return {
        "query_p95_ms": {k: round(pct(v, 95), 2) for k, v in timings.items()},
        "query_p50_ms": {k: round(pct(v, 50), 2) for k, v in timings.items()},
        "query_detail": {
            "gpus": hosts * 8,
            "metrics_per_gpu": len(metrics),
            "days": opts["query_days"],
            "values_loaded": loaded,
            "load_values_per_s": round(loaded / load_s),
            "rollup_values_per_s": round(loaded / roll_s),
            "bytes_per_value_history": round(samples_bytes / loaded, 2),
            "rollup_bytes_per_raw_value": round(rollup_bytes / loaded, 2),
            "resolutions": {k: {"resolution": r, "points": n} for k, (r, n) in resolutions.items()},
            "reps": opts["query_reps"],
            "latest_rows": len(lat),
        },
    }


def table(result: dict) -> str:
    rows = [
        ("ingest values/s", f"{result['ingest_values_per_s']:,}"),
        ("baseline values/s (raw COPY)", f"{result['baseline_values_per_s']:,}"),
        ("ratio", f"{result['ratio']:.2f}"),
        ("bytes per value", f"{result['bytes_per_value']}"),
    ]
    for k in ("1h", "24h", "30d", "latest_all_gpus"):
        rows.append(
            (
                f"query {k} p50 / p95 ms",
                f"{result['query_p50_ms'][k]} / {result['query_p95_ms'][k]}",
            )
        )
    w = max(len(a) for a, _ in rows)
    return "\n".join(f"{a:<{w}}  {b:>18}" for a, b in rows)


def write(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
