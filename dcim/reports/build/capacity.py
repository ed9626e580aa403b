"""Weekly capacity: space, power and cooling against their limits, the racks and feeds
nearest 80 % of their budget, and the forecast dates they would reach it.

Power is the Power & PUE page's outlook (``dcim.energy.views.gather``: each rack's, feed's
and room's peak of the last full day against its budget, with the day
``dcim.energy.forecast.reach_date`` says it would reach 80 %), and its IT load forecast.
Cooling compares a room's racks' cooling budgets with the same room peak (the heat to
remove is the IT power). Space is the inventory's rack heights and mounted devices.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Sum

from dcim.energy.views.gather import gather
from dcim.energy.views.outlook import BUDGET, BUDGET_FRACTION, FORECAST, forecast_records
from dcim.inventory.models import Device, Rack, Site
from dcim.reports.build.words import num, pct
from dcim.reports.content import Chart, Figure, Report, Section, Series, Table
from dcim.reports.links import page

NEAR = 0.7  # racks and feeds at 70 % of budget or more are listed as near the 80 % line
CHART_ROWS = 20


def build(site: Site, now: datetime) -> Report:
    tz = ZoneInfo(site.timezone)
    energy = gather(site, now)
    budget = energy.outlook.budget
    report = Report(
        "weekly_capacity",
        "Weekly capacity",
        site.name,
        site.slug,
        site.timezone,
        f"Week of {now.astimezone(tz):%Y-%m-%d}",
        now,
    )
    report.sections += [
        _space(site),
        _power(site, budget),
        _cooling(site, budget),
        _forecast(site, energy, tz),
    ]
    return report


def _space(site: Site) -> Section:
    link = page("dashboard:floor")
    racks = (
        Rack.objects.filter(room__site=site)
        .values("room__name")
        .annotate(racks=Count("pk"), total_u=Sum("u_height"))
        .order_by("room__name")
    )
    used = dict(
        Device.objects.filter(rack__room__site=site, position_u__isnull=False)
        .values("rack__room__name")
        .annotate(u=Sum("device_type__u_height"))
        .values_list("rack__room__name", "u")
    )
    rows = []
    for r in racks:
        u = used.get(r["room__name"]) or 0
        share = u / r["total_u"] if r["total_u"] else None
        rows.append([r["room__name"], r["racks"], r["total_u"], u, share])
    total_u = sum(r[2] or 0 for r in rows)
    used_u = sum(r[3] for r in rows)
    figures = [
        Figure("Rack units in use", f"{used_u} of {total_u} U", link, used_u),
        Figure("Space used", pct(used_u / total_u if total_u else None), link),
    ]
    table = Table(
        "space",
        "Space by room",
        ["Room", "Racks", "Rack units (U)", "Units in use (U)", "In use (fraction)"],
        rows,
        link,
        "No rack in this site.",
        shown=[[r[0], str(r[1]), str(r[2]), str(r[3]), pct(r[4])] for r in rows],
    )
    return Section("Space", link, figures, [table])


def _share(rec: dict) -> float | None:
    if not rec.get("budget_kw") or rec.get("peak_kw") is None:
        return None
    return rec["peak_kw"] / rec["budget_kw"]


def _power(site: Site, budget: list[dict]) -> Section:
    link = page("energy:overview", site=site.slug) + "#budget"
    over = [r for r in budget if (_share(r) or 0) >= BUDGET_FRACTION]
    near = [r for r in budget if r["kind"] in ("Rack", "Feed") and (_share(r) or 0) >= NEAR]
    dated = [r for r in budget if r.get("reach_date")]
    figures = [
        Figure(f"At or above {BUDGET_FRACTION:.0%} of budget", str(len(over)), link, len(over)),
        Figure(f"Racks and feeds above {NEAR:.0%}", str(len(near)), link, len(near)),
        Figure("With a date to reach 80 %", str(len(dated)), link, len(dated)),
    ]
    if dated:
        first = dated[0]
        figures.append(
            Figure("First to reach 80 %", f"{first['name']} on {first['reach_date']}", link)
        )
    ranked = sorted(
        (r for r in budget if r["kind"] in ("Rack", "Feed") and _share(r) is not None),
        key=lambda r: -_share(r),
    )[:CHART_ROWS]
    charts = []
    if ranked:
        charts.append(
            Chart(
                "power-budget",
                "Peak of the last full day against budget",
                link,
                [f"{r['kind']} {r['name']}" for r in ranked],
                [Series("Peak / budget", [100 * _share(r) for r in ranked])],
                "% of budget",
                "barh",
                100 * BUDGET_FRACTION,
                f"{BUDGET_FRACTION:.0%} of budget",
            )
        )
    table = Table(
        "power",
        BUDGET.caption,
        BUDGET.csv_header(),
        [BUDGET.csv_row(r) for r in budget],
        link,
        BUDGET.empty,
        shown=[
            [
                r["name"],
                r["kind"],
                r["room"],
                num(r["budget_kw"], 1, "kW"),
                num(r["peak_kw"], 1, "kW"),
                num(r["slope_kw_per_day"], 2, "kW/day"),
                r["words"],  # the date, or why none ("already above", "not rising")
            ]
            for r in budget
        ],
    )
    return Section("Power against budget", link, figures, [table], charts)


def _cooling(site: Site, budget: list[dict]) -> Section:
    link = page("dashboard:cooling")
    cooling = defaultdict(float)
    for room, kw in Rack.objects.filter(room__site=site).values_list(
        "room__name", "cooling_budget_kw"
    ):
        cooling[room] += float(kw)
    peaks = {r["name"]: r["peak_kw"] for r in budget if r["kind"] == "Room"}
    rows = []
    for room in sorted(cooling):
        peak = peaks.get(room)
        share = peak / cooling[room] if peak is not None and cooling[room] else None
        rows.append([room, cooling[room], peak, share])
    table = Table(
        "cooling",
        "Cooling budget against the room's IT peak (the heat to remove)",
        ["Room", "Cooling budget (kW)", "IT peak last full day (kW)", "Peak / budget (fraction)"],
        rows,
        link,
        "No rack in this site.",
        shown=[[r[0], num(r[1], 1, "kW"), num(r[2], 1, "kW"), pct(r[3])] for r in rows],
    )
    worst = max((r for r in rows if r[3] is not None), key=lambda r: r[3], default=None)
    figures = []
    if worst:
        figures.append(
            Figure("Highest cooling load", f"{worst[0]}: {pct(worst[3])}", link, worst[3])
        )
    return Section("Cooling against budget", link, figures, [table])


def _forecast(site: Site, energy, tz: ZoneInfo) -> Section:
    link = page("energy:overview", site=site.slug) + "#forecast"
    recs = forecast_records(energy.outlook, tz)
    table = Table(
        "forecast",
        FORECAST.caption,
        FORECAST.csv_header(),
        [FORECAST.csv_row(r) for r in recs],
        link,
        FORECAST.empty,
    )
    section = Section("IT load forecast", link, tables=[table])
    if energy.outlook.note:
        section.notes.append(energy.outlook.note)
    for r in recs:
        section.figures.append(
            Figure(f"Peak, {r['horizon']}", num(r.get("peak_kw"), 1, "kW"), link, r.get("peak_kw"))
        )
    return section
