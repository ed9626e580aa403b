"""How the HA pages say figures: one place, so the page, its JSON twin and the group page
word a figure the same way."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dcim.availability.figures import Availability
from dcim.ui.tables import cell

DASH = "—"


def duration(d: timedelta | None) -> str:
    if d is None:
        return DASH
    s = int(round(d.total_seconds()))
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    if s < 3 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def duration_cell(d: timedelta | None) -> dict:
    return cell(duration(d), sort=-1 if d is None else d.total_seconds(), num=True)


def percent(a: float | None, digits: int = 3) -> dict:
    if a is None:
        return cell(None, sort=-1, num=True)
    return cell(f"{100 * a:.{digits}f} %", sort=round(a, 9), num=True)


def nines(n: float | None, availability: float | None) -> dict:
    if availability is None:
        return cell(None, sort=-1, num=True)
    if n is None:
        return cell("no outage", sort=99, num=True)
    return cell(f"{n:.2f}", sort=round(n, 6), num=True)


def share(met: int, known: int) -> dict:
    if not known:
        return cell("no data", sort=-1, num=True)
    return cell(f"{met} of {known} ({100 * met / known:.0f} %)", sort=met / known, num=True)


def local(ts: datetime | None, tz: ZoneInfo) -> str:
    return DASH if ts is None else f"{ts.astimezone(tz):%Y-%m-%d %H:%M %Z}"


def availability_cells(a: Availability) -> list[dict]:
    """Availability, without planned maintenance, nines, outages, outage time, MTTR, MTBF,
    events, within RTO, within RPO."""
    return [
        percent(a.all.availability),
        percent(a.unplanned.availability),
        nines(a.all.nines, a.all.availability),
        cell(a.all.outages, sort=a.all.outages, num=True),
        duration_cell(a.all.outage),
        duration_cell(a.all.mttr),
        duration_cell(a.all.mtbf),
        cell(a.events, sort=a.events, num=True),
        share(a.rto_met, a.rto_known),
        share(a.rpo_met, a.rpo_known),
    ]


AVAILABILITY_COLUMNS = (
    "Availability|n,Without planned maintenance|n,Nines|n,Outages|n,Outage time|n,MTTR|n,"
    "MTBF|n,Failovers|n,Within RTO|n,Within RPO|n"
)
