"""``manage.py import_readings``: a BMS export into the store, all or nothing, idempotent."""

from datetime import UTC, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dcim.energy.importing import ImportRefused, import_readings
from dcim.energy.ledger import GPU_ENERGY
from dcim.energy.models import EnergyDay, EnergyHour, LedgerState, Meter, MeterKind
from dcim.inventory.tests.factories import make_device
from telemetry import store
from telemetry.readings import Reading

ENERGY = "meter_energy_joules_total"
HEADER = "device,metric,component,time,value,unit\n"


@pytest.fixture
def day(site):
    return (timezone.now() - timedelta(days=2)).astimezone(ZoneInfo(site.timezone)).date()


@pytest.fixture
def meter(site):
    device = make_device(site=site, name="main-incomer")
    return Meter.objects.create(
        name="Incomer", kind=MeterKind.UTILITY, site=site, device=device, metric=ENERGY
    )


def _csv(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "readings.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def _register(day, hours: int = 3) -> str:
    """The incomer's kWh register every 15 minutes, naive site time: 100 kWh an hour."""
    lines = []
    for i in range(hours * 4 + 1):
        t = datetime.combine(day, time(6)) + timedelta(minutes=15 * i)
        lines.append(f"main-incomer,{ENERGY},,{t:%Y-%m-%dT%H:%M:%S},{1000 + 25 * i},kWh\n")
    return "".join(lines)


def _stored(series_id: int) -> tuple[np.ndarray, np.ndarray]:
    ts, v, _ = store.samples(
        series_id, timezone.now() - timedelta(days=13), timezone.now(), counter=True
    )
    return ts, v


def test_import_stores_the_rows_and_marks_the_ledger(site, meter, day, tmp_path):
    out = StringIO()
    call_command("import_readings", str(_csv(tmp_path, _register(day))), stdout=out)
    assert "13 rows, 1 series" in out.getvalue() and "13 values stored" in out.getvalue()
    (series,) = store.find_series(device_id=meter.device_id, metric=ENERGY)
    assert series["unit"] == "joules"
    ts, v = _stored(series["id"])
    first = datetime.combine(day, time(6), ZoneInfo(site.timezone)).astimezone(UTC)
    assert ts[0] == np.datetime64(first.replace(tzinfo=None), "us")  # naive = site time
    assert v[0] == 1000 * 3.6e6 and v[-1] == 1300 * 3.6e6  # kWh → joules
    state = LedgerState.objects.get(series_id=series["id"])
    assert state.dirty_from == first


def test_importing_twice_stores_nothing_new(site, meter, day, tmp_path):
    path = _csv(tmp_path, _register(day))
    first = import_readings(path)
    (series,) = store.find_series(device_id=meter.device_id, metric=ENERGY)
    before = _stored(series["id"])
    again = import_readings(path)
    after = _stored(series["id"])
    assert first.stored == 13 and again.stored == 0 and again.already_stored == 13
    assert again.batch_id == first.batch_id
    assert np.array_equal(before[0], after[0]) and np.array_equal(before[1], after[1])
    assert len(store.find_series(device_id=meter.device_id, metric=ENERGY)) == 1


def test_update_ledger_computes_the_hours(site, meter, day, tmp_path):
    summary = import_readings(_csv(tmp_path, _register(day)), update_ledger=True)
    assert summary.ledger_updated
    hours = EnergyHour.objects.filter(series_id=summary.ledger_series[0]).order_by("hour")
    assert [round(h.quantity, 6) for h in hours] == [100.0, 100.0, 100.0]


def test_a_bad_row_writes_nothing_and_is_named(site, meter, day, tmp_path):
    good = _register(day, hours=1).splitlines(keepends=True)
    body = "".join(good[:2])  # rows 2 and 3
    body += f"no-such-pdu,{ENERGY},,{day}T06:30:00,1050,kWh\n"  # row 4
    body += f"main-incomer,{ENERGY},,{day}T06:45:00,lots,kWh\n"  # row 5
    body += f"main-incomer,{ENERGY},,yesterday,1080,kWh\n"  # row 6
    body += f"main-incomer,{ENERGY},,{day}T06:15:00,1026,kWh\n"  # row 7: row 3 said 1025
    body += f"main-incomer,{ENERGY},,{day}T07:00:00,1100,furlongs\n"  # row 8
    body += f"main-incomer,{ENERGY},,{day}T07:15:00,1125,kW\n"  # row 9
    with pytest.raises(CommandError) as exc:
        call_command("import_readings", str(_csv(tmp_path, body)), stdout=StringIO())
    message = str(exc.value)
    assert "Nothing was imported" in message
    assert "row 4: unknown device 'no-such-pdu'" in message
    assert "row 5: value 'lots' is not a number" in message
    assert "row 6: time is not ISO 8601" in message
    assert "row 7: the same device, metric, component and time as row 3" in message
    assert "row 8: unknown unit 'furlongs'" in message
    assert "row 9: unit 'kW' does not fit" in message
    assert store.find_series(metric=ENERGY) == []
    assert not LedgerState.objects.exists()


def test_header_is_required(site, meter, day, tmp_path):
    with pytest.raises(ImportRefused, match="missing column"):
        import_readings(_csv(tmp_path, _register(day), header=""))


def test_a_time_ahead_of_the_store_clock_is_refused_by_row(site, meter, day, tmp_path):
    ahead = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    body = _register(day, hours=1) + f"main-incomer,{ENERGY},,{ahead},900,kWh\n"
    with pytest.raises(ImportRefused) as exc:
        import_readings(_csv(tmp_path, body))
    assert exc.value.problems == [("time later than now", [7], 1)]
    assert store.find_series(metric=ENERGY) == []


def _history(days: int = 60, ending_days_ago: int = 30) -> tuple[str, datetime]:
    """The incomer's kWh register every 15 minutes (UTC) for ``days`` days ending
    ``ending_days_ago`` days ago, far older than raw retention: 100 kWh an hour."""
    end = (timezone.now() - timedelta(days=ending_days_ago)).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 15)
    start = end - timedelta(days=days)
    lines = []
    for i in range(days * 96 + 1):
        t = (start + timedelta(minutes=15 * i)).astimezone(UTC)
        lines.append(f"main-incomer,{ENERGY},,{t.isoformat()},{1000 + 25 * i},kWh\n")
    return "".join(lines), start


