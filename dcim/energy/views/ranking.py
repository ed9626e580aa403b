"""Who used the energy: racks and tenants by energy and cost over the last 30 days, from
``dcim.energy.attribution`` (the rules of what a rack's and a tenant's energy is live there).

The page shows the top ``TOP``; the CSV holds every row.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from dcim.energy import attribution
from dcim.energy.figures import Figures
from dcim.energy.periods import Period
from dcim.energy.views import words
from dcim.energy.views.columns import Col, Record, Table
from dcim.inventory.models import Site
from dcim.ui.tables import cell

TOP = 10
SOURCE_WORDS = {
    "it_pdu_output": "PDU output meters",
    "it_input": "IT input meters",
    "gpu": "GPU counters only",
}


def _money(r: Record) -> dict:
    value = r.get("cost")
    sort = -1e18 if value is None else round(value, 6)
    return cell(words.money(value, r.get("currency")), sort=sort, num=True)


def _rack_link(r: Record) -> dict:
    return cell(r["rack"], href=reverse("dashboard:rack", args=[r["rack_id"]]))


RACKS = Table(
    "racks",
    "Racks by energy, last 30 days",
    (
        Col("rack", "Rack", show=_rack_link),
        Col("room", "Room"),
        Col("kwh", "Energy", "kWh", words.energy_at("kwh"), True),
        Col("cost", "Cost", "", _money, True),
        Col("currency", "Currency"),
        Col("gpu_share", "GPU share", "fraction", words.percent_at("gpu_share"), True),
        Col("coverage", "Coverage", "fraction", words.percent_at("coverage"), True),
        Col(
            "source", "Measured by", show=lambda r: cell(SOURCE_WORDS.get(r["source"], r["source"]))
        ),
    ),
    "No rack has an IT meter or a GPU energy counter.",
)
TENANTS = Table(
    "tenants",
    "Tenants by energy, last 30 days",
    (
        Col("tenant", "Tenant"),
        Col("holdings", "Holdings", show=words.count_at("holdings"), num=True),
        Col("kwh", "Energy", "kWh", words.energy_at("kwh"), True),
        Col("cost", "Cost", "", _money, True),
        Col("currency", "Currency"),
        Col("gpu_share", "GPU share", "fraction", words.percent_at("gpu_share"), True),
        Col("coverage", "Coverage of hours held", "fraction", words.percent_at("coverage"), True),
    ),
    "No tenant holds a rack, device or GPU here in the last 30 days.",
)


def records(site: Site, period: Period, f30: Figures, now: datetime) -> dict[str, list[Record]]:
    """{"racks": …, "tenants": …}, every row, most energy first; one ``Attribution`` reads
    the period's ledger totals once for both."""
    a = attribution.Attribution(site, period, now, f30)
    racks = [
        {
            "rack_id": r.rack_id,
            "rack": r.rack,
            "room": r.room,
            "kwh": r.kwh,
            "cost": r.cost,
            "currency": r.currency,
            "gpu_share": r.gpu_share,
            "coverage": r.coverage,
            "source": r.source,
        }
        for r in a.racks()
    ]
    tenants = [
        {
            "tenant": t.tenant,
            "holdings": t.holdings,
            "kwh": t.kwh,
            "cost": t.cost,
            "currency": t.currency,
            "gpu_share": t.gpu_share,
            "coverage": t.coverage,
        }
        for t in a.tenants()
    ]
    return {"racks": racks, "tenants": tenants}
