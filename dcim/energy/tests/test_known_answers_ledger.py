"""Known answers of the ledger, worked out by hand (REFERENCE.md "Energy and PUE"): counters
with a reset and a wrap, power gaps, sub-meters counted once, DST days, late data.

Samples go in through the store's public ingest and out through ``update_ledger``, as in
production. 1 kWh = 3.6e6 J; a constant P watts for one hour is P / 1000 kWh.
"""

from datetime import date, timedelta

import pytest

from dcim.energy.figures import compute
from dcim.energy.ledger import mark_dirty, update_ledger
from dcim.energy.models import BoundaryHour, EnergyDay, LedgerState, MeterKind
from dcim.energy.periods import Period, period
from dcim.energy.tests.known import JOULES, TZ, WATTS, approx, hour_row, power, series, utc
from dcim.energy.tests.samples import every, write

H = timedelta(hours=1)
MOD32 = 2**32


@pytest.fixture(autouse=True)
def _raw_samples_kept(settings):
    """These answers are dated (DST days of 2026 among them); the store refuses raw samples
    older than its raw retention and reads 5-minute rollups there, so keep raw."""
    settings.TELEMETRY_STORE = {"raw_retention": None}


def test_counter_reset_dropped_and_32_bit_wrap_counted(site, make_meter):
    # A 32-bit energy counter read every 60 s over 10:00-11:00 at 3600 W: +216,000 J a minute.
    #   minute 0:      2^32 - 4,428,000
    #   minute 20:     2^32 - 108,000
    #   minute 21:     108,000            wrap: 2^32 - (2^32 - 108,000) + 108,000 = +216,000
    #   minute 39:     108,000 + 18 x 216,000 = 3,996,000
    #   minute 40:     5,000              reset: interval 39 -> 40 dropped, not covered
    #   minute 60:     5,000 + 20 x 216,000 = 4,325,000
    # 60 intervals, 1 dropped: 59 x 216,000 J = 12,744,000 J = 3.54 kWh over 59 x 60 = 3540 s.
    m = make_meter("Utility counter", MeterKind.UTILITY, JOULES, bits=32)
    start = utc(2026, 12, 1, 10)

    def reading(k: int) -> float:
        if k >= 40:
            return 5_000 + (k - 40) * 216_000
        v = MOD32 - 4_428_000 + k * 216_000
        return v - MOD32 if v >= MOD32 else v

    write(
        m.device, JOULES, "joules", [(start + timedelta(minutes=k), reading(k)) for k in range(61)]
    )
    update_ledger(now=start + H + timedelta(minutes=20))
    row = hour_row(m, start)
    assert row.quantity == approx(3.54)
    assert row.covered_s == approx(3540)


def test_power_gap_over_three_intervals_not_bridged_three_bridged(site, make_meter):
    # 1800 W every 60 s over 10:00-11:00 (1.8 kWh over 3600 s without a gap).
    # Meter A: nothing between 10:20 and 10:25, 300 s = 5 intervals > 3: not bridged, so the
    #   gap holds 0 kWh and coverage drops by exactly 300 s: 1800 x 3300 / 3.6e6 = 1.65 kWh.
    # Meter B: nothing between 10:20 and 10:23, 180 s = 3 intervals: bridged, 1.8 kWh, 3600 s.
    start = utc(2026, 12, 1, 10)
    gap_a = make_meter("A", MeterKind.UTILITY, WATTS)
    gap_b = make_meter("B", MeterKind.COOLING, WATTS)
    power(
        gap_a,
        start,
        start + H,
        1800.0,
        skip=((start.replace(minute=20), start.replace(minute=25)),),
    )
    power(
        gap_b,
        start,
        start + H,
        1800.0,
        skip=((start.replace(minute=20), start.replace(minute=23)),),
    )
    update_ledger(now=start + H + timedelta(minutes=20))
    a, b = hour_row(gap_a, start), hour_row(gap_b, start)
    assert (a.quantity, a.covered_s) == (approx(1.65), approx(3300))
    assert (b.quantity, b.covered_s) == (approx(1.8), approx(3600))


def test_sub_meter_under_its_parent_is_counted_once(site, make_meter, room):
    # Main utility 2000 W; "Hall feed" a utility sub-meter of Main, 500 W, metering the room.
    # IT at UPS output 1000 W. Per hour: site facility = Main only = 2.0 kWh (not 2.5),
    # PUE = 2.0 / 1.0 = 2.0. The room's boundary holds the sub-meter alone: 0.5 kWh.
    start = utc(2026, 12, 1, 10)
    main = make_meter("Main", MeterKind.UTILITY, WATTS)
    sub = make_meter("Hall feed", MeterKind.UTILITY, WATTS, parent=main, room=room)
    it = make_meter("UPS out", MeterKind.IT_UPS_OUTPUT, WATTS)
    for m, w in ((main, 2000.0), (sub, 500.0), (it, 1000.0)):
        power(m, start, start + 2 * H, w)
    now = start + 2 * H + timedelta(minutes=20)
    update_ledger(now=now)
    site_hour = BoundaryHour.objects.get(site=site, room__isnull=True, hour=start)
    room_hour = BoundaryHour.objects.get(site=site, room=room, hour=start)
    assert site_hour.facility_kwh == approx(2.0)
    assert room_hour.facility_kwh == approx(0.5)
    f = compute(site, Period(start, start + 2 * H, "2 h"), now=now)
    assert f.e_dc_kwh == approx(4.0) and f.e_it_kwh == approx(2.0) and f.pue == approx(2.0)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)],
)
def test_dst_day_spans_its_local_hours(site, make_meter, day, hours):
    # Europe/Berlin: 2026-03-29 springs forward (02:00 -> 03:00): 23 hours, UTC
    # [03-28 23:00, 03-29 22:00). 2026-10-25 falls back: 25 hours, [10-24 22:00, 10-25 23:00).
    # A summer day, 24. With IT at 1000 W and the facility at 1500 W, constant:
    #   EnergyDay.span_s = hours x 3600; IT's day = hours x 1.0 kWh, covered hours x 3600 s;
    #   the day's figure: E_IT = hours kWh, E_DC = 1.5 x hours kWh, PUE 1.5.
    fac = make_meter("F", MeterKind.UTILITY, WATTS)
    it = make_meter("IT", MeterKind.IT_UPS_OUTPUT, WATTS)
    now = utc(day.year, day.month, day.day) + 2 * 24 * H
    p = period("day", TZ, on=day, now=now)
    assert p.end - p.start == hours * H
    for m, w in ((fac, 1500.0), (it, 1000.0)):
        power(m, p.start - H, p.end + H, w)
    update_ledger(now=now)
    d = EnergyDay.objects.get(series_id=series(it), day=day)
    assert d.span_s == hours * 3600
    assert d.quantity == approx(hours * 1.0) and d.covered_s == approx(hours * 3600)
    f = compute(site, p, now=now)
    assert f.elapsed_hours == hours and f.covered_hours == hours
    assert f.e_it_kwh == approx(hours * 1.0) and f.e_dc_kwh == approx(hours * 1.5)


