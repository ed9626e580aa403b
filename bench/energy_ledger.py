"""Energy ledger and forecast benchmarks (parts of ``manage.py bench_energy``).

Ledger: a month of 60-second readings for ``meters`` meters (half energy counters, half
power) written through the store's ingest, then a full rebuild (``ledger.rebuild``) timed
against reading the same samples back (``store.samples``), the floor any rebuild pays.

Forecast: 35 days of hourly IT load from the demo's building model (jobs, day-night
inference, faults), the last 7 days held back; ``forecast.holdout_mape`` fits on the rest
and reports the error of its 168-hour forecast against them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
from django.test.utils import override_settings

from dcim.energy import forecast
from dcim.energy.ledger import rebuild
from dcim.energy.models import Meter, MeterKind
from dcim.inventory.models import Device, DeviceType, Manufacturer, Site
from telemetry import store
from telemetry.readings import Reading
from telemetry.store.db import clear_caches

STEP_S = 60
DAYS = 30


def _meters(n: int) -> list[Meter]:
    site = Site.objects.create(name="Bench energy", slug="bench-energy", timezone="Europe/Berlin")
    maker, _ = Manufacturer.objects.get_or_create(name="Bench meters", slug="bench-meters")
    dtype, _ = DeviceType.objects.get_or_create(
        manufacturer=maker, model="Ledger meter", slug="bench-ledger-meter"
    )
    meters = []
    for i in range(n):
        device = Device.objects.create(
            name=f"bench-meter-{i}", device_type=dtype, role="power_meter", site=site
        )
        counter = i % 2 == 0
        meters.append(
            Meter.objects.create(
                name=f"bench-meter-{i}",
                kind=MeterKind.IT_UPS_OUTPUT if i % 3 else MeterKind.UTILITY,
                site=site,
                device=device,
                metric="meter_active_energy_joules_total"
                if counter
                else "meter_active_power_watts",
                counter_bits=64 if counter else None,
            )
        )
    return meters


def _write(meters: list[Meter], end: datetime) -> int:
    """A month of readings per meter, a day per ingest batch."""
    start = end - timedelta(days=DAYS)
    n = DAYS * 86400 // STEP_S
    t = np.arange(n) * STEP_S
    written = 0
    for m in meters:
        power = 50_000 + 10_000 * np.sin(t / 86400 * 2 * np.pi + m.pk)
        energy = 1e12 + np.cumsum(power * STEP_S)
        values = energy if m.metric.endswith("_total") else power
        unit = "joules" if m.metric.endswith("_total") else "watts"
        for day in range(DAYS):
            batch = store.Batch(batch_id=f"bench-energy-{m.pk}-{day}")
            lo, hi = day * 86400 // STEP_S, (day + 1) * 86400 // STEP_S
            for k in range(lo, hi):
                ts = start + timedelta(seconds=int(t[k]))
                batch.add_readings(m.device_id, [Reading(m.metric, float(values[k]), unit)], ts)
            store.ingest(batch)
            written += hi - lo
    return written


def ledger(meters: int = 20, log: Callable[[str], None] = print) -> dict:
    """Full-rebuild time per meter-month, with the sample read-back as baseline."""
    clear_caches()
    with override_settings(TELEMETRY_STORE={"raw_retention": None}):
        rows = _meters(meters)
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        t0 = time.perf_counter()
        written = _write(rows, end)
        log(f"ledger: {written:,} readings written in {time.perf_counter() - t0:.1f} s")
        ids = [
            s["id"] for m in rows for s in store.find_series(device_id=m.device_id, metric=m.metric)
        ]
        t0 = time.perf_counter()
        for sid in ids:
            store.samples(sid, end - timedelta(days=DAYS + 1), end, counter=True)
        read_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = rebuild(ids)
        rebuild_s = time.perf_counter() - t0
    per = rebuild_s / (len(ids) * DAYS / 30)
    log(f"ledger: rebuild {rebuild_s:.2f} s for {len(ids)} meters ({report.hours:,} hours)")
    return {
        "ledger_meters": len(ids),
        "ledger_readings": written,
        "ledger_rebuild_s": round(rebuild_s, 3),
        "ledger_s_per_meter_month": round(per, 4),
        "ledger_read_baseline_s_per_meter_month": round(read_s / len(ids), 4),
        "ledger_ratio_to_read": round(rebuild_s / read_s, 2),
    }


def demo_it_load(days: int = 35, log: Callable[[str], None] = print) -> tuple:
    """Hourly mean IT load (kW) of the demo building over ``days`` up to now: 4 samples an
    hour of the whole building (about 30 ms each)."""
    from demo.building_plan import build  # tooling: the bench may use the demo
    from telemetry.simulators.building.model import Building

    model = Building(build())
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hours = days * 24
    t = np.array([end - timedelta(hours=hours - i) for i in range(hours)], dtype="datetime64[s]")
    kw = np.empty(hours)
    for i in range(hours):
        h0 = (end - timedelta(hours=hours - i)).timestamp()
        kw[i] = np.mean([model.at(h0 + q * 900 + 450).site.it_total_w for q in range(4)]) / 1e3
        if i % 168 == 0:
            log(f"forecast: demo history {i}/{hours} hours")
    return t, kw


def forecast_quality(log: Callable[[str], None] = print) -> dict:
    """Hold back the last 7 days of demo IT load; MAPE of the 7-day forecast against them."""
    t, kw = demo_it_load(log=log)
    t0 = time.perf_counter()
    mape = forecast.holdout_mape(t, kw, 168)
    fit_s = time.perf_counter() - t0
    naive = forecast.mape(kw[-168:], kw[-336:-168])  # baseline: last week repeated
    fc = forecast.forecast_load(t[:-168], kw[:-168], 168)
    inside = float(np.mean((kw[-168:] >= fc.lower) & (kw[-168:] <= fc.upper))) if fc else None
    return {
        "forecast_history_hours": len(t) - 168,
        "forecast_mape": None if mape is None else round(mape, 2),
        "forecast_naive_last_week_mape": round(naive, 2),
        "forecast_band_hit_rate": None if inside is None else round(inside, 3),
        "forecast_fit_s": round(fit_s, 3),
        "forecast_model": fc.model if fc else "",
    }
