"""Known answers of the figures, worked out by hand (REFERENCE.md "Energy and PUE"):
category, PUE / iPUE, cost across tariffs, CUE, WUE, REF, periods cut by their edges and
E_DC and E_IT over the same covered hours.

Meters read constant power every 60 s unless a test says otherwise, so a meter at P watts
gives P / 1000 kWh in each covered hour. The site is in Europe/Berlin (UTC+1 in winter).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from dcim.energy.figures import compute
from dcim.energy.ledger import update_ledger
from dcim.energy.models import CarbonFactor, MeterKind, RenewableCertificate, Tariff, TariffBand
from dcim.energy.periods import Period, period
from dcim.energy.tests.known import JOULES, LITRES, TZ, WATTS, approx, power, utc
from dcim.energy.tests.samples import every, write
from dcim.energy.trend import daily

H = timedelta(hours=1)
T10 = utc(2026, 12, 1, 10)  # a 4-hour window 10:00-14:00 UTC (11:00-15:00 in Berlin)
FOUR_HOURS = Period(T10, T10 + 4 * H, "4 h")
AFTER = T10 + 4 * H + timedelta(minutes=20)  # "now": the window's hours have all ended


@pytest.fixture(autouse=True)
def _raw_samples_kept(settings):
    """Dated answers (a full year of 2025 among them): keep raw samples past the store's
    raw retention, which would otherwise refuse them and read 5-minute rollups instead."""
    settings.TELEMETRY_STORE = {"raw_retention": None}


def metered(make_meter, watts_by_kind, start=T10 - timedelta(minutes=1), end=AFTER, now=AFTER):
    """One power meter per kind at constant watts over [start, end], then the ledger."""
    for kind, watts in watts_by_kind.items():
        power(make_meter(kind, kind, WATTS), start, end, watts)
    update_ledger(now=now)


@pytest.mark.parametrize(
    ("kinds", "category", "it_watts"),
    [
        ([MeterKind.IT_UPS_OUTPUT], "PUE1", 1500.0),
        ([MeterKind.IT_UPS_OUTPUT, MeterKind.IT_PDU_OUTPUT], "PUE2", 1400.0),
        ([MeterKind.IT_UPS_OUTPUT, MeterKind.IT_PDU_OUTPUT, MeterKind.IT_INPUT], "PUE3", 1300.0),
    ],
)
def test_category_is_where_it_is_metered(site, make_meter, kinds, category, it_watts):
    # Facility 2000 W; IT at UPS output 1500 W, at PDU output 1400 W, at IT input 1300 W.
    # The best metered point present gives the category and E_IT over 4 hours:
    #   UPS only: PUE1, 4 x 1.5 = 6.0 kWh, PUE 8 / 6.0; + PDU: PUE2, 5.6 kWh, 8 / 5.6;
    #   + IT input: PUE3, 5.2 kWh, 8 / 5.2.
    watts = {MeterKind.IT_UPS_OUTPUT: 1500.0, MeterKind.IT_PDU_OUTPUT: 1400.0}
    watts[MeterKind.IT_INPUT] = 1300.0
    metered(make_meter, {MeterKind.UTILITY: 2000.0} | {k: watts[k] for k in kinds})
    f = compute(site, FOUR_HOURS, now=AFTER)
    assert f.category == category and not f.withheld
    assert f.e_it_kwh == approx(4 * it_watts / 1000)
    assert f.pue == approx(8.0 / (4 * it_watts / 1000))


def test_better_category_with_too_little_coverage_falls_back(site, make_meter):
    # PDU output meters 1400 W all 4 hours; IT-input meters 1300 W only from 13:00: 1 of 4
    # hours, 25 % < 80 %. PUE3 does not cover, PUE2 does: category PUE2,
    # E_IT = 4 x 1.4 = 5.6 kWh, PUE = 8.0 / 5.6.
    metered(make_meter, {MeterKind.UTILITY: 2000.0, MeterKind.IT_PDU_OUTPUT: 1400.0})
    power(make_meter("late IT input", MeterKind.IT_INPUT, WATTS), T10 + 3 * H, AFTER, 1300.0)
    update_ledger(now=AFTER)
    f = compute(site, FOUR_HOURS, now=AFTER)
    assert f.category == "PUE2" and not f.withheld
    assert f.e_it_kwh == approx(5.6) and f.pue == approx(8.0 / 5.6)


def test_only_category_with_too_little_coverage_is_withheld(site, make_meter):
    # Only IT-input meters, from 13:00: 1 of 4 hours covered, 25 %: category PUE3 (the only
    # one), its figure over that hour (2.0 / 1.3) withheld with a reason.
    metered(make_meter, {MeterKind.UTILITY: 2000.0})
    power(make_meter("late IT input", MeterKind.IT_INPUT, WATTS), T10 + 3 * H, AFTER, 1300.0)
    update_ledger(now=AFTER)
    f = compute(site, FOUR_HOURS, now=AFTER)
    assert f.category == "PUE3" and f.covered_hours == 1 and f.coverage == 0.25
    assert f.pue == approx(2.0 / 1.3)
    assert "25%" in f.withheld


def test_pue_for_a_full_year_of_data_else_ipue(site, make_meter):
    # Energy counters read on the hour through 2025 in Berlin: UTC [2024-12-31 23:00,
    # 2025-12-31 23:00), 8760 hours. Facility 1300 W (+4,680,000 J an hour), IT input 1000 W
    # (+3,600,000 J). Year 2025: 8760 covered hours, E_IT = 8760 kWh, E_DC = 11,388 kWh,
    # PUE 1.3, labelled PUE (12-month period, data spanning it).
    # June 2025 from the same data: under 12 months, iPUE.
    # Feb 2025 - Feb 2026 (12 months, closed by 2026-03-01): data from 2025-01-31 23:00 UTC
    # to 2025-12-31 23:00 UTC, 334 days = 8016 of 8760 hours (91.5 %): not spanning, iPUE.
    year = period("year", TZ, on=date(2025, 6, 1), now=utc(2026, 3, 1))
    assert year.end - year.start == 8760 * H
    for kind, watts in ((MeterKind.UTILITY, 1300.0), (MeterKind.IT_INPUT, 1000.0)):
        m = make_meter(kind, kind, JOULES)
        hourly = every(year.start, year.end, 3600, lambda s, w=watts: s * w)
        write(m.device, JOULES, "joules", hourly)
    update_ledger(now=year.end + 2 * H)
    f = compute(site, year, now=utc(2026, 3, 1))
    assert (f.label, f.covered_hours, f.coverage) == ("PUE", 8760, 1.0)
    assert f.e_it_kwh == approx(8760.0) and f.e_dc_kwh == approx(11388.0) and f.pue == approx(1.3)
    june = compute(site, period("month", TZ, on=date(2025, 6, 1), now=utc(2026, 3, 1)))
    assert june.label == "iPUE" and june.pue == approx(1.3)
    shifted = period(
        "custom", TZ, now=utc(2026, 3, 1), start=datetime(2025, 2, 1), end=datetime(2026, 2, 1)
    )
    g = compute(site, shifted, now=utc(2026, 3, 1))
    assert (g.elapsed_hours, g.covered_hours) == (8760, 8016) and not g.withheld
    assert g.label == "iPUE"


def test_time_of_use_cost_across_a_tariff_change(site, make_meter):
    # Tuesday 2026-12-01 in Berlin, facility 2000 W: 2 kWh each local hour.
    # Tariff A (from 2026-01-01): base 0.20 EUR, night 22:00-06:00 (crosses midnight) 0.10.
    # Tariff B (from 12:00 local that day): base 0.30, peak 17:00-20:00 Mon-Fri 0.50,
    # night 22:00-06:00 0.15. Local hours:
    #   00-05  A night  6 h x 2 kWh x 0.10 = 1.20
    #   06-11  A base   6 h x 2 x 0.20     = 2.40
    #   12-16  B base   5 h x 2 x 0.30     = 3.00
    #   17-19  B peak   3 h x 2 x 0.50     = 3.00
    #   20-21  B base   2 h x 2 x 0.30     = 1.20
    #   22-23  B night  2 h x 2 x 0.15     = 0.60
    # Total 11.40 EUR for 48 kWh.
    day = period("day", TZ, on=date(2026, 12, 1), now=utc(2026, 12, 5))
    a = Tariff.objects.create(
        site=site, name="A", valid_from=utc(2026, 1, 1), price_per_kwh=Decimal("0.20")
    )
    b = Tariff.objects.create(
        site=site, name="B", valid_from=utc(2026, 12, 1, 11), price_per_kwh=Decimal("0.30")
    )
    night = {"name": "night", "start": "22:00", "end": "06:00"}
    TariffBand.objects.create(tariff=a, price_per_kwh=Decimal("0.10"), **night)
    TariffBand.objects.create(tariff=b, price_per_kwh=Decimal("0.15"), **night)
    TariffBand.objects.create(
        tariff=b, name="peak", weekdays="12345", start="17:00", end="20:00", price_per_kwh="0.50"
    )
    watts = {MeterKind.UTILITY: 2000.0, MeterKind.IT_UPS_OUTPUT: 1000.0}
    metered(make_meter, watts, day.start - timedelta(minutes=1), day.end, utc(2026, 12, 5))
    f = compute(site, day, now=utc(2026, 12, 5))
    assert f.e_dc_kwh == approx(48.0)
    assert f.cost == approx(11.40) and f.currency == "EUR" and f.cost_coverage == 1.0


def test_cue_with_a_carbon_factor_changing_mid_period(site, make_meter):
    # Facility 2000 W, IT 1000 W over 10:00-14:00 UTC. Factor 0.4 kg/kWh, from 12:00 0.2:
    # CO2 = 2 h x 2 kWh x 0.4 + 2 h x 2 kWh x 0.2 = 1.6 + 0.8 = 2.4 kg; E_IT 4 kWh;
    # CUE = 2.4 / 4 = 0.6 kg/kWh (= mean factor 0.3 x PUE 2.0).
    CarbonFactor.objects.create(site=site, valid_from=utc(2026, 1, 1), kg_co2_per_kwh=0.4)
    CarbonFactor.objects.create(site=site, valid_from=T10 + 2 * H, kg_co2_per_kwh=0.2)
    metered(make_meter, {MeterKind.UTILITY: 2000.0, MeterKind.IT_UPS_OUTPUT: 1000.0})
    f = compute(site, FOUR_HOURS, now=AFTER)
    assert f.pue == approx(2.0) and f.cue_kg_per_kwh == approx(0.6)


def test_wue_and_ref_with_on_site_pv_and_a_certificate(site, make_meter):
    # 10:00-14:00 UTC: utility 1500 W, on-site PV 500 W, IT 1000 W, water +1 L a minute.
    # E_DC = (1.5 + 0.5) x 4 = 8 kWh; E_IT = 4 kWh; PUE 2.0.
    # WUE = 4 h x 60 L / 4 kWh = 60 L/kWh, its coverage 1.0.
    # Certificate 2026-12-01..2026-12-10 (10 local days = 240 h), 240 kWh: 4 covered hours of
    # it are in the figure, 240 x 4 / 240 = 4 kWh. REF = (2 kWh PV + 4 kWh) / 8 = 0.75.
    RenewableCertificate.objects.create(
        site=site, start=date(2026, 12, 1), end=date(2026, 12, 10), kwh=240.0
    )
    water = make_meter("Water", MeterKind.WATER, LITRES)
    write(
        water.device,
        LITRES,
        "liters",
        every(T10 - timedelta(minutes=1), AFTER, 60, lambda s: s / 60),
    )
    metered(
        make_meter,
        {MeterKind.UTILITY: 1500.0, MeterKind.RENEWABLE: 500.0, MeterKind.IT_UPS_OUTPUT: 1000.0},
    )
    f = compute(site, FOUR_HOURS, now=AFTER)
    assert f.e_dc_kwh == approx(8.0) and f.e_it_kwh == approx(4.0) and f.pue == approx(2.0)
    assert f.wue_l_per_kwh == approx(60.0) and f.wue_coverage == 1.0
    assert f.renewable_kwh == approx(2.0) and f.certificates_kwh == approx(4.0)
    assert f.ref == approx(0.75)


def test_open_period_counts_only_ended_hours(site, make_meter):
    # Now 2026-12-01 13:20 UTC (14:20 Berlin). Today = from 2026-11-30 23:00 UTC; the hours
    # ended by now: 23:00 -> 13:00 = 14. IT 1000 W, facility 2000 W: E_IT 14 kWh, E_DC 28 kWh.
    # The open hour 13:00-13:20 is in the ledger (1/3 kWh of IT) but not in the figure.
    now = utc(2026, 12, 1, 13, 20)
    today = period("today", TZ, now=now)
    watts = {MeterKind.UTILITY: 2000.0, MeterKind.IT_UPS_OUTPUT: 1000.0}
    metered(make_meter, watts, today.start - timedelta(minutes=1), now, now)
    f = compute(site, today, now=now)
    assert (f.elapsed_hours, f.covered_hours, f.coverage) == (14, 14, 1.0) and not f.withheld
    assert f.e_it_kwh == approx(14.0) and f.e_dc_kwh == approx(28.0)
    assert f.energy_by_kind["it_ups"]["quantity"] == approx(14.0)


@pytest.mark.parametrize(
    ("data_from", "minimum", "coverage", "withheld"),
    [(13, None, 0.7, True), (12, None, 0.8, False), (13, 0.6, 0.7, False)],
)
def test_custom_period_with_data_from_mid_period(
    site, make_meter, settings, data_from, minimum, coverage, withheld
):
    # Custom 11:00-21:00 Berlin = 10:00-20:00 UTC, 10 hours. Data from 13:00 UTC: 7 of 10
    # hours, coverage 0.7 < 0.8: withheld, with a reason. From 12:00: 8 / 10 = 0.8, not below
    # the minimum: shown. With ENERGY_MIN_COVERAGE = 0.6, 0.7 is shown. PUE 2.0 in each.
    if minimum is not None:
        settings.ENERGY_MIN_COVERAGE = minimum
    now = utc(2026, 12, 1, 21)
    p = period(
        "custom", TZ, now=now, start=datetime(2026, 12, 1, 11), end=datetime(2026, 12, 1, 21)
    )
    assert (p.start, p.end) == (T10, utc(2026, 12, 1, 20))
    watts = {MeterKind.UTILITY: 2000.0, MeterKind.IT_UPS_OUTPUT: 1000.0}
    metered(make_meter, watts, utc(2026, 12, 1, data_from), now, now)
    f = compute(site, p, now=now)
    assert f.coverage == approx(coverage) and f.pue == approx(2.0)
    assert bool(f.withheld) is withheld
    if withheld:
        assert "70%" in f.withheld and "7 of 10 hours" in f.withheld


@pytest.mark.parametrize("missing", [MeterKind.UTILITY, MeterKind.IT_UPS_OUTPUT])
def test_e_dc_and_e_it_over_the_same_covered_hours(site, make_meter, missing):
    # Facility 2000 W and IT 1000 W over 10:00-14:00; one of them reports nothing in
    # 11:00-12:00. That hour leaves both sums: 3 covered hours, E_DC = 6 kWh, E_IT = 3 kWh,
    # PUE 2.0 (not 8 / 3 or 6 / 4 = 1.5). Coverage 3 / 4 = 0.75: withheld.
    # The meter that covered all 4 hours still shows its own 4 hours by kind.
    watts = {MeterKind.UTILITY: 2000.0, MeterKind.IT_UPS_OUTPUT: 1000.0}
    for kind, w in watts.items():
        skip = ((T10 + H, T10 + 2 * H),) if kind == missing else ()
        power(make_meter(kind, kind, WATTS), T10 - timedelta(minutes=1), AFTER, w, skip=skip)
    update_ledger(now=AFTER)
    f = compute(site, FOUR_HOURS, now=AFTER)
    assert f.covered_hours == 3 and f.coverage == 0.75 and f.withheld
    assert f.e_dc_kwh == approx(6.0) and f.e_it_kwh == approx(3.0) and f.pue == approx(2.0)
    full, its_4_hours = ("it_ups", 4.0) if missing == MeterKind.UTILITY else ("facility", 8.0)
    assert f.energy_by_kind[full]["quantity"] == approx(its_4_hours)


def test_the_first_hour_of_the_local_day_has_no_figure_yet(site, make_meter):
    # At 00:30 in Berlin (23:30 UTC) "today" has begun but none of its hours has ended:
    # withheld for that, labelled iPUE (no year proven) and with no category, although
    # yesterday's meters all reported. The daily trend leaves the day out.
    now = utc(2026, 12, 1, 23, 30)
    metered(make_meter, {MeterKind.UTILITY: 2000.0, MeterKind.IT_PDU_OUTPUT: 1000.0},
            start=now - 30 * H, end=now, now=now)  # fmt: skip
    today = compute(site, period("today", TZ, now=now), now=now)
    assert today.withheld == "No complete hour in this period yet."
    assert (today.label, today.category_words, today.elapsed_hours) == ("iPUE", "", 0)
    assert today.pue is None
    # The 7 days: metered from 17:30 UTC the day before, so the 29 hours 18:00-23:00 UTC
    # are covered; 1 December is the last local day of the trend.
    week = period("7d", TZ, now=now)
    f = compute(site, week, now=now)
    assert (f.category, f.covered_hours, f.elapsed_hours) == ("PUE2", 29, 6 * 24)
    assert f.pue == approx(2.0)
    days = daily(site, week, now=now)
    assert [d.day for d in days][-2:] == [date(2026, 11, 30), date(2026, 12, 1)]