def test_late_data_recomputed_within_the_late_window_or_when_marked_dirty(site, make_meter):
    # Facility 2000 W and IT 1000 W every 60 s from 09:59. IT's agent was cut off over
    # 11:00-12:00 and 13:00-13:30 and delivers those samples after the first run (14:10).
    # Run 1 (14:10): IT hour 11 has no covered second (no row); hour 13 covered 13:30-14:00,
    #   1800 s, 0.5 kWh.
    # Run 2 (14:20), no mark_dirty: the late window reaches back 1 h before the last run's
    #   complete hour (14:00), to 13:00: hour 13 is recomputed (1.0 kWh, 3600 s), hour 11
    #   (older) is not.
    # Run 3 (14:25) after mark_dirty(since 11:01): from 11:00, hour 11 = 1.0 kWh over 3600 s;
    #   then 10:00-14:00 is fully covered: E_IT 4 kWh, E_DC 8 kWh, PUE 2.0.
    fac = make_meter("F", MeterKind.UTILITY, WATTS)
    it = make_meter("IT", MeterKind.IT_UPS_OUTPUT, WATTS)
    t0 = utc(2026, 12, 1, 9, 59)
    h = {k: utc(2026, 12, 1, k) for k in range(10, 15)}
    power(fac, t0, h[14] + timedelta(minutes=10), 2000.0)
    late = ((h[11], h[12]), (h[13], h[13] + timedelta(minutes=30)))
    power(it, t0, h[14] + timedelta(minutes=10), 1000.0, skip=late)
    update_ledger(now=h[14] + timedelta(minutes=10))
    assert hour_row(it, h[11]) is None
    assert (hour_row(it, h[13]).quantity, hour_row(it, h[13]).covered_s) == (
        approx(0.5),
        approx(1800),
    )

    for a, b in late:
        write(
            it.device,
            WATTS,
            "watts",
            every(a + timedelta(minutes=1), b - timedelta(minutes=1), 60, 1000.0),
        )
    update_ledger(now=h[14] + timedelta(minutes=20))
    assert (hour_row(it, h[13]).quantity, hour_row(it, h[13]).covered_s) == (
        approx(1.0),
        approx(3600),
    )
    assert hour_row(it, h[11]) is None

    mark_dirty([series(it)], h[11] + timedelta(minutes=1))
    assert LedgerState.objects.get(series_id=series(it)).dirty_from == h[11]
    now = h[14] + timedelta(minutes=25)
    update_ledger(now=now)
    assert (hour_row(it, h[11]).quantity, hour_row(it, h[11]).covered_s) == (
        approx(1.0),
        approx(3600),
    )
    assert LedgerState.objects.get(series_id=series(it)).dirty_from is None
    f = compute(site, Period(h[10], h[14], "4 h"), now=now)
    assert f.covered_hours == 4 and f.e_it_kwh == approx(4.0) and f.e_dc_kwh == approx(8.0)


def test_a_rerun_keeps_hours_of_a_meter_read_every_15_minutes(site, make_meter):
    # A utility energy counter read every 15 min at :03, :18, :33, :48, at 4000 W (+3.6e6 J
    # per 15 min, 4 kWh an hour). Run 1 at 14:05: hour 13 lies between the 12:48 and 14:03
    # readings, covered 3600 s, 4.0 kWh. Run 2 at 14:20 recomputes from 13:00 (late window):
    # the interval 12:48 -> 13:03 still splits at 13:00, so hour 13 stays 4.0 kWh over 3600 s
    # ("a run twice changes nothing").
    m = make_meter("Billing meter", MeterKind.UTILITY, JOULES)
    t0 = utc(2026, 12, 1, 9, 48)
    write(
        m.device, JOULES, "joules", every(t0, utc(2026, 12, 1, 14, 18), 900, lambda s: s * 4000.0)
    )
    update_ledger(now=utc(2026, 12, 1, 14, 5))
    first = hour_row(m, utc(2026, 12, 1, 13))
    assert (first.quantity, first.covered_s) == (approx(4.0), approx(3600))
    update_ledger(now=utc(2026, 12, 1, 14, 20))
    again = hour_row(m, utc(2026, 12, 1, 13))
    assert (again.quantity, again.covered_s) == (approx(4.0), approx(3600))
