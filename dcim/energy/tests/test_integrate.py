"""Known answers of dcim.energy.integrate, worked out by hand: pure numpy, no database.

Times are seconds; power in watts, counters in joules, so a bin's quantity is in joules
(``scale`` 1) unless a test says otherwise.
"""

import numpy as np
import pytest

from dcim.energy.integrate import JOULES_PER_KWH, binned, cumulative

MOD32 = 2.0**32


def approx(x):
    return pytest.approx(x, rel=1e-12, abs=1e-6)


def test_counter_wrap_counted_and_reset_interval_dropped():
    # 32-bit counter read every 60 s at 1000 W (60,000 J per minute):
    #   t=0    2^32 - 150,000
    #   t=60   2^32 -  90,000             +60,000
    #   t=120  2^32 -  30,000             +60,000
    #   t=180  30,000  (wrapped)          2^32 - (2^32 - 30,000) + 30,000 = +60,000
    #   t=240  90,000                     +60,000
    #   t=300  100     (reset: the wrapped delta ~2^32 is over half the range) dropped
    #   t=360  60,100                     +60,000
    # Bin [0, 180): 3 x 60,000 = 180,000 J over 180 s.
    # Bin [180, 360): 60,000 + 0 + 60,000 = 120,000 J over 60 + 60 = 120 s (reset minute
    # not covered).
    ts = np.arange(0, 361, 60.0)
    v = np.array([MOD32 - 150_000, MOD32 - 90_000, MOD32 - 30_000, 30_000, 90_000, 100, 60_100])
    b = binned(ts, v, [0, 180, 360], counter=True, bits=32)
    assert b.quantity.tolist() == [approx(180_000), approx(120_000)]
    assert b.covered_s.tolist() == [approx(180), approx(120)]


def test_a_decrease_without_bits_or_on_64_bits_is_a_reset():
    # The same readings without a counter width: the wrap at t=180 is a decrease, so a
    # reset too: 60,000 + 60,000 + 0 + 60,000 + 0 + 60,000 = 240,000 J over 240 s.
    # As a 64-bit counter, the wrapped delta 2^64 - (2^32 - 30,000) + 30,000 is over half
    # of 2^64: a reset as well, the same 240,000 J.
    ts = np.arange(0, 361, 60.0)
    v = np.array([MOD32 - 150_000, MOD32 - 90_000, MOD32 - 30_000, 30_000, 90_000, 100, 60_100])
    for bits in (None, 64):
        q, c = cumulative(ts, v, counter=True, bits=bits)
        assert q[-1] == approx(240_000) and c[-1] == approx(240)


def test_power_gap_over_three_intervals_is_not_bridged():
    # 1800 W every 60 s over one hour, samples missing between t=1200 and t=1500: the
    # interval 1200 -> 1500 is 300 s = 5 poll intervals > 3, so it is not bridged.
    # Energy = 1800 W x (3600 - 300) s = 5,940,000 J = 1.65 kWh; covered 3300 s: exactly the
    # 300 s of the gap less than the 3600 s without it, and the gap's energy is 0.
    ts = np.array([t for t in np.arange(0, 3601, 60.0) if not 1200 < t < 1500])
    b = binned(ts, np.full(len(ts), 1800.0), [0, 3600], counter=False, scale=1 / JOULES_PER_KWH)
    assert b.quantity[0] == approx(1.65)
    assert b.covered_s[0] == approx(3300)


@pytest.mark.parametrize(("gap_s", "bridged"), [(180, True), (240, False)])
def test_power_gap_of_three_intervals_is_bridged_four_is_not(gap_s, bridged):
    # 1000 W every 60 s over [0, 3600] with one interval of gap_s from t=1200:
    #   180 s = 3 x 60 s: bridged, 3,600,000 J over 3600 s;
    #   240 s = 4 x 60 s: not bridged, 1000 x (3600 - 240) = 3,360,000 J over 3360 s.
    ts = np.array([t for t in np.arange(0, 3601, 60.0) if not 1200 < t < 1200 + gap_s])
    b = binned(ts, np.full(len(ts), 1000.0), [0, 3600], counter=False)
    covered = 3600 if bridged else 3600 - gap_s
    assert b.covered_s[0] == approx(covered)
    assert b.quantity[0] == approx(1000.0 * covered)


