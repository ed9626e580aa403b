"""The ledger's periodic task: found by the Celery app, scheduled by beat every 5 minutes,
and a run brings the ledger up to now (once at a time)."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from dcim.energy import tasks
from dcim.energy.models import EnergyHour, LedgerState, MeterKind
from dcim.energy.tests.samples import every, write

pytestmark = pytest.mark.django_db
POWER = "meter_active_power_watts"


def test_the_celery_app_discovers_the_task():
    """In a fresh process, as a worker starts: nothing imported energy's tasks but the
    app's autodiscovery."""
    code = (
        "import django; django.setup(); from dcim.celery import app; "
        "app.loader.import_default_modules(); print(app.tasks['energy.update_ledger'].name)"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "energy.update_ledger"


def test_beat_runs_it_every_five_minutes():
    entry = PeriodicTask.objects.get(task="energy.update_ledger")
    assert entry.enabled
    assert (entry.interval.every, entry.interval.period) == (5, "minutes")
    assert entry.expire_seconds == 300


def test_the_task_updates_the_ledger_up_to_now(site, make_meter):
    hi = timezone.now().replace(minute=0, second=0, microsecond=0)
    meter = make_meter("UTIL-A", MeterKind.UTILITY, POWER)
    write(meter.device, POWER, "watts", every(hi - timedelta(hours=2), hi, 60, 3000.0))

    result = tasks.update_ledger.apply().get()

    meter.refresh_from_db()
    assert meter.series_id is not None
    hours = EnergyHour.objects.filter(series_id=meter.series_id, hour__lt=hi)
    assert [h.quantity for h in hours.order_by("hour")] == pytest.approx([3.0, 3.0])
    assert LedgerState.objects.get(series_id=meter.series_id).complete_until == hi
    assert result["series"] == 1 and result["unresolved_meters"] == []
    assert result["coverage_readings"] == 1  # the alerting step ran after the ledger


def test_a_run_is_skipped_while_another_holds_the_lock(site, make_meter):
    meter = make_meter("UTIL-A", MeterKind.UTILITY, POWER)
    other = connections.create_connection("default")  # another worker's session
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [tasks.LEDGER_LOCK_KEY])
            assert tasks.run() == {"skipped": True}
            cur.execute("SELECT pg_advisory_unlock(%s)", [tasks.LEDGER_LOCK_KEY])
    finally:
        other.close()
    assert tasks.run()["unresolved_meters"] == [meter.name]  # free again: it runs
