"""Bulk reads for pages: many series in one statement, as arrays where objects cost.

A page answers in 200 ms for 2,048 GPUs and 4,608 switch ports, so it cannot ask one series
at a time (``query`` / ``rate`` cost 1-3 ms each). 2,048 GPUs × 9 metrics as Python objects
cost 60 ms; as arrays from a binary COPY, 15 ms.

- ``latest_many(metrics, device_ids)``: ``latest`` for several metrics at once
- ``gpu_latest`` / ``port_latest``: the same as numpy arrays keyed by GPU index or port
- ``port_rates(metrics, device_ids, since)`` / ``recent_rates(series_ids, since)``: counter
  rates, reset-aware
- ``component_names(device_ids, metric)``: names for the few ports a page shows
- ``summed_history(series_ids, start, end, step)``: a sum of gauges over time (IT load)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from psycopg import sql

from telemetry.store.counters import counter_deltas
from telemetry.store.db import pg
from telemetry.store.fetch import copy_out
from telemetry.store.queries import Latest


def latest_many(metrics: list[str], device_ids: list[int] | None = None) -> list[Latest]:
    """``store.latest`` for several metrics in one statement (same SQL, ``metric = ANY``)."""
    where, params = ["s.metric = ANY(%s)"], [list(metrics)]
    if device_ids is not None:
        where.append("s.device_id = ANY(%s)")
        params.append(list(device_ids))
    # Only constant fragments are joined; values go as parameters.
    q = (
        "SELECT s.id, s.device_id, s.component, s.metric, s.unit, "  # noqa: S608
        "extract(epoch FROM coalesce(l.slot_ts[s.slot], l.ts))::float8, l.vals[s.slot] "
        "FROM telemetry_series s JOIN telemetry_latest l ON l.set_id = s.set_id "
        f"WHERE {' AND '.join(where)} AND l.vals[s.slot] IS NOT NULL"
    )
    return [
        Latest(i, d, c, m, u, datetime.fromtimestamp(t, UTC), v)
        for i, d, c, m, u, t, v in pg().execute(q, params).fetchall()
    ]


def gpu_latest(metrics: list[str], device_ids: list[int]) -> dict[str, np.ndarray]:
    """Latest values of GPU components (``gpu<N>``) as arrays: dev, gpu (N), m (index into
    ``metrics``), ts (epoch s), v. Binary COPY: no Python object per value; LIKE rather
    than a regex and a raw timestamp rather than extract(): each halves the statement."""
    q = sql.SQL(
        "SELECT s.device_id::int8, substr(s.component, 4)::int4, "
        "array_position({m}::text[], s.metric::text)::int4, "
        "coalesce(l.slot_ts[s.slot], l.ts), l.vals[s.slot] "
        "FROM telemetry_series s JOIN telemetry_latest l ON l.set_id = s.set_id "
        "WHERE s.metric = ANY({m}::text[]) AND s.device_id = ANY({d}::int8[]) "
        "AND s.component LIKE 'gpu%' AND l.vals[s.slot] IS NOT NULL"
    ).format(m=sql.Literal(list(metrics)), d=sql.Literal([int(d) for d in device_ids]))
    out = copy_out(q, [("dev", "i8"), ("gpu", "i4"), ("m", "i4"), ("ts", "ts"), ("v", "f8")])
    out["m"] = out["m"] - 1  # array_position is 1-based
    out["ts"] = out["ts"].astype("datetime64[us]").astype(np.int64) / 1e6
    return out


def port_latest(metrics: list[str], device_ids: list[int]) -> dict[str, np.ndarray]:
    """Latest values of many components as arrays: dev, port (``hashtext(component)``, a
    key to join on without a Python string per value), m (index into ``metrics``), ts, v."""
    q = sql.SQL(
        "SELECT s.device_id::int8, hashtext(s.component)::int4, "
        "array_position({m}::text[], s.metric::text)::int4, "
        "extract(epoch FROM coalesce(l.slot_ts[s.slot], l.ts))::float8, l.vals[s.slot] "
        "FROM telemetry_series s JOIN telemetry_latest l ON l.set_id = s.set_id "
        "WHERE s.metric = ANY({m}::text[]) AND s.device_id = ANY({d}::int8[]) "
        "AND l.vals[s.slot] IS NOT NULL"
    ).format(m=sql.Literal(list(metrics)), d=sql.Literal([int(d) for d in device_ids]))
    out = copy_out(q, [("dev", "i8"), ("port", "i4"), ("m", "i4"), ("ts", "f8"), ("v", "f8")])
    out["m"] = out["m"] - 1
    return out


def port_rates(metrics: list[str], device_ids: list[int], since: datetime) -> dict[str, np.ndarray]:
    """Per-second rate of each counter since ``since``: dev, port, m, rate (arrays). A
    decrease is a reset and that interval is dropped (as ``store.counter_deltas`` does for
    64-bit counters, where a wrap is practically a reset)."""
    q = sql.SQL(
        "SELECT s.id::int8, s.device_id::int8, hashtext(s.component)::int4, "
        "array_position({m}::text[], s.metric::text)::int4, "
        "extract(epoch FROM t.ts)::float8, t.vals[s.slot] "
        "FROM telemetry_series s JOIN telemetry_sample t ON t.set_id = s.set_id "
        "WHERE s.metric = ANY({m}::text[]) AND s.device_id = ANY({d}::int8[]) "
        "AND t.ts >= {since} AND t.vals[s.slot] IS NOT NULL ORDER BY 1, 5"
    ).format(m=sql.Literal(list(metrics)), d=sql.Literal([int(d) for d in device_ids]),
             since=sql.Literal(since))  # fmt: skip
    cols = [("sid", "i8"), ("dev", "i8"), ("port", "i4"), ("m", "i4"), ("ts", "f8"), ("v", "f8")]
    r = copy_out(q, cols)
    empty = {k: np.array([], dtype=np.float64) for k in ("dev", "port", "m", "rate")}
    if len(r["sid"]) < 2:
        return empty
    same = r["sid"][1:] == r["sid"][:-1]
    dv, dt = np.diff(r["v"]), np.diff(r["ts"])
    ok = same & (dv >= 0) & (dt > 0)
    sid = r["sid"][1:][ok]
    if not len(sid):
        return empty
    starts = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]])
    inc, span = np.add.reduceat(dv[ok], starts), np.add.reduceat(dt[ok], starts)
    idx = np.flatnonzero(ok)[starts] + 1
    return {"dev": r["dev"][idx], "port": r["port"][idx], "m": r["m"][idx] - 1, "rate": inc / span}


def component_names(device_ids: list[int], metric: str) -> dict[tuple[int, int], str]:
    """(device, hashtext(component)) -> component, to name the few ports a page shows."""
    rows = (
        pg()
        .execute(
            "SELECT device_id, hashtext(component), component FROM telemetry_series "
            "WHERE device_id = ANY(%s) AND metric = %s",
            [list(device_ids), metric],
        )
        .fetchall()
    )
    return {(d, h): c for d, h, c in rows}


def recent_rates(series_ids: list[int], since: datetime) -> dict[int, float]:
    """Per-second rate of a few counters (one device's ports) over their samples since
    ``since``, reset-aware via ``store.counter_deltas``."""
    if not series_ids:
        return {}
    q = (
        "SELECT s.id, extract(epoch FROM t.ts)::float8, t.vals[s.slot] "
        "FROM telemetry_series s JOIN telemetry_sample t ON t.set_id = s.set_id "
        "WHERE s.id = ANY(%s) AND t.ts >= %s AND t.vals[s.slot] IS NOT NULL "
        "ORDER BY s.id, t.ts"
    )
    rows = pg().execute(q, [list(series_ids), since]).fetchall()
    if not rows:
        return {}
    arr = np.array(rows, dtype=np.float64)
    out: dict[int, float] = {}
    ids = arr[:, 0].astype(np.int64)
    cuts = np.flatnonzero(np.diff(ids)) + 1
    for chunk in np.split(arr, cuts):
        if len(chunk) < 2:
            continue
        d = counter_deltas(chunk[:, 2], chunk[:, 1], bits=64)
        dt = np.diff(chunk[:, 1])
        ok = ~np.isnan(d)
        if ok.any() and dt[ok].sum() > 0:
            out[int(chunk[0, 0])] = float(d[ok].sum() / dt[ok].sum())
    return out


def summed_history(
    series_ids: list[int], start: datetime, end: datetime, step: timedelta
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bucket epoch seconds, sum over series of each series' bucket mean, series counted)
    for gauges such as PDU power, from the rollups (1 h ones for steps of an hour or more,
    else 5 min) and the raw tail beyond the rollup watermark. ``step`` is a multiple of 5
    minutes."""
    empty = np.array([]), np.array([]), np.array([])
    if not series_ids:
        return empty
    (rolled,) = pg().execute(
        "SELECT rolled_until FROM telemetry_rollupstate WHERE id = 1"
    ).fetchone() or (None,)
    origin = "timestamptz '2000-01-01 00:00+00'"
    hourly = step >= timedelta(hours=1) and step % timedelta(hours=1) == timedelta(0)
    table = "telemetry_rollup_1h" if hourly else "telemetry_rollup_5m"
    parts = []
    cut = start if rolled is None else min(end, max(start, rolled))
    if cut > start:
        parts.append(
            "SELECT date_bin(%(step)s, r.bucket, " + origin + ") AS b, s.id AS sid, "  # noqa: S608
            "sum(r.sm[s.slot]) / sum(r.cnt[s.slot]) AS v FROM telemetry_series s "
            "JOIN " + table + " r ON r.set_id = s.set_id WHERE s.id = ANY(%(ids)s) "
            "AND r.bucket >= %(a)s AND r.bucket < %(cut)s AND r.cnt[s.slot] > 0 GROUP BY 1, 2"
        )
    if cut < end:
        parts.append(
            "SELECT date_bin(%(step)s, t.ts, " + origin + ") AS b, s.id AS sid, "  # noqa: S608
            "avg(t.vals[s.slot]) AS v FROM telemetry_series s JOIN telemetry_sample t "
            "ON t.set_id = s.set_id WHERE s.id = ANY(%(ids)s) AND t.ts >= %(cut)s "
            "AND t.ts < %(b)s AND t.vals[s.slot] IS NOT NULL GROUP BY 1, 2"
        )
    # A bucket split by the watermark appears twice per series: average the two halves.
    q = (
        "SELECT extract(epoch FROM b)::float8, sum(v), count(*) FROM ("  # noqa: S608
        "SELECT b, sid, avg(v) AS v FROM (" + " UNION ALL ".join(parts) + ") x GROUP BY 1, 2"
        ") y GROUP BY 1 ORDER BY 1"
    )
    params = {"step": step, "ids": list(series_ids), "a": start, "b": end, "cut": cut}
    rows = pg().execute(q, params).fetchall()
    if not rows:
        return empty
    arr = np.array(rows, dtype=np.float64)
    return arr[:, 0], arr[:, 1], arr[:, 2]
