"""Bulk reads for pages agree with the one-series-at-a-time reads they stand in for."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from telemetry import store
from telemetry.tests.store.conftest import gpu_batch

pytestmark = pytest.mark.django_db
METRICS = ["gpu_a_watts", "gpu_b_watts", "gpu_c_watts"]


def as_set(arrays: dict) -> set:
    return {
        (int(d), int(g), METRICS[int(m)], round(float(t), 3), float(v))
        for d, g, m, t, v in zip(*(arrays[k] for k in ("dev", "gpu", "m", "ts", "v")), strict=True)
    }


def expected(device_ids: list[int]) -> set:
    return {
        (x.device_id, int(x.component[3:]), x.metric, round(x.ts.timestamp(), 3), x.value)
        for x in store.latest(metric=None, device_ids=device_ids)
        if x.metric in METRICS and x.component.startswith("gpu")
    }


def test_gpu_latest_equals_latest_and_sees_new_hosts_and_partial_rows(now):
    for dev in (1, 2):
        for g in range(2):
            batch = gpu_batch(
                dev,
                [now - timedelta(minutes=1), now],
                [dev, g, 1.0, dev * 10, g, 2.0],
                component=f"gpu{g}",
            )
            store.ingest(batch, now=now)
    got = store.gpu_latest(METRICS, [1, 2])
    assert as_set(got) == expected([1, 2]) and len(got["v"]) == 12
    assert as_set(store.gpu_latest(METRICS, [2])) == expected([2])

    # A host seen for the first time after the index was built is found.
    store.ingest(gpu_batch(3, [now], [7.0, 8.0, 9.0], component="gpu5"), now=now)
    assert {(d, g) for d, g, *_ in as_set(store.gpu_latest(METRICS, [3]))} == {(3, 5)}

    # A newer row with a missing value keeps the older value with its own time.
    later = now + timedelta(seconds=30)
    store.ingest(gpu_batch(1, [later], [11.0, float("nan"), 13.0]), now=later)
    got = as_set(store.gpu_latest(METRICS, [1]))
    assert got == expected([1])
    assert (1, 0, "gpu_b_watts", round(now.timestamp(), 3), 0.0) in got
    assert (1, 0, "gpu_a_watts", round(later.timestamp(), 3), 11.0) in got


def test_gpu_latest_of_nothing(now):
    out = store.gpu_latest(METRICS, [99])
    assert all(len(v) == 0 for v in out.values())
    assert np.asarray(out["v"]).dtype == np.float64
