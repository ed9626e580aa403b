"""Rollups equal a brute-force computation on random data, late samples included."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telemetry import store
from telemetry.store import Batch
from telemetry.store.db import pg
from telemetry.store.rollups import FIVE, HOUR, floor_to
from telemetry.tests.store.conftest import NOW, reset_store

pytestmark = pytest.mark.django_db

START = NOW - timedelta(hours=3)
COLS = 3  # one schema of three series
sample = st.tuples(
    st.integers(0, 3 * 3600 - 1),  # second in the 3-hour window
    st.integers(0, COLS - 1),  # column
    st.one_of(st.integers(-1000, 1000).map(float), st.floats(-1e6, 1e6, allow_nan=False)),
    st.booleans(),  # delivered late (after the first rollup run)
)


def brute(points: dict, step: timedelta) -> dict:
    out: dict = defaultdict(list)
    for (col, sec), v in sorted(points.items(), key=lambda kv: kv[0][1]):
        t = START + timedelta(seconds=sec)
        out[(col, floor_to(t, step))].append(v)
    return {k: (min(v), max(v), sum(v), len(v), v[-1]) for k, v in out.items()}


def stored(table: str, ids: list[int]) -> dict:
    rows = (
        pg()
        .execute(
            f"SELECT set_id, bucket, cnt, mn, mx, sm, lst FROM {table}"  # noqa: S608 (constant)
        )
        .fetchall()
    )
    out = {}
    for set_id, bucket, cnt, mn, mx, sm, lst in rows:
        for col, sid in enumerate(ids):
            if sid // 256 == set_id and cnt[sid % 256 - 1] > 0:
                i = sid % 256 - 1
                out[(col, bucket)] = (mn[i], mx[i], sm[i], cnt[i], lst[i])
    return out


def assert_same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for k, (mn, mx, sm, n, last) in want.items():
        g = got[k]
        assert (g[0], g[1], g[3], g[4]) == (mn, mx, n, last), k
        assert g[2] == pytest.approx(sm, rel=1e-9, abs=1e-6), k


def ingest_points(points: list, b_schema) -> None:
    by_sec: dict = defaultdict(lambda: [None] * COLS)
    for sec, col, v in points:
        by_sec[sec][col] = v
    b = Batch()
    sid = b.add_schema(b_schema)
    secs = sorted(by_sec, reverse=True)  # out of order on purpose
    b.add_frame(
        sid,
        [(START + timedelta(seconds=s)).timestamp() for s in secs],
        [v for s in secs for v in by_sec[s]],
    )
    store.ingest(b, now=NOW)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(sample, min_size=1, max_size=120))
def test_rollups_equal_brute_force(samples):
    reset_store()
    keys = [(1, "gpu0", f"gpu_m{c}_watts", "watts", {}) for c in range(COLS)]
    points: dict = {}
    first, late = [], []
    for sec, col, v, is_late in samples:
        if (col, sec) in points:
            continue  # one value per series and instant
        points[(col, sec)] = v
        (late if is_late else first).append((sec, col, v))
    mid = START + timedelta(hours=2)
    if first:
        ingest_points(first, keys)
    store.run_rollups(now=mid)
    if late:
        ingest_points(late, keys)  # some before the watermark: late data
    store.run_rollups(now=NOW + timedelta(minutes=10))
    store.run_rollups(now=NOW + timedelta(minutes=10))  # twice: nothing changes
    ids = [s["id"] for s in store.find_series(device_id=1)]
    assert_same(stored("telemetry_rollup_5m", ids), brute(points, FIVE))
    assert_same(stored("telemetry_rollup_1h", ids), brute(points, HOUR))


def test_late_data_marks_and_re_rolls_its_bucket():
    reset_store()
    keys = [(1, "gpu0", f"gpu_m{c}_watts", "watts", {}) for c in range(COLS)]
    ingest_points([(60, 0, 1.0), (4000, 0, 2.0)], keys)
    report = store.run_rollups(now=NOW)
    assert report.late_buckets == 0
    ingest_points([(61, 0, 5.0)], keys)  # into a bucket already rolled
    assert pg().execute("SELECT count(*) FROM telemetry_rollup_pending").fetchone()[0] == 1
    report = store.run_rollups(now=NOW)
    assert report.late_buckets == 1
    sid = store.find_series(device_id=1, metric="gpu_m0_watts")[0]["id"]
    b = floor_to(START + timedelta(seconds=60), FIVE)
    q = store.query(sid, b, b + FIVE, resolution="5m", now=NOW)
    assert (q.count[0], q.max[0], q.last[0]) == (2, 5.0, 5.0)


def test_a_rollup_run_that_died_is_redone():
    reset_store()
    keys = [(1, "gpu0", "gpu_m0_watts", "watts", {})]
    b = Batch()
    sid = b.add_schema(keys)
    b.add_frame(sid, [(START + timedelta(minutes=1)).timestamp()], [3.0])
    store.ingest(b, now=NOW)
    # as if a run moved the watermark and died before writing its rollups
    pg().execute(
        "UPDATE telemetry_rollupstate SET rolled_until = %s, rolling_from = %s",
        [NOW - timedelta(minutes=5), START],
    )
    store.run_rollups(now=NOW)
    assert pg().execute("SELECT count(*) FROM telemetry_rollup_5m").fetchone()[0] == 1
