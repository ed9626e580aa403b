"""summed_history: the sum of series means per bucket, the same from cache as from the
tables, and fresh again once late data changes rolled-up buckets."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from telemetry import store
from telemetry.store.db import clear_caches
from telemetry.tests.store.conftest import NOW, gpu_batch

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
START = NOW - 6 * H


def load(devices=(1, 2, 3), step=timedelta(minutes=1)) -> list[int]:
    """Three PDUs (one series each, as gpu_batch's first metric) at 100, 200, 300 W."""
    n = int(6 * H / step)
    times = [START + i * step for i in range(n)]
    for dev in devices:
        store.ingest(gpu_batch(dev, times, [dev * 100.0, 0, 0] * n), now=NOW)
    return [s["id"] for s in store.find_series(metric="gpu_a_watts")]


def brute(ids: list[int], start, end, step) -> dict:
    """Per bucket, the sum over series of the mean of its raw samples."""
    out: dict = {}
    for sid in ids:
        q = store.query(sid, start, end, max_points=10**6, resolution="raw", now=NOW)
        secs = q.ts.astype("datetime64[s]").astype(np.int64)
        bucket = (secs - 946684800) // int(step.total_seconds()) * int(step.total_seconds())
        for b in np.unique(bucket):
            total, n = out.get(b + 946684800, (0.0, 0))
            out[b + 946684800] = (total + float(q.value[bucket == b].mean()), n + 1)
    return out


def as_dict(result) -> dict:
    t, total, n = result
    return {int(a): (b, int(c)) for a, b, c in zip(t, total, n, strict=True)}


@pytest.mark.parametrize("step", [timedelta(minutes=5), H, 2 * H])
def test_sums_equal_brute_force_fresh_and_cached(step):
    ids = load()
    store.run_rollups(now=NOW - 2 * H)  # rolled up to 2 h ago; raw after that
    want = brute(ids, START, NOW, step)
    for _ in range(2):  # the second call reads closed buckets from the cache
        got = as_dict(store.summed_history(ids, START, NOW, step))
        assert got.keys() == want.keys()
        for b, (total, n) in want.items():
            assert got[b][1] == n and got[b][0] == pytest.approx(total), b
    clear_caches()
    assert as_dict(store.summed_history(ids, START, NOW, step)) == got


def test_late_data_behind_the_watermark_reaches_cached_sums():
    ids = load()
    store.run_rollups(now=NOW)
    before = as_dict(store.summed_history(ids, START, NOW, H))
    first = min(before)
    assert before[first] == (pytest.approx(600.0), 3)
    # A fourth PDU's readings for the first hour arrive late, after it was rolled up.
    times = [START + timedelta(minutes=i) for i in range(60)]
    store.ingest(gpu_batch(4, times, [1000.0, 0, 0] * 60), now=NOW)
    ids = [s["id"] for s in store.find_series(metric="gpu_a_watts")]
    store.run_rollups(now=NOW)
    after = as_dict(store.summed_history(ids, START, NOW, H))
    assert after[first] == (pytest.approx(1600.0), 4)
    # The same series list as before, whose closed buckets were cached, sees it too.
    store.ingest(gpu_batch(1, [START + timedelta(seconds=30)], [1100.0, 0, 0]), now=NOW)
    store.run_rollups(now=NOW)
    ids3 = ids[:3]
    got = as_dict(store.summed_history(ids3, START, NOW, H))
    assert got[first][0] == pytest.approx(600.0 + (1100.0 - 100.0) / 61)


def test_nothing_to_sum():
    assert all(len(a) == 0 for a in store.summed_history([], START, NOW, H))
    ids = load()
    assert all(len(a) == 0 for a in store.summed_history(ids, NOW + H, NOW + 2 * H, H))