def _ledger(series_id: int) -> tuple[list, list]:
    hours = EnergyHour.objects.filter(series_id=series_id).order_by("hour")
    days = EnergyDay.objects.filter(series_id=series_id).order_by("day")
    return (
        [(h.hour, round(h.quantity, 9), h.covered_s) for h in hours],
        [(d.day, round(d.quantity, 9), d.covered_s) for d in days],
    )


def test_history_older_than_raw_retention_fills_the_ledger(site, meter, tmp_path):
    """60 days of a BMS's 15-minute register, ending 30 days ago: kept as 5-minute
    rollups (no raw row), and the ledger's hours and days are the hand values."""
    body, start = _history()
    summary = import_readings(_csv(tmp_path, body), update_ledger=True)
    assert summary.rows == summary.stored == 60 * 96 + 1 and summary.ledger_updated
    (series,) = store.find_series(device_id=meter.device_id, metric=ENERGY)
    ts, _, res = store.samples(series["id"], start, start + timedelta(days=1), counter=True)
    assert res == "5m" and len(ts) == 96  # one per 15 minutes: each sample its own bucket
    zone = ZoneInfo(site.timezone)
    day = (start + timedelta(days=15)).astimezone(zone).date()
    lo = datetime.combine(day, time(0), zone)
    hi = datetime.combine(day + timedelta(days=1), time(0), zone)
    hours_in_day = round((hi - lo).total_seconds() / 3600)  # 23 or 25 at a clock change
    hours = EnergyHour.objects.filter(series_id=series["id"], hour__gte=lo, hour__lt=hi)
    assert [round(h.quantity, 6) for h in hours] == [100.0] * hours_in_day  # 25 kWh / 15 min
    assert all(h.covered_s == 3600 for h in hours)
    ledger_day = EnergyDay.objects.get(series_id=series["id"], day=day)
    assert round(ledger_day.quantity, 6) == 100.0 * hours_in_day


def test_importing_history_twice_changes_nothing(site, meter, tmp_path):
    body, _ = _history(days=3)
    path = _csv(tmp_path, body)
    first = import_readings(path, update_ledger=True)
    (series,) = store.find_series(device_id=meter.device_id, metric=ENERGY)
    before = _ledger(series["id"])
    again = import_readings(path, update_ledger=True)
    assert first.stored == 3 * 96 + 1 and again.stored == 0
    assert again.already_stored == 3 * 96 + 1
    assert _ledger(series["id"]) == before and before[0]
    assert sum(q for _, q, _ in before[0]) == pytest.approx(3 * 24 * 100.0)


def test_a_local_time_that_happens_twice_needs_an_offset(site, meter, tmp_path):
    body = f"main-incomer,{ENERGY},,2026-10-25T02:30:00,1000,kWh\n"
    with pytest.raises(ImportRefused, match="row 2: local time happens twice"):
        import_readings(_csv(tmp_path, body))


def test_unit_follows_the_metric_name_without_a_unit_column(site, day, tmp_path):
    make_device(site=site, name="crah-1")
    body = f"crah-1,crah_fan_power_watts,fan:1,{day}T06:00:00+01:00,1500\n"
    summary = import_readings(_csv(tmp_path, body, header="device,metric,component,time,value\n"))
    (series,) = store.find_series(metric="crah_fan_power_watts")
    assert series["unit"] == "watts" and series["component"] == "fan:1"
    assert summary.ledger_series == []  # no meter reads it: nothing for the ledger


def test_backfill_extends_the_collectors_series(site, day, tmp_path):
    """An NVML series carries labels; imported rows join it instead of starting another
    series that attribution would count twice."""
    host = make_device(site=site, name="gpu-host")
    batch = store.Batch(batch_id="live")
    labels = {"uuid": "GPU-abc"}
    reading = Reading(GPU_ENERGY, 5e9, "joules", "gpu0", labels)
    batch.add_readings(host.pk, [reading], timezone.now() - timedelta(minutes=1))
    store.ingest(batch)
    body = f"gpu-host,{GPU_ENERGY},gpu0,{day}T06:00:00Z,4e9,\n"
    summary = import_readings(_csv(tmp_path, body))
    (series,) = store.find_series(metric=GPU_ENERGY)
    assert series["labels"] == labels
    assert summary.ledger_series == [series["id"]]
