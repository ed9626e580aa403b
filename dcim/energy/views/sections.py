"""The figure tables of the Power & PUE page: PUE per period, the 30-day family (DCiE, CUE,
WUE, REF, cost), each day, and pPUE per room. Records carry raw values (``columns``).

A withheld figure keeps its reason and loses its number, in the records too: the CSV must
not export what the page declined to show.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dcim.energy.figures import Figures, min_coverage
from dcim.energy.trend import Day
from dcim.energy.views import words
from dcim.energy.views.columns import Col, Record, Table
from dcim.ui.tables import cell


def _pue(rec: Record) -> dict:
    return words.pue_cell(rec.get("pue"), rec.get("withheld", ""))


PERIODS = Table(
    "periods",
    "PUE by period (site time)",
    (
        Col("period", "Period"),
        Col("from", "From"),
        Col("to", "To"),
        Col("label", "Figure"),
        Col("pue", "Value", show=_pue, num=True),
        Col("category", "Category"),
        Col("coverage", "Coverage", "fraction", words.percent_at("coverage"), True),
        Col("covered_hours", "Covered hours", "h", num=True),
        Col("e_dc_kwh", "Facility energy", "kWh", words.energy_at("e_dc_kwh"), True),
        Col("e_it_kwh", "IT energy", "kWh", words.energy_at("e_it_kwh"), True),
        Col("withheld", "Withheld because"),
    ),
)
KPIS = Table(
    "kpis",
    "Last 30 days: the PUE family",
    (
        Col("figure", "Figure"),
        Col("value", "Value", show=lambda r: cell(r["shown"], sort=r["value"], num=True), num=True),
        Col("unit", "Unit"),
        Col("coverage", "Coverage", "fraction", words.percent_at("coverage"), True),
        Col("note", "Note"),
    ),
)
DAYS = Table(
    "days",
    "Each day of the last 30 (site time)",
    (
        Col("day", "Day"),
        Col("pue", "PUE", show=_pue, num=True),
        Col("coverage", "Coverage", "fraction", words.percent_at("coverage"), True),
        Col("e_dc_kwh", "Facility", "kWh", words.energy_at("e_dc_kwh"), True),
        Col("it_kwh", "IT", "kWh", words.energy_at("it_kwh"), True),
        Col("cooling_kwh", "Cooling", "kWh", words.energy_at("cooling_kwh"), True),
        Col("other_kwh", "Other", "kWh", words.energy_at("other_kwh"), True),
        Col("losses_kwh", "Losses and unmetered", "kWh", words.energy_at("losses_kwh"), True),
        Col("renewable_kwh", "On-site renewable", "kWh", words.energy_at("renewable_kwh"), True),
        Col("withheld", "Withheld because"),
    ),
    "No ledger hours in the last 30 days.",
)
ROOMS = Table(
    "rooms",
    "pPUE per room, last 30 days",
    (
        Col("room", "Room"),
        Col("label", "Figure"),
        Col("pue", "Value", show=_pue, num=True),
        Col("category", "Category"),
        Col("coverage", "Coverage", "fraction", words.percent_at("coverage"), True),
        Col("e_dc_kwh", "Room energy", "kWh", words.energy_at("e_dc_kwh"), True),
        Col("e_it_kwh", "IT energy", "kWh", words.energy_at("e_it_kwh"), True),
        Col("withheld", "Withheld because"),
    ),
    "No room has meters of its own: pPUE needs a room boundary.",
)


def figure_record(f: Figures, tz: ZoneInfo) -> Record:
    start, end = f.start.astimezone(tz), f.end.astimezone(tz)
    return {
        "from": f"{start:%Y-%m-%d %H:%M %Z}",
        "to": f"{end:%Y-%m-%d %H:%M %Z}",
        "label": f.label,
        "pue": None if f.withheld else f.pue,
        "category": f.category_words or None,
        "coverage": f.coverage,
        "covered_hours": f.covered_hours,
        "e_dc_kwh": f.e_dc_kwh,
        "e_it_kwh": f.e_it_kwh,
        "withheld": f.withheld,
    }


def period_records(figures: dict[str, Figures], names: dict[str, str], tz: ZoneInfo) -> list:
    return [{"period": names[k], **figure_record(f, tz)} for k, f in figures.items()]


def room_records(rooms: list[Figures], tz: ZoneInfo) -> list[Record]:
    return [{"room": f.boundary, **figure_record(f, tz)} for f in rooms]


def day_records(days: list[Day]) -> list[Record]:
    return [d.as_dict() for d in days]


def _kpi(figure: str, value, shown: str, unit: str, coverage: float, note: str = "") -> Record:
    return {
        "figure": figure,
        "value": value,
        "shown": shown,
        "unit": unit,
        "coverage": coverage,
        "note": note,
    }


def kpi_records(f: Figures) -> list[Record]:
    """The 30-day family. DCiE, CUE and REF are ratios over PUE's hours and are withheld
    with it; WUE has its own coverage and is withheld below the same minimum. Cost and
    energy are sums over the covered hours: shown with their coverage, and said to be an
    underestimate where hours are missing."""
    why = f.withheld
    low = min_coverage()
    notes = {n.split(":")[0]: n for n in f.notes}

    def held(value, reason: str, shown: str) -> tuple:
        return (None, words.WITHHELD) if reason else (value, shown)

    wue_why = (
        f"Water coverage {f.wue_coverage:.0%} is below {low:.0%}."
        if f.wue_l_per_kwh is not None and f.wue_coverage < low
        else ""
    )
    ref_note = (
        f"On-site {words.kwh(f.renewable_kwh)}, certificates {words.kwh(f.certificates_kwh)}."
        if f.ref is not None
        else ""
    )
    rows = [
        (f.label, f.pue, words.pue(f.pue), "", f.coverage, why, f.category_words),
        ("DCiE", f.dcie_percent, _num(f.dcie_percent, 1, " %"), "%", f.coverage, why, ""),
        (
            "CUE",
            f.cue_kg_per_kwh,
            _num(f.cue_kg_per_kwh, 3, " kg CO2eq/kWh"),
            "kg CO2eq/kWh",
            f.coverage,
            why,
            notes.get("CUE", ""),
        ),
        (
            "WUE",
            f.wue_l_per_kwh,
            _num(f.wue_l_per_kwh, 3, " L/kWh"),
            "L/kWh",
            f.wue_coverage,
            wue_why,
            "" if f.wue_l_per_kwh is not None else "No water meter reports.",
        ),
        ("REF", f.ref, words.percent(f.ref, 1), "fraction", f.coverage, why, ref_note),
        (
            "Energy cost",
            f.cost,
            words.money(f.cost, f.currency),
            f.currency or "",
            f.cost_coverage,
            "",
            notes.get("Cost", "") or _partial(f.cost_coverage),
        ),
        (
            "Facility energy",
            f.e_dc_kwh,
            words.kwh(f.e_dc_kwh),
            "kWh",
            f.coverage,
            "",
            _partial(f.coverage),
        ),
        ("IT energy", f.e_it_kwh, words.kwh(f.e_it_kwh), "kWh", f.coverage, "", ""),
    ]
    out = []
    for figure, value, shown, unit, coverage, reason, note in rows:
        value, shown = held(value, reason, shown)
        out.append(_kpi(figure, value, shown, unit, coverage, reason or note))
    return out


def _partial(coverage: float) -> str:
    if coverage >= 1:
        return ""
    shown = f"{coverage:.1%}" if coverage >= 0.995 else f"{coverage:.0%}"  # never "100 %"
    return f"A sum over {shown} of the period's hours: an underestimate."


def _num(value: float | None, digits: int, unit: str) -> str:
    return words.DASH if value is None else f"{value:,.{digits}f}{unit}"
