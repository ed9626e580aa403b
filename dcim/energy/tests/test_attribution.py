"""Attribution known answers, through the store and the ledger.

A rack with two PDU meters (3 kW together) and a sub-meter under one of them, a GPU server
in it (two GPUs, 400 W and 600 W, and its own 1.5 kW inlet meter), a second rack with a
meterless GPU server (300 W), a 5 kW facility meter at 0.25 EUR/kWh, over 57 hours: 4 at
the start, two whole local days (read from EnergyDay), 5 at the end.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.utils import timezone

from dcim.energy import attribution
from dcim.energy.ledger import GPU_ENERGY, update_ledger
from dcim.energy.models import Allocation, EnergyHour, Meter, MeterKind, Tariff, Tenant
from dcim.energy.periods import Period
from dcim.energy.sums import Window, split, totals
from dcim.energy.tests.samples import every, write
from dcim.inventory.tests.factories import make_device, make_gpu, make_pdu, make_rack

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = 57
WATTS = "pdu_power_watts"
STEP = 300  # seconds between samples


def _meter(name, kind, device, metric=WATTS, parent=None):
    return Meter.objects.create(
        name=name, kind=kind, site=device.site, device=device, metric=metric, parent=parent
    )


def _power(device, watts, start, end, metric=WATTS):
    write(device, metric, "watts", every(start, end, STEP, float(watts)))


def _gpu_counter(device, index, watts, start, end):
    points = every(start, end, STEP, lambda t: 1e6 + watts * t)
    write(device, GPU_ENERGY, "joules", points, component=f"gpu{index}")


@pytest.fixture
def world(site, room):
    day = (timezone.now() - timedelta(days=5)).astimezone(BERLIN).date()
    start = datetime.combine(day, time(20), BERLIN).astimezone(UTC)
    end = start + timedelta(hours=HOURS)
    # Ten minutes either side: past a 5-minute bucket, should the store read rollups.
    lo, hi = start - timedelta(minutes=10), end + timedelta(minutes=10)

    rack = make_rack(room=room, name="R1")
    pdu_a, pdu_b = make_pdu(rack=rack, name="pdu-a"), make_pdu(rack=rack, name="pdu-b")
    a = _meter("R1 A", MeterKind.IT_PDU_OUTPUT, pdu_a)
    _meter("R1 B", MeterKind.IT_PDU_OUTPUT, pdu_b)
    _meter("R1 A outlet 3", MeterKind.IT_PDU_OUTPUT, pdu_a, "pdu_outlet_power_watts", parent=a)
    server = make_device(rack=rack, name="gpu-1")
    gpus = [make_gpu(server, index=0), make_gpu(server, index=1)]
    _meter("gpu-1 inlet", MeterKind.IT_INPUT, server, "psu_input_power_watts")
    rack2 = make_rack(room=room, name="R2")
    server2 = make_device(rack=rack2, name="gpu-2")
    make_gpu(server2, index=0)
    utility = make_device(site=site, name="utility")
    _meter("Utility", MeterKind.UTILITY, utility)
    Tariff.objects.create(
        site=site, name="flat", valid_from=start - timedelta(days=30), price_per_kwh=Decimal("0.25")
    )

    _power(pdu_a, 2000, lo, hi)
    _power(pdu_b, 1000, lo, hi)
    _power(pdu_a, 500, lo, hi, "pdu_outlet_power_watts")
    _power(server, 1500, lo, hi, "psu_input_power_watts")
    _power(utility, 5000, lo, hi)
    _gpu_counter(server, 0, 400, lo, hi)
    _gpu_counter(server, 1, 600, lo, hi)
    _gpu_counter(server2, 0, 300, lo, hi)
    now = end + timedelta(minutes=30)
    update_ledger(now=now)
    return {
        "period": Period(start, end, "test"),
        "now": now,
        "rack": rack,
        "rack2": rack2,
        "server": server,
        "server2": server2,
        "gpus": gpus,
    }


def test_period_reads_whole_local_days_and_edge_hours(world):
    p = world["period"]
    r = split(Window(p.start, p.end), "Europe/Berlin")
    assert r.days[1] - r.days[0] == timedelta(days=2)
    assert [(hi - lo) / timedelta(hours=1) for lo, hi in r.plus] == [4, 5] and not r.minus


def test_most_of_a_day_is_read_as_the_day_less_its_other_hours(world):
    p = world["period"]
    # 19 hours of the last day: its day row less the 5 hours after (rows up to now).
    w = Window(p.start, p.end + timedelta(hours=14))
    r = split(w, "Europe/Berlin", now=w.hi)
    assert r.days[1] - r.days[0] == timedelta(days=3)
    assert r.plus == [(p.start, p.start + timedelta(hours=4))]
    assert r.minus == [(w.hi, w.hi + timedelta(hours=5))]


@pytest.mark.parametrize("now_known", [False, True])
def test_totals_equal_the_sum_of_ledger_hours(world, now_known):
    """Whatever the split (days, edges, a day less some hours), the same as the hours."""
    p, hour = world["period"], timedelta(hours=1)
    ids = set(EnergyHour.objects.values_list("series_id", flat=True).distinct())
    windows = [
        Window(p.start, p.end),
        Window(p.start - 3 * hour, p.end + 2 * hour),
        Window(p.start + 5 * hour, p.start + 27 * hour),  # most of one day
        Window(p.start + 6 * hour, p.start + 8 * hour),
        Window(p.start + 20 * hour, p.end - hour),
    ]
    got = totals({w: ids for w in windows}, "Europe/Berlin", world["now"] if now_known else None)
    for w in windows:
        hours = (
            EnergyHour.objects.filter(series_id__in=ids, hour__gte=w.lo, hour__lt=w.hi)
            .values("series_id")
            .annotate(q=Sum("quantity"), c=Sum("covered_s"))
        )
        want = {h["series_id"]: (h["q"], h["c"]) for h in hours}
        assert got[w].keys() == want.keys()
        for sid, (q, c) in want.items():
            assert got[w][sid] == (pytest.approx(q, abs=1e-9), pytest.approx(c, abs=1e-6))


def test_rack_is_its_two_pdu_meters_counted_once(site, world):
    rows = {r.rack: r for r in attribution.racks(site, world["period"], now=world["now"])}
    r1 = rows["R1"]
    assert r1.source == MeterKind.IT_PDU_OUTPUT and r1.meters == 2
    assert r1.kwh == pytest.approx(3.0 * HOURS)  # not the outlet sub-meter, not the inlet
    assert r1.coverage == pytest.approx(1.0)
    assert r1.gpu_kwh == pytest.approx(1.0 * HOURS)
    assert r1.gpu_share == pytest.approx(1 / 3)
    assert r1.cost == pytest.approx(3.0 * HOURS * 0.25) and r1.currency == "EUR"


def test_rack_without_meters_is_measured_by_its_gpus(site, world):
    rows = {r.rack: r for r in attribution.racks(site, world["period"], now=world["now"])}
    r2 = rows["R2"]
    assert r2.source == "gpu" and r2.kwh == pytest.approx(0.3 * HOURS)
    assert r2.gpu_share is None
    assert [r.rack for r in attribution.racks(site, world["period"], now=world["now"])] == [
        "R1",
        "R2",
    ]


def test_each_gpu_counter_maps_to_its_inventory_index(site, world):
    rows = attribution.gpus(site, world["period"], now=world["now"])
    got = {(g.device, g.index): g for g in rows}
    assert got[("gpu-1", 1)].gpu_id == world["gpus"][1].pk
    assert got[("gpu-1", 1)].kwh == pytest.approx(0.6 * HOURS)
    assert got[("gpu-1", 0)].kwh == pytest.approx(0.4 * HOURS)
    assert got[("gpu-2", 0)].rack_id == world["rack2"].pk
    assert rows[0].device == "gpu-1" and rows[0].index == 1  # most energy first
    assert all(g.coverage == pytest.approx(1.0) for g in rows)


def test_tenant_follows_the_allocation_in_force_at_each_hour(site, world):
    p, rack = world["period"], world["rack"]
    change = p.start + timedelta(hours=30, minutes=20)  # inside the second whole day
    first, second = Tenant.objects.create(name="First"), Tenant.objects.create(name="Second")
    Allocation.objects.create(
        tenant=first, rack=rack, start=p.start - timedelta(days=3), end=change
    )
    Allocation.objects.create(tenant=second, rack=rack, start=change)
    rows = {t.tenant: t for t in attribution.tenants(site, p, now=world["now"])}
    # The hour starting at +30 h began under First's allocation: First has 31 hours.
    assert rows["First"].held_hours == 31 and rows["Second"].held_hours == HOURS - 31
    assert rows["First"].kwh == pytest.approx(3.0 * 31)
    assert rows["Second"].kwh == pytest.approx(3.0 * (HOURS - 31))
    assert rows["First"].gpu_share == pytest.approx(1 / 3)
    assert rows["First"].coverage == pytest.approx(1.0)
    assert rows["Second"].cost == pytest.approx(3.0 * (HOURS - 31) * 0.25)


def test_tenant_device_and_gpu_holdings(site, world):
    p = world["period"]
    tenant = Tenant.objects.create(name="Holder")
    one_gpu = Tenant.objects.create(name="One GPU")
    Allocation.objects.create(tenant=tenant, device=world["server"], start=p.start)
    Allocation.objects.create(tenant=tenant, device=world["server2"], start=p.start)
    Allocation.objects.create(tenant=one_gpu, gpu=world["gpus"][1], start=p.start)
    rows = {t.tenant: t for t in attribution.tenants(site, p, now=world["now"])}
    # gpu-1 by its 1.5 kW inlet meter; gpu-2 has none: its GPU's 300 W.
    assert rows["Holder"].kwh == pytest.approx((1.5 + 0.3) * HOURS)
    assert rows["Holder"].gpu_kwh == pytest.approx((1.0 + 0.3) * HOURS)
    assert rows["Holder"].holdings == 2
    assert rows["One GPU"].kwh == pytest.approx(0.6 * HOURS)
    assert rows["One GPU"].gpu_share == pytest.approx(1.0)


def test_coverage_counts_hours_without_data(site, world):
    p = world["period"]
    longer = Period(p.start, p.end + timedelta(hours=3), "longer")
    now = longer.end + timedelta(minutes=30)
    r1 = next(r for r in attribution.racks(site, longer, now=now) if r.rack == "R1")
    covered_h = HOURS + 10 / 60  # the data runs ten minutes past the period
    assert r1.kwh == pytest.approx(3.0 * covered_h)
    assert r1.coverage == pytest.approx(covered_h / (HOURS + 3))


def test_an_open_period_counts_only_ended_hours(site, world):
    p = world["period"]
    now = p.start + timedelta(hours=10, minutes=15)
    r1 = next(r for r in attribution.racks(site, p, now=now) if r.rack == "R1")
    assert r1.kwh == pytest.approx(3.0 * 10)


def test_split_holds_every_hour_across_a_clock_change():
    # 25 October 2026: Berlin's day has 25 hours.
    lo = datetime(2026, 10, 24, 20, tzinfo=UTC)
    hi = datetime(2026, 10, 26, 7, tzinfo=UTC)
    r = split(Window(lo, hi), "Europe/Berlin")
    assert r.days == (date(2026, 10, 25), date(2026, 10, 26))
    edge_hours = sum((b - a) / timedelta(hours=1) for a, b in r.plus)
    assert edge_hours + 25 == (hi - lo) / timedelta(hours=1)


def test_one_attribution_reads_the_period_once_for_racks_and_tenants(site, world):
    p, rack = world["period"], world["rack"]
    tenant = Tenant.objects.create(name="Whole rack")
    Allocation.objects.create(tenant=tenant, rack=rack, start=p.start + timedelta(hours=7))
    Allocation.objects.create(tenant=tenant, gpu=world["gpus"][0], start=p.start)
    shared = attribution.Attribution(site, p, now=world["now"])
    assert shared.racks() == attribution.racks(site, p, now=world["now"])
    assert shared.tenants() == attribution.tenants(site, p, now=world["now"])
    assert shared.gpus() == attribution.gpus(site, p, now=world["now"])
    (row,) = shared.tenants()
    assert row.kwh == pytest.approx(3.0 * (HOURS - 7) + 0.4 * HOURS)
