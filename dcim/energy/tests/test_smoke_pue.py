"""End to end through the store: two meters, the ledger, one PUE."""

from datetime import UTC, datetime, timedelta

from dcim.energy.figures import compute
from dcim.energy.ledger import update_ledger
from dcim.energy.models import BoundaryHour, EnergyHour, MeterKind
from dcim.energy.periods import Period
from dcim.energy.tests.samples import every, write


def test_constant_power_gives_its_ratio(site, make_meter):
    fac = make_meter("F", MeterKind.UTILITY, "meter_active_power_watts")
    it = make_meter("IT", MeterKind.IT_UPS_OUTPUT, "meter_active_power_watts")
    start = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    end = start + timedelta(hours=3)
    since = start - timedelta(minutes=1)
    write(fac.device, "meter_active_power_watts", "watts", every(since, end, 60, 1300.0))
    write(it.device, "meter_active_power_watts", "watts", every(since, end, 60, 1000.0))
    now = end + timedelta(minutes=20)
    report = update_ledger(now=now)
    assert report.unresolved_meters == []
    it.refresh_from_db()
    assert EnergyHour.objects.filter(series_id=it.series_id).count() == 4
    assert BoundaryHour.objects.filter(site=site, room__isnull=True).count() >= 3
    f = compute(site, Period(start, end, "3 h"), now=now)
    assert f.category == "PUE1"
    assert f.covered_hours == 3 and f.coverage == 1.0
    assert abs(f.e_it_kwh - 3.0) < 1e-9 and abs(f.e_dc_kwh - 3.9) < 1e-9
    assert abs(f.pue - 1.3) < 1e-9 and f.label == "iPUE"
