"""Ingest: idempotence, late and out-of-order data, refusals, latest values."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from telemetry import store
from telemetry.readings import Reading
from telemetry.store import Batch
from telemetry.store.db import clear_caches, pg
from telemetry.tests.store.conftest import every, gpu_batch, sample_rows

pytestmark = pytest.mark.django_db


def stored_values() -> int:
    return sum(sum(v is not None for v in row[3]) for row in sample_rows())


def test_a_batch_delivered_twice_stores_each_value_once(now):
    batch = gpu_batch(1, every(now - timedelta(minutes=30), 40), np.arange(120.0))
    first = store.ingest(batch.to_json(), now=now)
    again = store.ingest(batch.to_json(), now=now)
    assert (first.stored, first.duplicate) == (120, 0)
    assert (again.stored, again.duplicate, again.replayed) == (0, 120, True)
    assert len(sample_rows()) == 40
    assert stored_values() == 120


def test_series_without_a_device_are_found_again_by_another_process(now):
    """Site-level series (device None) reuse their rows once the in-process cache is gone."""
    store.ingest(gpu_batch(None, every(now - timedelta(minutes=5), 2), [1.0] * 6), now=now)
    store.ingest(gpu_batch(7, every(now - timedelta(minutes=5), 2), [1.0] * 6), now=now)
    clear_caches()  # as a fresh worker: the registry must be read back from the table
    r = store.ingest(gpu_batch(None, every(now - timedelta(minutes=4), 2), [2.0] * 6), now=now)
    assert r.stored == 6
    count = pg().execute("SELECT count(*) FROM telemetry_series WHERE device_id IS NULL")
    assert count.fetchone()[0] == 3


def test_a_batch_overlapping_stored_rows_fills_only_what_is_missing(now):
    times = every(now - timedelta(minutes=10), 4)
    store.ingest(gpu_batch(1, times[:2], [1.0, None, 3.0, 4.0, 5.0, 6.0]), now=now)
    again = [9.0, 2.0, 9.0, 9.0, 9.0, 9.0, 7, 8, 9, 10, 11, 12]
    r = store.ingest(gpu_batch(1, times, again), now=now)
    assert r.duplicate == 5  # already stored: first write wins
    assert r.stored == 7  # the empty slot of row 1, and rows 3 and 4
    rows = sample_rows()
    assert [list(r[3]) for r in rows] == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]


def test_repeated_rows_inside_one_batch_are_merged(now):
    t = now - timedelta(minutes=1)
    b = gpu_batch(1, [t, t], [1.0, None, 3.0, 9.0, 2.0, 9.0])
    r = store.ingest(b, now=now)
    assert (r.stored, r.duplicate, r.replayed) == (3, 2, False)
    assert [list(x[3]) for x in sample_rows()] == [[1, 2, 3]]


def test_late_and_out_of_order_samples_land_in_their_own_day(now):
    store.maintain(now)
    days_ago = [now - timedelta(days=d, minutes=5) for d in (0, 3, 1, 9)]  # out of order
    r = store.ingest(gpu_batch(1, days_ago, np.arange(12.0)), now=now)
    assert r.stored == 12 and not r.refused
    for partition, _, ts, _ in sample_rows():
        assert partition == f"telemetry_sample_p{ts.astimezone(UTC):%Y%m%d}"


def test_a_sample_older_than_retention_is_refused_and_counted(now):
    old = now - timedelta(days=14, seconds=1)
    fresh = now - timedelta(days=13, hours=23)
    r = store.ingest(gpu_batch(1, [old, fresh], np.arange(6.0)), now=now)
    assert r.refused == {"older_than_retention": 3}
    assert r.stored == 3
    assert [row[2] for row in sample_rows()] == [fresh]


def test_a_sample_from_the_future_is_refused(now):
    r = store.ingest(gpu_batch(1, [now + timedelta(hours=2), now], np.arange(6.0)), now=now)
    assert r.refused == {"too_far_in_future": 3} and r.stored == 3


def test_bad_values_are_refused_one_by_one_and_the_rest_lands(now):
    values = [1.0, None, math.nan, math.inf, -math.inf, "12", True, 8, 9.5]
    b = gpu_batch(1, every(now - timedelta(minutes=1), 3), values)
    r = store.ingest(b.to_json(), now=now)
    assert r.refused == {"missing": 1, "not_finite": 3, "not_a_number": 2}
    assert r.stored == 3 and r.received == 9
    # row 2 held only refused values: it is not stored at all
    assert [list(row[3]) for row in sample_rows()] == [[1.0, None, None], [None, 8.0, 9.5]]


def test_bad_values_keep_their_slots(now):
    b = gpu_batch(1, every(now - timedelta(minutes=1), 2), [1.0, None, 3.0, math.nan, 5.0, 6.0])
    store.ingest(b, now=now)
    assert [list(r[3]) for r in sample_rows()] == [[1.0, None, 3.0], [None, 5.0, 6.0]]


def test_a_row_with_only_refused_values_is_not_stored(now):
    b = gpu_batch(1, every(now - timedelta(minutes=1), 2), [None, None, None, 1.0, 2.0, 3.0])
    r = store.ingest(b, now=now)
    assert r.refused == {"missing": 3} and len(sample_rows()) == 1


def test_bad_timestamps_and_shapes_and_schemas_are_refused(now):
    b = Batch()
    sid = b.add_schema([(1, "", "inlet_temperature_celsius", "celsius", {})])
    b.add_frame(sid, [datetime(2025, 6, 10, 11, 0)], [20.0])  # naive
    b.add_frame(sid, [now - timedelta(minutes=1)], [21.0])  # aware: fine
    b.add_frame(sid, [now.timestamp()], [1.0, 2.0])  # two values for one column
    b.add_frame("no-such-schema", [now.timestamp()], [1.0])
    b.schemas["f" * 32] = [[1, "", "Bad-Name", "celsius", {}]]
    b.add_frame("f" * 32, [now.timestamp()], [1.0])
    r = store.ingest(b, now=now)
    assert r.stored == 1
    assert r.refused == {
        "naive_timestamp": 1,
        "bad_shape": 2,
        "unknown_schema": 1,
        "bad_series_key": 1,
    }


def test_a_naive_timestamp_cannot_even_be_sent(now):
    b = Batch()
    sid = b.add_schema([(1, "", "inlet_temperature_celsius", "celsius", {})])
    b.add_frame(sid, [datetime(2025, 6, 10, 11, 0)], [20.0])
    with pytest.raises(ValueError, match="naive"):
        b.to_json()


def test_a_schema_whose_fingerprint_does_not_match_is_refused(now):
    b = Batch()
    sid = b.add_schema([(1, "", "inlet_temperature_celsius", "celsius", {})])
    data = b.to_json()
    data["schemas"][sid][0][2] = "outlet_temperature_celsius"
    data["frames"] = [{"schema": sid, "ts": [now.timestamp()], "values": [1.0]}]
    assert store.ingest(data, now=now).refused == {"schema_mismatch": 1}


def test_series_are_created_on_first_sight_and_reused(now):
    store.ingest(gpu_batch(7, [now - timedelta(minutes=2)], [1.0, 2.0, 3.0]), now=now)
    first = store.find_series(device_id=7)
    store.ingest(gpu_batch(7, [now - timedelta(minutes=1)], [4.0, 5.0, 6.0]), now=now)
    assert store.find_series(device_id=7) == first
    assert [s["metric"] for s in first] == ["gpu_a_watts", "gpu_b_watts", "gpu_c_watts"]
    # a second schema with one known and one new series: the new one gets a new set
    b = gpu_batch(7, [now], [7.0, 8.0], metrics=("c", "d"))
    assert store.ingest(b, now=now).stored == 2
    ids = {s["metric"]: s["id"] for s in store.find_series(device_id=7)}
    assert ids["gpu_c_watts"] == first[2]["id"]
    assert len(ids) == 4
    assert [
        p
        for p in store.query(
            ids["gpu_c_watts"], now - timedelta(hours=1), now + timedelta(seconds=1), now=now
        ).value
    ] == [3, 6, 7]


def test_wide_schemas_are_split_into_sets_of_at_most_128(now):
    b = Batch()
    keys = [(3, f"if:{p}", "if_in_octets_total", "bytes", {}) for p in range(300)]
    sid = b.add_schema(keys)
    b.add_frame(sid, [now.timestamp()], list(range(300)))
    assert store.ingest(b, now=now).stored == 300
    widths = sorted(len(r[3]) for r in sample_rows())
    assert widths == [100, 100, 100]


def test_latest_follows_the_newest_value_per_series(now):
    t = every(now - timedelta(minutes=5), 3)
    store.ingest(gpu_batch(1, t[1:], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), now=now)
    # an older row arrives late: latest must not go back in time
    store.ingest(gpu_batch(1, t[:1], [0.0, 0.0, 0.0]), now=now)
    latest = {x.metric: (x.ts, x.value) for x in store.latest(device_ids=[1])}
    assert latest == {
        "gpu_a_watts": (t[2], 4.0),
        "gpu_b_watts": (t[2], 5.0),
        "gpu_c_watts": (t[2], 6.0),
    }
    # a newer row missing one value: that series keeps its older value and time
    t3 = now - timedelta(seconds=30)
    store.ingest(gpu_batch(1, [t3], [7.0, None, 9.0]), now=now)
    latest = {x.metric: (x.ts, x.value) for x in store.latest(device_ids=[1])}
    assert latest == {
        "gpu_a_watts": (t3, 7.0),
        "gpu_b_watts": (t[2], 5.0),
        "gpu_c_watts": (t3, 9.0),
    }
    store.ingest(gpu_batch(1, [now], [10.0, 11.0, 12.0]), now=now)
    assert [x.value for x in store.latest(metric="gpu_b_watts")] == [11.0]


def test_batch_json_round_trip(now):
    b = gpu_batch(1, [now], [1.0, 2.0, 3.0])
    again = Batch.from_json(b.to_json())
    assert again.frames[0].values == [1.0, 2.0, 3.0]
    assert store.ingest(again, now=now).stored == 3


def test_readings_from_collectors_can_be_added(now):
    b = Batch()
    b.add_readings(
        5,
        [
            Reading("gpu_power_watts", 300.0, "watts", "gpu0"),
            Reading("gpu_power_watts", 310.0, "watts", "gpu1"),
            Reading(
                "gpu_temperature_celsius", 60.0, "celsius", "gpu0", ts=now - timedelta(seconds=5)
            ),
        ],
        ts=now,
    )
    assert store.ingest(b.to_json(), now=now).stored == 3
    assert len(store.find_series(device_id=5)) == 3
