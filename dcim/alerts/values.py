"""An alert's value and times as people read them, on pages and in notices alike.

The value an alert keeps is the number its rule judged: a reading in its metric's base
unit or code (``if_oper_status`` 2, ``ups_battery_runtime_seconds`` 840), a counter's
increase or rate, or a collector's failures in a row. Shown raw it says "2.00" for a port
that is down; here it goes through the formatter every page uses (``dcim.ui.units``), so
the alert says "down", "14 min" or "7.5 kW", as the device page does.

Times are shown in the site's zone with the zone named ("2026-03-02 10:00:00 CET").
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dcim.alerts.models import Condition, Source
from dcim.ui import units
from dcim.ui.json_twin import fleet_tz
from telemetry.collectors.catalog import describe


def value_text(value: float | None, source: str, metric: str, condition: str) -> str:
    """The value as the rule judged it, in words and units: "down", "14 min", "3.2/s"."""
    if value is None:
        return ""
    if source == Source.COLLECTOR:
        return f"{value:.0f} failed polls" if value != 1 else "1 failed poll"
    if condition == Condition.ABSENT:
        return "no data"
    unit = _unit(metric)
    if condition == Condition.RATE_GT:
        return units.text(value, units.rate_unit(unit))
    if condition == Condition.INCREASE:
        return "+" + units.text(value, unit)
    return units.text(value, unit, metric)


def value_raw(value: float | None, source: str, metric: str) -> str:
    """The stored number, for a hover title."""
    if value is None:
        return ""
    return units.raw(value, "" if source == Source.COLLECTOR else _unit(metric))


def _unit(metric: str) -> str:
    known = describe(metric)
    return known.unit if known else ""


def site_zone(name: str | None) -> ZoneInfo:
    """A site's zone by name; the fleet's for none (an alert with no device), UTC for a
    name this machine's zone data lacks."""
    return _zone(name) if name else fleet_tz()


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(ts: datetime | None, zone: ZoneInfo, seconds: bool = True) -> str:
    """ "2026-03-02 10:00:00 CET": a time in ``zone``, the zone named; "" for none."""
    if ts is None:
        return ""
    at = ts.astimezone(zone)
    return f"{at:%Y-%m-%d %H:%M:%S %Z}" if seconds else f"{at:%Y-%m-%d %H:%M %Z}"
