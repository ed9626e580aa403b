"""PUE and its family for a boundary and a period, each with its category and coverage.

REFERENCE.md "Energy and PUE": PUE = E_DC / E_IT, both energy over the same period; the
category says where E_IT is metered; coverage is stated with every figure. Here an hour
enters PUE only when every meter of the facility sum and of the IT sum covered it
(``COVERED_HOUR``), so E_DC and E_IT are always over the same hours, and coverage =
those hours / the period's elapsed hours. Below ``min_coverage`` the figure is withheld
and says why instead of showing a confident number.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings

from dcim.energy import rates
from dcim.energy.models import BoundaryHour, Category, RenewableCertificate
from dcim.energy.periods import Period
from dcim.inventory.models import Room, Site

HOUR = timedelta(hours=1)
COVERED_HOUR = 0.99  # of the hour, by every meter of a sum (one lost sample is bridged)
IT_FIELD = {Category.PUE3: "it_input", Category.PUE2: "it_pdu", Category.PUE1: "it_ups"}
SUMS = ("facility", "it_ups", "it_pdu", "it_input", "cooling", "other", "renewable", "water")
YEAR = timedelta(days=365)


def min_coverage() -> float:
    return float(getattr(settings, "ENERGY_MIN_COVERAGE", 0.8))


@dataclass
class Figures:
    """Everything the page, the command and the reports state for one boundary and period."""

    site: str
    boundary: str  # "site" or the room's name
    tz: str
    start: datetime
    end: datetime
    label: str  # PUE, iPUE or pPUE
    category: str | None = None
    category_words: str = ""
    elapsed_hours: int = 0
    covered_hours: int = 0
    coverage: float = 0.0
    withheld: str = ""  # why no confident number is shown
    e_dc_kwh: float | None = None
    e_it_kwh: float | None = None
    pue: float | None = None
    dcie_percent: float | None = None
    cue_kg_per_kwh: float | None = None
    wue_l_per_kwh: float | None = None
    wue_coverage: float = 0.0
    ref: float | None = None
    renewable_kwh: float | None = None
    certificates_kwh: float = 0.0
    cost: float | None = None
    currency: str | None = None
    cost_coverage: float = 0.0
    energy_by_kind: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        return d


def _rows(site: Site, room: Room | None, start: datetime, end: datetime) -> dict:
    qs = BoundaryHour.objects.filter(site=site, hour__gte=start, hour__lt=end)
    qs = qs.filter(room=room) if room else qs.filter(room__isnull=True)
    names = ["hour"] + [f"{s}_{'l' if s == 'water' else 'kwh'}" for s in SUMS]
    names += [f"{s}_cov" for s in SUMS]
    rows = list(qs.order_by("hour").values_list(*names))
    cols = {
        n: np.array([r[i] for r in rows], dtype=object if n == "hour" else float)
        for i, n in enumerate(names)
    }
    return cols


def _qty(cols: dict, name: str) -> np.ndarray:
    return cols[f"{name}_l" if name == "water" else f"{name}_kwh"]


def _covered(cols: dict, name: str) -> np.ndarray:
    """Hours where the sum exists and every one of its meters covered the hour."""
    c = cols[f"{name}_cov"]
    return ~np.isnan(c) & (np.nan_to_num(c) >= COVERED_HOUR)


def _present(cols: dict, name: str) -> bool:
    return bool((~np.isnan(cols[f"{name}_cov"])).any()) if len(cols["hour"]) else False


def compute(
    site: Site, period: Period, *, room: Room | None = None, now: datetime | None = None
) -> Figures:
    """The figures of ``site`` (or one ``room``: pPUE) over ``period``; an open period
    counts only its hours that have ended."""
    now = now or datetime.now(UTC)
    end = min(period.end, now.astimezone(UTC).replace(minute=0, second=0, microsecond=0))
    end = max(end, period.start)
    f = Figures(
        site=site.name,
        boundary=room.name if room else "site",
        tz=site.timezone,
        start=period.start,
        end=period.end,
        # "PUE" only once a full year of covered hours proves it (below); until then,
        # and for a period with no ended hour, the interim figure: iPUE.
        label="pPUE" if room else "iPUE",
        elapsed_hours=int((end - period.start) / HOUR),
    )
    cols = _rows(site, room, period.start, end)
    for name in SUMS:
        if _present(cols, name):
            ok = _covered(cols, name)
            f.energy_by_kind[name] = {
                "quantity": float(_qty(cols, name)[ok].sum()),
                "unit": "L" if name == "water" else "kWh",
                "coverage": ok.sum() / f.elapsed_hours if f.elapsed_hours else 0.0,
            }
    if not f.elapsed_hours:
        f.withheld = "No complete hour in this period yet."
        return f
    it = _choose_category(f, cols)
    if it is None:
        f.withheld = "No IT meter reports in this boundary."
        return f
    total, extra_ok = _total(f, cols, room)
    if total is None:
        f.withheld = "No facility meter reports in this boundary."
        return f
    mask = _covered(cols, it) & extra_ok
    f.covered_hours = int(mask.sum())
    f.coverage = f.covered_hours / f.elapsed_hours
    if f.covered_hours:
        e_it = float(_qty(cols, it)[mask].sum())
        e_dc = float(np.nan_to_num(total[mask]).sum())
        f.e_it_kwh, f.e_dc_kwh = e_it, e_dc
        if e_it > 0:
            f.pue = e_dc / e_it
            f.dcie_percent = 100.0 / f.pue
    if not room and _full_year(period, end, cols["hour"][mask]):
        f.label = "PUE"
    _carbon(f, site, cols, mask)
    _water(f, cols, it)
    _renewables(f, site, cols, mask, period)
    _cost(f, site, cols)
    if f.coverage < min_coverage():
        f.withheld = (
            f"Coverage {f.coverage:.0%} is below {min_coverage():.0%}: "
            f"{f.covered_hours} of {f.elapsed_hours} hours were covered by every meter."
        )
    return f


def _choose_category(f: Figures, cols: dict) -> str | None:
    """The best category whose IT meters cover enough of the period; else the best one
    that reports at all (its figure then withheld for coverage)."""
    present = [c for c in IT_FIELD if _present(cols, IT_FIELD[c])]
    if not present:
        return None
    best = present[0]
    for c in present:
        if _covered(cols, IT_FIELD[c]).sum() / f.elapsed_hours >= min_coverage():
            best = c
            break
    f.category, f.category_words = str(best), Category(best).label
    return IT_FIELD[best]


def _total(f: Figures, cols: dict, room: Room | None) -> tuple[np.ndarray | None, np.ndarray]:
    """E_DC per hour and the hours it is covered: facility input plus on-site generation;
    for a room without an incomer, what its meters add up to (IT, cooling, other)."""
    n = len(cols["hour"])
    if _present(cols, "facility"):
        total = _qty(cols, "facility").copy()
        ok = _covered(cols, "facility")
        if _present(cols, "renewable"):
            total += np.nan_to_num(_qty(cols, "renewable"))
            ok &= _covered(cols, "renewable")
        return total, ok
    if room is None:
        return None, np.zeros(n, bool)
    it = IT_FIELD[Category(f.category)]
    total, ok = _qty(cols, it).copy(), np.ones(n, bool)
    for name in ("cooling", "other"):
        if _present(cols, name):
            total += np.nan_to_num(_qty(cols, name))
            ok &= _covered(cols, name)
    f.notes.append(
        "No room incomer: the room's energy is the sum of its IT, cooling and other meters."
    )
    return total, ok


def _full_year(period: Period, end: datetime, hours: np.ndarray) -> bool:
    """A PUE (not interim) needs 12 months: a period of at least 365 days with data from
    its first day to its last ended hour (a trailing 12 months ending now qualifies)."""
    if period.end - period.start < YEAR or not len(hours):
        return False
    return hours[0] < period.start + timedelta(days=1) and hours[-1] + HOUR >= end - timedelta(
        days=1
    )


def _hours_list(cols: dict, mask: np.ndarray) -> list[datetime]:
    return list(cols["hour"][mask])


def _carbon(f: Figures, site: Site, cols: dict, mask: np.ndarray) -> None:
    """CUE = CO2 of the energy bought (facility input × the factor in force that hour) /
    E_IT. On-site generation emits nothing here."""
    if not f.e_it_kwh:
        return
    cef = rates.carbon(site, _hours_list(cols, mask))
    if np.isnan(cef).any():
        f.notes.append("CUE: no carbon factor for part of the period.")
        return
    co2 = float((np.nan_to_num(_qty(cols, "facility")[mask]) * cef).sum())
    f.cue_kg_per_kwh = co2 / f.e_it_kwh


def _water(f: Figures, cols: dict, it: str) -> None:
    """WUE = site water (L) / E_IT (kWh), over the hours both the water and IT meters
    covered (its own coverage, as water meters are often read less often)."""
    if not _present(cols, "water"):
        return
    ok = _covered(cols, "water") & _covered(cols, it)
    f.wue_coverage = ok.sum() / f.elapsed_hours
    e_it = float(_qty(cols, it)[ok].sum())
    if e_it > 0:
        f.wue_l_per_kwh = float(_qty(cols, "water")[ok].sum()) / e_it


def _renewables(f: Figures, site: Site, cols: dict, mask: np.ndarray, period: Period) -> None:
    """REF = (on-site generation + certificates) / E_DC. A certificate counts pro rata to
    the covered hours of its period that fall in this figure."""
    if not f.e_dc_kwh:
        return
    onsite = float(np.nan_to_num(_qty(cols, "renewable")[mask]).sum())
    hours = cols["hour"][mask]
    bought, zone = 0.0, ZoneInfo(site.timezone)
    for cert in RenewableCertificate.objects.filter(
        site=site, start__lte=period.end.date(), end__gte=(period.start - timedelta(days=1)).date()
    ):
        lo = datetime.combine(cert.start, datetime.min.time(), zone).astimezone(UTC)
        hi = datetime.combine(cert.end + timedelta(days=1), datetime.min.time(), zone)
        hi = hi.astimezone(UTC)
        span = (hi - lo) / HOUR
        inside = sum(1 for h in hours if lo <= h < hi)
        bought += cert.kwh * inside / span
    f.renewable_kwh, f.certificates_kwh = onsite, bought
    f.ref = (onsite + bought) / f.e_dc_kwh


def _cost(f: Figures, site: Site, cols: dict) -> None:
    """Cost of the energy bought: facility input per covered hour × the price then."""
    if not _present(cols, "facility"):
        return
    ok = _covered(cols, "facility")
    price, currency, problem = rates.prices(site, _hours_list(cols, ok))
    if problem:
        f.notes.append(f"Cost: {problem}.")
        if currency is None and problem != "no tariff":
            return
    if not ok.any() or np.isnan(price).all():
        return
    if np.isnan(price).any():
        f.notes.append("Cost: no tariff for part of the period.")
    f.cost = float(np.nansum(_qty(cols, "facility")[ok] * price))
    f.currency = currency
    f.cost_coverage = float((~np.isnan(price)).sum()) / f.elapsed_hours
