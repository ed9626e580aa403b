"""Energy figures as report figures: ``dcim.energy.figures.Figures`` (computed by
``dcim.energy``) written out with their coverage, category and withheld reasons, never
recomputed."""

from __future__ import annotations

from dcim.energy.figures import Figures
from dcim.reports.build.words import num, pct
from dcim.reports.content import Figure


def pue_figure(f: Figures, link: str) -> Figure:
    """The PUE with its category and coverage; withheld figures say why instead."""
    label = f"{f.label} ({f.category_words or 'no IT meter'})" if f.category else f.label
    if f.pue is None or f.withheld:
        return Figure(label, f.withheld or "no figure", link, None, pct(f.coverage, 0) + " covered")
    return Figure(label, f"{f.pue:.2f}", link, round(f.pue, 4), f"coverage {pct(f.coverage, 0)}")


def headline(f: Figures, link: str) -> list[Figure]:
    """PUE, energy, cost, CUE, WUE and REF of one boundary and period."""
    money = num(f.cost, 2, f.currency or "") if f.cost is not None else "—"
    return [
        pue_figure(f, link),
        Figure("Facility energy (E_DC)", num(f.e_dc_kwh, 1, "kWh"), link, f.e_dc_kwh),
        Figure("IT energy (E_IT)", num(f.e_it_kwh, 1, "kWh"), link, f.e_it_kwh),
        Figure(
            "Cost",
            money,
            link,
            f.cost,
            f"tariff coverage {pct(f.cost_coverage, 0)}" if f.cost is not None else "",
        ),
        Figure("CUE", num(f.cue_kg_per_kwh, 3, "kg CO₂/kWh"), link, f.cue_kg_per_kwh),
        Figure(
            "WUE",
            num(f.wue_l_per_kwh, 3, "L/kWh"),
            link,
            f.wue_l_per_kwh,
            f"water coverage {pct(f.wue_coverage, 0)}" if f.wue_l_per_kwh is not None else "",
        ),
        Figure("REF", pct(f.ref), link, f.ref),
    ]


FIGURE_HEADER = [
    "Boundary",
    "Figure",
    "Value",
    "Category",
    "Coverage (fraction)",
    "Facility energy (kWh)",
    "IT energy (kWh)",
    "Cost",
    "Currency",
    "CUE (kg CO2/kWh)",
    "WUE (L/kWh)",
    "REF (fraction)",
    "Withheld because",
]


def figure_row(f: Figures) -> list:
    """One boundary's figures as a CSV row (the same values as ``Figures.as_dict``)."""
    return [
        f.boundary,
        f.label,
        None if f.withheld else f.pue,
        f.category_words,
        f.coverage,
        f.e_dc_kwh,
        f.e_it_kwh,
        f.cost,
        f.currency,
        f.cue_kg_per_kwh,
        f.wue_l_per_kwh,
        f.ref,
        f.withheld,
    ]


SHOWN_HEADER = [
    "Boundary",
    "Figure",
    "Value",
    "Category",
    "Coverage",
    "E_DC",
    "E_IT",
    "Cost",
    "CUE",
]


def figure_shown(f: Figures) -> list[str]:
    """The same row for people: the columns that fit a page, units written out."""
    cost = num(f.cost, 2, f.currency or "") if f.cost is not None else "—"
    return [
        f.boundary,
        f.label,
        "withheld" if f.withheld else num(f.pue, 2),
        f.category_words or "—",
        pct(f.coverage, 0),
        num(f.e_dc_kwh, 1, "kWh"),
        num(f.e_it_kwh, 1, "kWh"),
        cost,
        num(f.cue_kg_per_kwh, 3, "kg/kWh"),
    ]
