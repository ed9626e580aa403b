"""Meter history for the demo, as if exported from the site's BMS: ``days`` of 15-minute
readings of every metered point, computed by the building model, through the store's
public backfill (the same path as ``manage.py import_readings``).

Without it a new demo has no complete hour of energy, so no PUE, no trend and nothing to
forecast for its first hour. Counters are integrated here (trapezoid over each step) from
the base the live simulator also starts at, so where history meets live polling the
counter steps back once: a reset, which the ledger drops, never a jump counted as energy.

Written once: a metered series that already holds history older than a day is left alone.
The hourly faults are left out of the history (they would alias with the 15-minute
steps); they happen live. About 30 ms of model per step: 30 days (2,880 steps) take ~90 s,
so ``make run`` queues it on the worker (``demo.tasks.backfill_energy``).
Through ``store.backfill``: what is older than raw retention goes into the rollups.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from dcim.energy.ledger import mark_dirty, resolve_meters
from dcim.energy.models import Meter
from demo.building_plan import build
from telemetry import store
from telemetry.readings import Reading
from telemetry.simulators.building.model import Building

STEP_S = 900
CHUNK = 48  # steps per ingest batch (12 hours)
POWER, ENERGY = "meter_active_power_watts", "meter_active_energy_joules_total"
FLOW, VOLUME = "water_flow_liters_per_second", "water_volume_liters_total"


def has_history() -> bool:
    """Whether the utility meter already has readings older than a day."""
    m = Meter.objects.filter(name="MTR-UTILITY", series_id__isnull=False).first()
    if m is None:
        found = store.find_series(metric=ENERGY)
        ids = [s["id"] for s in found]
    else:
        ids = [m.series_id]
    cutoff = timezone.now() - timedelta(days=1)
    return any(
        len(store.samples(i, cutoff - timedelta(days=2), cutoff, counter=True)[0]) for i in ids
    )


def backfill(days: int, log: Callable[[str], None] = lambda line: None) -> int:
    """Write ``days`` of history up to now; returns the number of values written."""
    if days <= 0 or has_history():
        return 0
    resolve_meters()
    meters = list(Meter.objects.select_related("device").filter(enabled=True))
    if not meters:
        return 0
    live_from = _live_from(meters)
    # Without the hourly faults: 15-minute samples would hit a 150 s UPS transfer at the
    # same offset every hour and count it for the whole step (aliasing, PUE 1.07 not 1.2).
    model = Building(dataclasses.replace(build(), faults=False))
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    # On the hour, so that each batch (12 h) holds whole hours, as store.backfill asks.
    start = (end - timedelta(days=days)).replace(minute=0)
    steps = int((end - start).total_seconds() // STEP_S)
    counters: dict[str, float] = {}
    previous: dict[str, float] = {}
    written = 0
    for first in range(0, steps + 1, CHUNK):
        batch = store.Batch(batch_id=f"demo-energy-history-{start:%Y%m%d%H%M}-{first}")
        for k in range(first, min(first + CHUNK, steps + 1)):
            ts = start + timedelta(seconds=k * STEP_S)
            snap = model.at(ts.timestamp())
            for m in meters:
                if ts >= live_from.get(m.pk, end + timedelta(days=1)):
                    continue  # polling has begun: history never interleaves with it
                readings = _readings(m, snap, counters, previous)
                if readings:
                    batch.add_readings(m.device_id, readings, ts)
                    written += len(readings)
        store.backfill(batch)  # older than raw retention: into the rollups
        log(f"energy history: {min(first + CHUNK, steps + 1)}/{steps + 1} steps")
    # Older than the ledger's watermark if a ledger run came first: have it recomputed.
    resolve_meters()
    ids = list(Meter.objects.filter(series_id__isnull=False).values_list("series_id", flat=True))
    mark_dirty(ids, start)
    return written


def _live_from(meters: list[Meter]) -> dict[int, datetime]:
    """Each meter's first polled reading of the last hour (the worker may start polling
    while this runs)."""
    now = timezone.now()
    out = {}
    for m in meters:
        if m.series_id is None:
            continue
        ts, _, _ = store.samples(m.series_id, now - timedelta(hours=1), now, counter=True)
        if len(ts):
            out[m.pk] = ts[0].astype("datetime64[us]").astype(datetime).replace(tzinfo=UTC)
    return out


def _readings(m: Meter, snap, counters: dict, previous: dict) -> list[Reading]:
    """The meter's rate reading and its counter, the counter integrated over the step."""
    if m.metric == "pdu_energy_joules_total":
        key = f"pdu/{m.device.name}"
        if f"{key}/power_w" not in snap.values:
            return []
        rate, base = snap.values[f"{key}/power_w"], snap.values.get(f"{key}/energy_wh", 0) * 3600
        out = [Reading("pdu_power_watts", rate, "watts", m.component)]
        unit = "joules"
    elif m.metric == "cdu_power_watts":
        value = snap.cooling.get(m.device.name, {}).get("cdu_power_watts")
        return [] if value is None else [Reading("cdu_power_watts", value, "watts")]
    else:
        values = snap.meters.get(m.device.name, {})
        rate_name = FLOW if m.metric == VOLUME else POWER
        if rate_name not in values:
            return []
        rate, base = values[rate_name], values.get(m.metric, 0.0)
        unit = "liters" if m.metric == VOLUME else "joules"
        rate_unit = "liters_per_second" if m.metric == VOLUME else "watts"
        out = [Reading(rate_name, rate, rate_unit)]
    name = m.name
    if name not in counters:
        counters[name] = base  # where the live simulator's counter also starts
    else:
        counters[name] += (previous[name] + rate) / 2 * STEP_S
    previous[name] = rate
    out.append(Reading(m.metric, round(counters[name]), unit, m.component))
    return out
