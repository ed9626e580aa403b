"""Counters: rates across 32- and 64-bit wraps and resets; energy with coverage."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from telemetry import store
from telemetry.store import Batch, counter_deltas

T = np.arange(0, 150, 15.0)  # ten polls, 15 s apart


def test_a_32_bit_wrap_is_a_wrap():
    top = 2**32
    v = (top - 45_000 + 1000.0 * T) % top  # 1000/s, wraps between the 3rd and 4th poll
    d = counter_deltas(v, T, bits=32)
    assert np.allclose(d, 15_000)


def test_a_64_bit_wrap_is_a_wrap():
    top = 2.0**64
    start = top - 3.5e9
    v = np.array([(start + 1e9 * t / 15) % top for t in T])  # 1e9 per poll
    d = counter_deltas(v, T, bits=64)
    assert np.allclose(d, 1e9, rtol=1e-5)  # float8 near 2^64: a few kB off at most


def test_a_reset_is_dropped_not_counted():
    v = np.array([5e9, 5.1e9, 5.2e9, 0.0, 1e8, 2e8])
    d = counter_deltas(v, T[:6], bits=64)
    assert np.isnan(d[2])
    assert np.allclose(np.delete(d, 2), [1e8, 1e8, 1e8, 1e8])


def test_a_32_bit_reset_from_a_high_value_is_not_taken_for_a_wrap():
    # counting 100/s at 3.5e9, then a reset: the wrapped delta (~8e8) is not plausible
    v = np.array([3.5e9, 3.5e9 + 1500, 3.5e9 + 3000, 10.0, 1510.0])
    d = counter_deltas(v, T[:5], bits=32)
    assert np.isnan(d[2]) and np.allclose(np.delete(d, 2), 1500)


def test_without_bits_any_decrease_is_a_reset():
    d = counter_deltas(np.array([10.0, 20.0, 5.0, 15.0]), T[:4])
    assert np.isnan(d[1]) and d[0] == 10 and d[2] == 10


def test_a_max_rate_rules_out_a_wrap():
    v = np.array([2**32 - 100.0, 50.0])
    assert counter_deltas(v, T[:2], bits=32)[0] == 150
    assert np.isnan(counter_deltas(v, T[:2], bits=32, max_rate=1.0)[0])


def _series(now, metric, unit, times, values):
    b = Batch()
    sid = b.add_schema([(1, "", metric, unit, {})])
    b.add_frame(sid, [t.timestamp() for t in times], list(values))
    assert store.ingest(b, now=now).stored == len(values)
    return store.find_series(device_id=1, metric=metric)[0]["id"]


@pytest.mark.django_db
def test_rate_through_the_store_across_a_wrap_and_a_reset(now):
    start = now - timedelta(minutes=10)
    times = [start + timedelta(seconds=float(t)) for t in T]
    top = 2**32
    v = list((top - 45_000 + 1000.0 * T) % top)
    v[7:] = [15_000.0 * (i - 7) for i in range(7, 10)]  # reset to 0 at the 8th poll
    sid = _series(now, "if_in_octets_total", "bytes", times, v)
    r = store.rate(sid, start, now, bits=32, now=now)
    assert np.allclose(r.value, 1000.0)  # bytes/s, across the wrap
    assert len(r) == 8  # 9 intervals, the reset one dropped


@pytest.mark.django_db
def test_energy_from_a_counter_with_a_reset(now):
    start = now - timedelta(minutes=10)
    times = [start + timedelta(seconds=float(t)) for t in T]  # spans 135 s of 600
    j = [1e6 + 700.0 * t for t in T]
    j[5:] = [700.0 * (t - T[5]) for t in T[5:]]  # driver reload at poll 6: back to 0
    sid = _series(now, "gpu_energy_joules_total", "joules", times, j)
    e = store.energy(sid, start, start + timedelta(minutes=10), now=now)
    assert e.method == "counter"
    assert e.joules == pytest.approx(700.0 * 15 * 8)  # 9 intervals, the reset one not counted
    assert e.covered_s == pytest.approx(120)
    assert e.coverage == pytest.approx(120 / 600)


@pytest.mark.django_db
def test_energy_from_power_does_not_bridge_a_gap(now):
    start = now - timedelta(hours=1)
    secs = [0, 15, 30, 45, 60, 300, 315, 330]  # a 240 s gap (> 3 × 15 s) after 60 s
    times = [start + timedelta(seconds=s) for s in secs]
    watts = [400, 400, 400, 400, 400, 600, 600, 800]
    sid = _series(now, "gpu_power_watts", "watts", times, watts)
    e = store.energy(sid, start, start + timedelta(minutes=10), now=now)
    assert e.method == "power"
    assert e.joules == pytest.approx(400 * 60 + 600 * 15 + 700 * 15)
    assert e.covered_s == pytest.approx(90)
    assert e.coverage == pytest.approx(90 / 600)
    assert e.kwh == pytest.approx(e.joules / 3.6e6)
