"""PUE and energy per local day: the trend behind a period's figure.

A day's PUE follows the rules of ``figures.compute`` for that day: E_DC and E_IT over the
same hours, an hour counted only when every meter of the facility sum (and of on-site
generation, where there is any) and of the IT sum covered it, withheld below the minimum
coverage. One difference, on purpose: every day uses the one IT category given (the
period's), so the line never changes what it measures from one day to the next; where a
day's own best category is that one, its value equals ``compute`` for the day.

All days come from one read of the boundary's ledger hours (a month is 720 rows), never
from raw samples, so the page can draw them on every refresh.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from dcim.energy.figures import COVERED_HOUR, IT_FIELD, min_coverage
from dcim.energy.models import BoundaryHour, Category
from dcim.energy.periods import Period
from dcim.inventory.models import Room, Site

HOUR = timedelta(hours=1)
SUMS = ("facility", "renewable", "cooling", "other", "it_ups", "it_pdu", "it_input")


@dataclass
class Day:
    """One local day of a boundary: its PUE (or why none) and its energy by kind, kWh,
    over the hours the PUE counts (so IT + cooling + other + losses = E_DC)."""

    day: date
    elapsed_hours: int
    covered_hours: int = 0
    coverage: float = 0.0
    pue: float | None = None
    withheld: str = ""
    e_dc_kwh: float | None = None
    it_kwh: float | None = None
    cooling_kwh: float | None = None
    other_kwh: float | None = None
    losses_kwh: float | None = None  # E_DC − IT − cooling − other: delivery losses, unmetered
    renewable_kwh: float | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["day"] = self.day.isoformat()
        return d


def daily(
    site: Site,
    period: Period,
    room: Room | None = None,
    *,
    category: str | None = None,
    now: datetime | None = None,
) -> list[Day]:
    """Every local day of ``period`` (site time) with its PUE over ``category``'s IT sum
    (default: the best category that reports in the period). An open period counts only
    its ended hours, as ``compute`` does; a day with none of them is left out."""
    now = now or datetime.now(UTC)
    end = min(period.end, now.astimezone(UTC).replace(minute=0, second=0, microsecond=0))
    zone = ZoneInfo(site.timezone)
    hours, cols = _read(site, room, period.start, max(end, period.start))
    it = IT_FIELD.get(Category(category)) if category else _best_present(cols)
    days = _local_days(period.start, end, zone)
    day_of = np.array([h.astimezone(zone).date() for h in hours], dtype=object)
    out = []
    for d, elapsed in days:
        pick = day_of == d
        out.append(_day(d, elapsed, {k: v[pick] for k, v in cols.items()}, it))
    return out


def _read(site: Site, room: Room | None, start: datetime, end: datetime):
    qs = BoundaryHour.objects.filter(site=site, hour__gte=start, hour__lt=end)
    qs = qs.filter(room=room) if room else qs.filter(room__isnull=True)
    names = [f"{s}_kwh" for s in SUMS] + [f"{s}_cov" for s in SUMS]
    rows = list(qs.order_by("hour").values_list("hour", *names))
    hours = [r[0] for r in rows]
    values = np.array([r[1:] for r in rows], dtype=float).reshape(len(rows), len(names))
    return hours, {n: values[:, i] for i, n in enumerate(names)}


def _local_days(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[date, int]]:
    """(local day, its hours in [start, end)) in order; 23 or 25 on days clocks change."""
    counts: dict[date, int] = {}
    t = start
    while t < end:
        d = t.astimezone(zone).date()
        counts[d] = counts.get(d, 0) + 1
        t += HOUR
    return list(counts.items())


def _present(cols: dict, name: str) -> bool:
    return bool((~np.isnan(cols[f"{name}_cov"])).any())


def _covered(cols: dict, name: str) -> np.ndarray:
    c = cols[f"{name}_cov"]
    return ~np.isnan(c) & (np.nan_to_num(c) >= COVERED_HOUR)


def _best_present(cols: dict) -> str | None:
    return next((f for f in IT_FIELD.values() if _present(cols, f)), None)


def _day(d: date, elapsed: int, cols: dict, it: str | None) -> Day:
    day = Day(day=d, elapsed_hours=elapsed)
    if not len(cols["facility_cov"]):
        day.withheld = "No ledger hour on this day: no meter had reported yet."
        return day
    if it is None or not _present(cols, it):
        day.withheld = "No IT meter reports on this day."
        return day
    if not _present(cols, "facility"):
        day.withheld = "No facility meter reports on this day."
        return day
    mask = _covered(cols, it) & _covered(cols, "facility")
    supply = cols["facility_kwh"].copy()
    if _present(cols, "renewable"):
        mask &= _covered(cols, "renewable")
        supply += np.nan_to_num(cols["renewable_kwh"])
    day.covered_hours = int(mask.sum())
    day.coverage = day.covered_hours / elapsed
    if day.covered_hours:
        day.it_kwh = float(cols[f"{it}_kwh"][mask].sum())
        day.e_dc_kwh = float(np.nan_to_num(supply[mask]).sum())
        for name in ("cooling", "other", "renewable"):
            total = float(np.nan_to_num(cols[f"{name}_kwh"][mask]).sum())
            setattr(day, f"{name}_kwh", total if _present(cols, name) else None)
        day.losses_kwh = day.e_dc_kwh - day.it_kwh - (day.cooling_kwh or 0) - (day.other_kwh or 0)
        if day.it_kwh > 0:
            day.pue = day.e_dc_kwh / day.it_kwh
    if day.coverage < min_coverage():
        day.withheld = (
            f"Coverage {day.coverage:.0%} is below {min_coverage():.0%}: "
            f"{day.covered_hours} of {elapsed} hours were covered by every meter."
        )
        day.pue = None
    return day
