"""Everything the Power & PUE page states for one site, gathered once per request.

The figures are ``dcim.energy.figures.compute`` with the same arguments ``manage.py energy
--json`` uses (``dcim.energy.report.figures_json``: the site, the period, ``now``; each
metered room of ``report.metered_rooms``), so the page and the command always agree. Every
read is of the ledger (boundary hours, ledger days and hours), never of raw samples, but
the latest power readings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dcim.energy import trend
from dcim.energy.figures import Figures, compute
from dcim.energy.models import Category, Meter
from dcim.energy.models.meter import IT_KIND_BY_CATEGORY
from dcim.energy.periods import Period, period
from dcim.energy.report import metered_rooms
from dcim.energy.views import memo, outlook, ranking, sections
from dcim.energy.views.columns import Record
from dcim.energy.views.power_now import PowerNow, facility_and_it
from dcim.inventory.models import Room, Site

# (key, period kind): the headline figures, in the order the page shows them.
PERIODS = (("today", "today"), ("7d", "7d"), ("30d", "30d"), ("t12m", "t12m"))
PERIOD_NAMES = {"today": "Today", "7d": "7 days", "30d": "30 days", "t12m": "Trailing 12 months"}


@dataclass
class Report:
    site: Site
    tz: ZoneInfo
    now: datetime
    periods: dict[str, Period]
    figures: dict[str, Figures]
    rooms: list[Figures]
    days: list[trend.Day]
    it_kind: str | None
    power: dict[str, PowerNow]
    outlook: outlook.Outlook
    hourly: tuple  # what the ledger-derived parts are cached under (``memo``)

    @property
    def f30(self) -> Figures:
        return self.figures["30d"]

    def figures_json(self) -> dict[str, dict]:
        """{period key: what ``manage.py energy --json`` prints for it}; 30 days with the
        rooms' pPUE, as the command gives them for a site."""
        out = {k: f.as_dict() for k, f in self.figures.items()}
        out["30d"]["rooms"] = [f.as_dict() for f in self.rooms]
        return out


def gather(site: Site, now: datetime, *, budget: bool = True) -> Report:
    """The site's report at ``now``; ``budget`` False leaves out the per-rack reach dates
    (the CSV of another table does not need them). Ledger-derived parts come from the
    cache while their inputs are unchanged (``memo``)."""
    tz = ZoneInfo(site.timezone)
    periods = {k: period(kind, site.timezone, now=now) for k, kind in PERIODS}
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hourly = (site.pk, hour, memo.factors_digest(site))
    base = (*hourly, memo.ledger_version(site, hour))

    def figures_of(p: Period, room: Room | None = None) -> Figures:
        where = (room.pk, room.name) if room else None
        return memo.memo(
            (*base, "figures", p.start, p.end, where),
            lambda: compute(site, p, room=room, now=now),
        )

    figures = {k: figures_of(p) for k, p in periods.items()}
    f30, p30 = figures["30d"], periods["30d"]
    rooms = [figures_of(p30, r) for r in metered_rooms(site)]
    days = memo.memo(
        (*base, "days", p30.start, f30.category),
        lambda: trend.daily(site, p30, category=f30.category, now=now),
    )
    it_kind = _it_kind(site, f30)
    power = facility_and_it(site, it_kind, now) if it_kind else {}
    look = memo.memo((*base, "outlook", f30.category), lambda: outlook.site_outlook(site, f30, now))
    if budget:
        look = replace(look, budget=outlook.budget_records(site, now))
    # Attribution and the forecast are keyed on the ledger's content too, so a backfill
    # (or the demo's first history) shows at once, not the next hour.
    return Report(site, tz, now, periods, figures, rooms, days, it_kind, power, look, base)


def _it_kind(site: Site, f30: Figures) -> str | None:
    """The IT meters "IT power now" sums: the 30-day figure's category, else the best kind
    the site has a meter of."""
    if f30.category:
        return str(IT_KIND_BY_CATEGORY[Category(f30.category)])
    kinds = set(Meter.objects.filter(site=site, enabled=True).values_list("kind", flat=True))
    return next((str(k) for k in IT_KIND_BY_CATEGORY.values() if k in kinds), None)


def records(report: Report, table: str, *, limit: int | None = None) -> list[Record]:
    """The records of one table of the page (``limit``: racks and tenants shown)."""
    p30, f30, now = report.periods["30d"], report.f30, report.now
    tz = report.tz
    if table == "periods":
        return sections.period_records(report.figures, PERIOD_NAMES, tz)
    if table == "kpis":
        return sections.kpi_records(f30)
    if table == "days":
        return sections.day_records(report.days[::-1])  # the latest day first
    if table == "rooms":
        return sections.room_records(report.rooms, tz)
    if table in ("racks", "tenants"):
        both = memo.memo(
            (*report.hourly, "ranking"), lambda: ranking.records(report.site, p30, f30, now)
        )
        rows = both[table]
        return rows[:limit] if limit else rows
    if table == "forecast":
        return outlook.forecast_records(report.outlook, tz)
    if table == "budget":
        return report.outlook.budget
    raise KeyError(table)


TABLES = {
    t.name: t
    for t in (
        sections.PERIODS,
        sections.KPIS,
        sections.DAYS,
        sections.ROOMS,
        ranking.RACKS,
        ranking.TENANTS,
        outlook.FORECAST,
        outlook.BUDGET,
    )
}
