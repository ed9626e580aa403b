"""Late samples from an agent that was cut off: the store's rollup job announces them
(``telemetry.signals.late_data``) and the next ledger run recomputes their hours, though
they are older than the hour the ledger re-reads on every run."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.energy.ledger import update_ledger
from dcim.energy.models import EnergyHour, LedgerState, MeterKind
from dcim.energy.tests.samples import every, write
from telemetry import store

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def test_late_samples_recompute_their_ledger_hour(make_meter):
    power = "meter_active_power_watts"
    meter = make_meter("IT", MeterKind.IT_UPS_OUTPUT, power)
    t0 = (timezone.now() - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    # 3.6 kW for four hours, the second one missing (the agent buffered it).
    write(
        meter.device,
        "meter_active_power_watts",
        "watts",
        every(t0, t0 + timedelta(hours=1), 60, 3600.0),
    )
    write(meter.device, "meter_active_power_watts", "watts",
          every(t0 + timedelta(hours=2), t0 + timedelta(hours=4), 60, 3600.0))  # fmt: skip
    now = t0 + timedelta(hours=4, minutes=20)
    store.run_rollups(now=now)  # the job's watermark passes the missing hour
    update_ledger(now=now)
    meter.refresh_from_db()
    second = t0 + timedelta(hours=1)
    hour = EnergyHour.objects.filter(series_id=meter.series_id, hour=second).first()
    assert hour is None or hour.covered_s == 0

    # The buffered hour arrives; the job rolls it and says so; the ledger recomputes it.
    late = every(second + timedelta(minutes=1), second + timedelta(minutes=59), 60, 3600.0)
    write(meter.device, power, "watts", late)
    store.run_rollups(now=now + timedelta(minutes=5))
    assert LedgerState.objects.get(series_id=meter.series_id).dirty_from == second
    update_ledger(now=now + timedelta(minutes=5))
    hour = EnergyHour.objects.get(series_id=meter.series_id, hour=second)
    assert hour.covered_s == 3600.0
    assert hour.quantity == pytest.approx(3.6)
