"""Issue 15 (low): unknown device ids must not grow the series registry without bound.

A device gets at most ``max_series_per_device`` series; with
``TELEMETRY_REFUSE_UNKNOWN_DEVICES`` on, a device id the inventory does not hold gets none.
Refused values are counted by reason, like every other refusal of ingest.
"""

import time

import pytest

from dcim.inventory.tests.factories import make_device
from telemetry import store

pytestmark = pytest.mark.django_db
TS = time.time() - 60


def batch_for(device_id: int, n: int, offset: int = 0) -> store.Batch:
    batch = store.Batch(batch_id=f"bounds-{device_id}-{offset}")
    keys = [(device_id, f"port{offset + i}", "if_in_bytes_total", "bytes", {}) for i in range(n)]
    batch.add_frame(batch.add_schema(keys), TS, [1.0] * n)
    return batch


def test_a_device_gets_no_series_past_its_cap(settings):
    settings.TELEMETRY_STORE = {"max_series_per_device": 10, "raw_retention": None}
    assert store.ingest(batch_for(424242, 8)).refused == {}
    outcome = store.ingest(batch_for(424242, 5, offset=8))
    assert outcome.stored == 0 and outcome.refused == {"series_cap": 5}
    assert len(store.find_series(device_id=424242)) == 8


def test_unknown_device_ids_are_refused_when_the_setting_is_on(settings):
    settings.TELEMETRY_REFUSE_UNKNOWN_DEVICES = True
    settings.TELEMETRY_STORE = {"raw_retention": None}
    known = make_device()
    assert store.ingest(batch_for(known.pk, 2)).refused == {}
    outcome = store.ingest(batch_for(known.pk + 10_000, 3))
    assert outcome.refused == {"unknown_device": 3}
    assert store.find_series(device_id=known.pk + 10_000) == []
