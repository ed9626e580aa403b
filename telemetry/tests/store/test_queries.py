"""Queries: the resolution the range calls for, at most N points, latest values."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from telemetry import store
from telemetry.store import choose_resolution, downsample
from telemetry.tests.store.conftest import every, gpu_batch

H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (H, "raw"),
        (4 * H, "raw"),
        (24 * H, "5m"),
        (3 * 24 * H, "5m"),
        (7 * 24 * H, "1h"),
        (30 * 24 * H, "1h"),
    ],
)
def test_the_resolution_follows_the_range(now, span, expected):
    assert choose_resolution(now - span, now, 1000, now=now) == expected


def test_the_point_budget_and_retention_also_decide(now):
    assert choose_resolution(now - H, now, 100, now=now) == "5m"  # 240 raw > 100
    assert choose_resolution(now - 20 * 24 * H, now - 19 * 24 * H, 1000, now=now) == "5m"
    old = now - timedelta(days=500)
    assert choose_resolution(old, old + H, 1000, now=now) == "1h"  # past 5-min retention


def test_minmax_keeps_spikes_within_n_points():
    ts = np.arange(10_000).astype("datetime64[s]")
    v = np.zeros(10_000)
    v[4321] = 99.0
    v[7000] = -5.0
    t2, v2 = downsample.minmax(ts, v, v, 100)
    assert len(t2) <= 100
    assert 99.0 in v2 and -5.0 in v2
    assert (np.diff(t2.astype(np.int64)) > 0).all()


def test_lttb_keeps_ends_and_shape_within_n_points():
    ts = np.arange(5000).astype("datetime64[s]")
    v = np.sin(np.arange(5000) / 300.0)
    v[2500] = 10.0
    idx = downsample.lttb(ts, v, 200)
    assert len(idx) == 200 and idx[0] == 0 and idx[-1] == 4999
    assert 2500 in idx


@pytest.mark.django_db
def test_query_uses_raw_then_rollups_and_caps_points(now):
    start = now - timedelta(hours=6)
    n = 6 * 240
    store.ingest(gpu_batch(1, every(start, n), np.arange(3.0 * n)), now=now)
    store.run_rollups(now=now)
    sid = store.find_series(device_id=1, metric="gpu_a_watts")[0]["id"]
    raw = store.query(sid, now - H, now, now=now)
    assert raw.resolution == "raw" and len(raw) == 240
    day = store.query(sid, now - 24 * H, now, now=now)
    assert day.resolution == "5m" and len(day) == 72  # 6 h of data in 5-min buckets
    assert day.count.sum() == n  # including the buckets past the rollup watermark
    assert day.max[-1] == 3.0 * (n - 1)  # the very last sample is in the chart
    month = store.query(sid, now - 30 * 24 * H, now, now=now)
    assert month.resolution == "1h" and len(month) == 6
    assert month.count.sum() == n
    small = store.query(sid, now - 6 * H, now, max_points=50, resolution="raw", now=now)
    assert len(small) <= 50 and small.downsampled == "minmax"
    lt = store.query(
        sid, now - 6 * H, now, max_points=50, resolution="raw", downsample_with="lttb", now=now
    )
    assert len(lt) == 50


@pytest.mark.django_db
def test_latest_of_every_gpu(now):
    for dev in range(1, 6):
        store.ingest(gpu_batch(dev, [now - H, now], [dev, 0, 0, dev * 10, 0, 0]), now=now)
    got = store.latest(metric="gpu_a_watts")
    assert [(x.device_id, x.value, x.ts) for x in got] == [(d, d * 10.0, now) for d in range(1, 6)]
    with pytest.raises(ValueError):
        store.latest()
