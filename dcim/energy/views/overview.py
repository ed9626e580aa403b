"""Power & PUE: facility and IT power now, PUE per period with its category and coverage,
the 30-day family (DCiE, CUE, WUE, REF, cost), energy by kind and PUE per day, pPUE per
room, racks and tenants by energy and cost, the IT load outlook, and a CSV of each table.

One builder serves the page and its JSON twin (``dcim.ui.json_twin``). Login is required
(middleware) and a Viewer sees everything here: nothing on this page changes state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dcim.energy.figures import Figures
from dcim.energy.models import MeterKind
from dcim.energy.views import charts, words
from dcim.energy.views.gather import PERIOD_NAMES, TABLES, Report, gather, records
from dcim.energy.views.power_now import PowerNow
from dcim.energy.views.ranking import TOP
from dcim.inventory.models import Site
from dcim.ui.json_twin import fleet_tz, page_and_api, stamp
from dcim.ui.sites import chosen_site
from dcim.ui.tables import ago


def build_overview(request: HttpRequest) -> dict[str, Any]:
    """Power and PUE of one site (``?site=<slug>``), in the site's time."""
    site = chosen_site(request)
    sites = [
        {"slug": s, "name": n} for s, n in Site.objects.order_by("name").values_list("slug", "name")
    ]
    if site is None:
        return stamp({"site": None, "sites": [], "tiles": {}, "tables": {}}, fleet_tz())
    report = gather(site, timezone.now())
    tables = {name: table.rows(records(report, name, limit=TOP)) for name, table in TABLES.items()}
    export = reverse("energy:export")
    return stamp(
        {
            "site": {"slug": site.slug, "name": site.name, "tz": site.timezone},
            "sites": sites,
            "tiles": {**_power_tiles(report), **_figure_tiles(report)},
            "pue_cards": [_card(k, f, report.tz) for k, f in report.figures.items()],
            "figures": report.figures_json(),
            "tables": tables,
            "headers": {name: t.header for name, t in TABLES.items()},
            "captions": {name: t.caption for name, t in TABLES.items()},
            "empties": {name: t.empty for name, t in TABLES.items()},
            "csv": {
                name: f"{export}?{urlencode({'site': site.slug, 'table': name})}" for name in TABLES
            },
            "charts": {
                "energy": charts.energy_by_kind(report.days, report.tz),
                "pue": charts.pue_trend(report.days, report.tz, report.f30.label),
                "forecast": charts.load_forecast(report.outlook, report.tz),
            },
        },
        report.tz,
    )


def _card(key: str, f: Figures, tz: ZoneInfo) -> dict[str, str]:
    """One PUE card's first render; refreshes update it through its tiles (same words)."""
    return {
        "key": key,
        "title": PERIOD_NAMES[key],
        "span": words.local_span(f, tz),
        **{k.removeprefix(f"{key}_"): v for k, v in _figure_tile(key, f).items()},
    }


def _figure_tiles(r: Report) -> dict[str, str]:
    """Per period: the figure's name (PUE, iPUE), its value or "Withheld", its category,
    its coverage, and why it is withheld (empty when it is not)."""
    out = {}
    for key, f in r.figures.items():
        out |= _figure_tile(key, f)
    f30 = r.f30
    out["cost_30d"] = words.money(f30.cost, f30.currency)
    out["cost_30d_note"] = (
        "Facility energy in the hours its meters covered × the tariff then; "
        f"{words.percent(f30.cost_coverage)} of the period's hours."
    )
    out["forecast_note"] = r.outlook.note
    return out


def _figure_tile(key: str, f: Figures) -> dict[str, str]:
    return {
        f"{key}_label": f.label,
        f"{key}_value": words.figure_value(f),
        # With no ended hour yet there is nothing to say about the meters.
        f"{key}_category": f.category_words or ("No IT meter reports" if f.elapsed_hours else ""),
        f"{key}_coverage": f"Coverage {words.coverage(f)}",
        f"{key}_withheld": f.withheld,
    }


def _power_tiles(r: Report) -> dict[str, str]:
    if not r.power:
        none = "No data yet"
        why = "No IT meter is defined for this site."
        return {"facility_now": none, "facility_now_note": why, "it_now": none, "it_now_note": why}
    it_words = MeterKind(r.it_kind).label if r.it_kind else "IT"
    return {
        "facility_now": _power_value(r.power["facility"]),
        "facility_now_note": _power_note(
            r.power["facility"], "facility input and on-site generation", r
        ),
        "it_now": _power_value(r.power["it"]),
        "it_now_note": _power_note(r.power["it"], it_words, r),
    }


def _power_value(p: PowerNow) -> str:
    return "No data yet" if p.kw is None else words.kw(p.kw)


def _power_note(p: PowerNow, what: str, r: Report) -> str:
    if p.source == "meters":
        return (
            f"Sum of {p.meters} meter(s), {what}; oldest reading {ago(p.at, r.now)} "
            f"({p.at.astimezone(r.tz):%H:%M:%S %Z})."
        )
    if p.source == "ledger":
        return (
            f"Mean of the ledger hour from {_hm(p.at, r.tz)}: {p.meters - p.fresh} of "
            f"{p.meters} meter(s) ({what}) have no fresh power reading."
        )
    if not p.meters:
        return f"No meter measures {what} at this site."
    return f"No reading yet from the {p.meters} meter(s) of {what}."


def _hm(t: datetime, tz: ZoneInfo) -> str:
    return f"{t.astimezone(tz):%Y-%m-%d %H:%M %Z}"


overview, overview_api = page_and_api("energy/overview.html", build_overview, "energy:overview_api")
