"""Monthly energy: PUE with category and coverage, kWh, cost, CUE, WUE and REF for the
site and each metered room (pPUE), energy per rack and per tenant, and the month by day.

The figures are ``dcim.energy.report.figures_json``'s (``figures.compute`` for the site and
each metered room: what ``manage.py energy --json`` prints and the Power & PUE page shows);
the racks and tenants are the page's own ranking records, the days ``trend.daily``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from dcim.energy import trend
from dcim.energy.figures import compute
from dcim.energy.periods import period
from dcim.energy.report import metered_rooms
from dcim.energy.views import ranking
from dcim.inventory.models import Site
from dcim.reports.build.energy_figures import (
    FIGURE_HEADER,
    SHOWN_HEADER,
    figure_row,
    figure_shown,
    headline,
)
from dcim.reports.build.words import num, pct
from dcim.reports.content import Chart, Figure, Report, Section, Series, Table
from dcim.reports.links import page


def last_month(site: Site, now: datetime):
    """The local calendar month before the one ``now`` falls in: a report sent on the 1st
    covers the month just ended."""
    first = now.astimezone(ZoneInfo(site.timezone)).date().replace(day=1)
    return period("month", site.timezone, now=now, on=first - relativedelta(days=1))


def build(site: Site, now: datetime) -> Report:
    month = last_month(site, now)
    link = page("energy:overview", site=site.slug)
    f = compute(site, month, now=now)
    rooms = [compute(site, month, room=r, now=now) for r in metered_rooms(site)]
    report = Report(
        "monthly_energy",
        "Monthly energy",
        site.name,
        site.slug,
        site.timezone,
        month.label,
        now,
    )
    head = Section("Site energy and PUE", link, headline(f, link), notes=list(f.notes))
    head.figures.append(Figure("DCiE", num(f.dcie_percent, 1, "%"), link, f.dcie_percent))
    head.tables.append(
        Table(
            "figures",
            "PUE, energy and cost by boundary",
            FIGURE_HEADER,
            [figure_row(x) for x in [f, *rooms]],
            link,
            shown=[figure_shown(x) for x in [f, *rooms]],
            shown_header=SHOWN_HEADER,
        )
    )
    report.sections.append(head)
    report.sections.append(_days(site, month, f, now, link))
    report.sections.append(_ranking(site, month, f, now, link))
    return report


def _days(site: Site, month, f, now: datetime, link: str) -> Section:
    days = trend.daily(site, month, category=f.category, now=now)
    rows = [
        [d.day, d.pue, d.coverage, d.e_dc_kwh, d.it_kwh, d.cooling_kwh, d.withheld] for d in days
    ]
    header = [
        "Day",
        "PUE",
        "Coverage (fraction)",
        "Facility energy (kWh)",
        "IT energy (kWh)",
        "Cooling energy (kWh)",
        "Withheld because",
    ]
    shown = [
        [
            str(d.day),
            num(d.pue, 2),
            pct(d.coverage, 0),
            num(d.e_dc_kwh, 1),
            num(d.it_kwh, 1),
            num(d.cooling_kwh, 1),
            d.withheld,
        ]
        for d in days
    ]
    chart = Chart(
        "energy-days",
        f"Energy and PUE by day, {month.label}",
        link,
        [f"{d.day:%d}" for d in days],
        [
            Series("IT kWh", [d.it_kwh for d in days]),
            Series("Facility kWh", [d.e_dc_kwh for d in days]),
            Series("PUE", [d.pue for d in days], "line"),
        ],
        "kWh",
    )
    return Section(
        "The month by day",
        link,
        charts=[chart],
        tables=[Table("days", "Energy and PUE by day", header, rows, link, shown=shown)],
    )


def _ranking(site: Site, month, f, now: datetime, link: str) -> Section:
    """Racks and tenants as the Power & PUE page ranks them (its Table definitions give the
    CSV header and row, so the CSV matches the page's own export)."""
    both = ranking.records(site, month, f, now)
    section = Section("Per rack and tenant", link)
    for table in (ranking.RACKS, ranking.TENANTS):
        recs = both[table.name]
        section.tables.append(
            Table(
                table.name,
                table.caption,
                table.csv_header(),
                [table.csv_row(r) for r in recs],
                page("energy:overview", site=site.slug) + f"#{table.name}",
                table.empty,
            )
        )
    return section