def test_a_gap_across_a_bin_edge_is_split_in_time():
    # 1000 W every 60 s over two hours, nothing between t=3480 (58 min) and t=3780 (1 h 3 min):
    # hour 0 is covered 0 -> 3480: 3480 s, 3,480,000 J; hour 1 from 3780 to 7200: 3420 s.
    ts = np.array([t for t in np.arange(0, 7201, 60.0) if not 3480 < t < 3780])
    b = binned(ts, np.full(len(ts), 1000.0), [0, 3600, 7200], counter=False)
    assert b.covered_s.tolist() == [approx(3480), approx(3420)]
    assert b.quantity.tolist() == [approx(3_480_000), approx(3_420_000)]


def test_an_interval_across_a_bin_edge_is_split_in_proportion():
    # 1000 W at t = 0, 40, 80; bins [0, 60) and [60, 120): the interval 40 -> 80 holds
    # 40,000 J, 20 s of it in each bin. Bin 0: 40,000 + 20,000 = 60,000 J over 60 s; bin 1:
    # 20,000 J over 20 s (nothing after the last sample at 80).
    b = binned([0, 40, 80], [1000.0, 1000.0, 1000.0], [0, 60, 120], counter=False)
    assert b.quantity.tolist() == [approx(60_000), approx(20_000)]
    assert b.covered_s.tolist() == [approx(60), approx(20)]


def test_trapezoid_is_exact_for_a_ramp():
    # Power rising linearly 0 -> 3600 W over one hour, read every 60 s: the trapezoid of a
    # straight line is exact, 1/2 x 3600 W x 3600 s = 6,480,000 J = 1.8 kWh.
    ts = np.arange(0, 3601, 60.0)
    b = binned(ts, ts.copy(), [0, 3600], counter=False, scale=1 / JOULES_PER_KWH)
    assert b.quantity[0] == approx(1.8)


def test_a_nan_sample_breaks_both_of_its_intervals():
    # 1000 W every 60 s over [0, 600], the sample at t=300 NaN: intervals 240->300 and
    # 300->360 are not covered. 1000 x (600 - 120) = 480,000 J over 480 s.
    ts = np.arange(0, 601, 60.0)
    v = np.full(len(ts), 1000.0)
    v[5] = np.nan
    b = binned(ts, v, [0, 600], counter=False)
    assert b.quantity[0] == approx(480_000) and b.covered_s[0] == approx(480)


def test_a_given_poll_interval_overrides_the_median_spacing():
    # Samples 60 s apart, but the meter is said to be polled every 15 s: 60 s > 3 x 15 s,
    # so no interval is bridged, nothing covered.
    ts = np.arange(0, 601, 60.0)
    b = binned(ts, np.full(len(ts), 1000.0), [0, 600], counter=False, interval_s=15.0)
    assert b.quantity[0] == 0 and b.covered_s[0] == 0


def test_nothing_is_counted_outside_the_samples():
    # Samples over [1000, 2000] at 1000 W: bin [0, 1000) is before them and [2000, 3000)
    # after them, both 0 J and 0 s; [1000, 2000) holds 1,000,000 J over 1000 s.
    ts = np.arange(1000, 2001, 100.0)
    b = binned(ts, np.full(len(ts), 1000.0), [0, 1000, 2000, 3000], counter=False)
    assert b.quantity.tolist() == [0, approx(1_000_000), 0]
    assert b.covered_s.tolist() == [0, approx(1000), 0]


def test_fewer_than_two_samples_give_nothing():
    # One counter reading has no interval: 0 J and 0 s in every bin.
    b = binned([100.0], [5.0], [0, 3600, 7200], counter=True)
    assert b.quantity.tolist() == [0, 0] and b.covered_s.tolist() == [0, 0]


def test_a_change_of_spacing_is_not_a_gap_but_a_gap_after_it_is():
    # 15-minute history (4 intervals of 900 s), then 30-second polling (20 intervals), then a
    # 10-minute hole in the 30-second polling, then 30-second polling again. Constant 3.6 kW
    # (1 kWh per 1000 s): everything is covered except the 600 s hole.
    ts = [900.0 * i for i in range(5)]
    ts += [ts[-1] + 30.0 * i for i in range(1, 21)]
    ts += [ts[-1] + 600.0] + [ts[-1] + 600.0 + 30.0 * i for i in range(1, 21)]
    ts = np.array(ts)
    q, c = cumulative(ts, np.full(len(ts), 3600.0), counter=False)
    span = ts[-1] - ts[0]
    assert c[-1] == span - 600.0
    assert q[-1] == pytest.approx((span - 600.0) * 3600.0)
