"""Helpers for the known-answer tests: meters fed constant power or counters through the
store's public ingest, and the ledger rows they end up as."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dcim.energy.models import EnergyHour, Meter
from dcim.energy.tests.samples import every, write

WATTS = "meter_active_power_watts"
JOULES = "meter_energy_joules_total"
LITRES = "facility_water_liters_total"
TZ = "Europe/Berlin"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def approx(x: float):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


def power(
    meter: Meter,
    start: datetime,
    end: datetime,
    watts: float,
    *,
    step_s: float = 60.0,
    skip: tuple[tuple[datetime, datetime], ...] = (),
) -> None:
    """Constant ``watts`` read every ``step_s`` from ``start`` to ``end`` inclusive, with no
    sample strictly inside any ``skip`` window (a gap from its start to its end)."""
    points = [
        (t, v) for t, v in every(start, end, step_s, watts) if not any(a < t < b for a, b in skip)
    ]
    write(meter.device, meter.metric, "watts", points)


def series(meter: Meter) -> int:
    """The meter's store series, once the ledger has resolved it."""
    meter.refresh_from_db()
    assert meter.series_id is not None, f"{meter} has no series"
    return meter.series_id


def hour_row(meter: Meter, hour: datetime) -> EnergyHour | None:
    return EnergyHour.objects.filter(series_id=series(meter), hour=hour).first()
