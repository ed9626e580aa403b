"""first_samples: when data began in each window, across several series, NaN slots not
counted, and nothing to say where nothing was stored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from telemetry import store
from telemetry.tests.store.conftest import NOW, gpu_batch

pytestmark = pytest.mark.django_db
M = timedelta(minutes=1)


def test_earliest_sample_of_any_series_per_window():
    # device 1 from 12:01:30; device 2 from 12:00:45, but its metric "b" only from 12:02:15
    store.ingest(gpu_batch(1, [NOW + 1.5 * M, NOW + 2 * M], [1, 1, 1] * 2), now=NOW + 9 * M)
    rows = [1, float("nan"), 1, 1, 1, 1]
    store.ingest(gpu_batch(2, [NOW + 0.75 * M, NOW + 2.25 * M], rows), now=NOW + 9 * M)
    a = {s["device_id"]: s["id"] for s in store.find_series(metric="gpu_a_watts")}
    b = {s["device_id"]: s["id"] for s in store.find_series(metric="gpu_b_watts")}
    windows = [(NOW, NOW + 5 * M), (NOW + 5 * M, NOW + 10 * M), (NOW + 2 * M, NOW + 3 * M)]
    assert store.first_samples([a[1], a[2]], windows) == [NOW + 0.75 * M, None, NOW + 2 * M]
    assert store.first_samples([b[2]], windows) == [NOW + 2.25 * M, None, NOW + 2.25 * M]
    assert store.first_samples([a[1]], windows[:1]) == [NOW + 1.5 * M]
    assert store.first_samples([], windows) == [None, None, None]
    assert store.first_samples([a[1]], []) == []
