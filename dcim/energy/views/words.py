"""Energy figures as people read them on the Power & PUE page.

PUE is shown to two decimals (the precision surveys and regulators quote, 1.56, 1.10), a
withheld figure as "Withheld" with its reason next to it, energy through ``units`` (kWh,
MWh), money with its currency. Every page cell and tile goes through here, so a tile and
a table row can never show one figure two ways.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dcim.energy.figures import Figures
from dcim.ui import units
from dcim.ui.tables import DASH, cell

WITHHELD = "Withheld"


def pue(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


def figure_value(f: Figures) -> str:
    """The headline number of a figure, or "Withheld" when its coverage is too low."""
    return WITHHELD if f.withheld else pue(f.pue)


def percent(fraction: float | None, digits: int = 0) -> str:
    return DASH if fraction is None else f"{fraction * 100:.{digits}f} %"


def kwh(value: float | None) -> str:
    return units.text(None if value is None else value * 1000, "watt_hours")


def kw(value: float | None) -> str:
    return units.text(None if value is None else value * 1000, "watts")


def money(value: float | None, currency: str | None) -> str:
    if value is None:
        return DASH
    return f"{value:,.2f} {currency or '(currency unknown)'}"


def coverage(f: Figures) -> str:
    """ "98 % (706 of 720 h)": the share and the hours behind it."""
    return f"{percent(f.coverage)} ({f.covered_hours:,} of {f.elapsed_hours:,} h)"


def local_span(f: Figures, tz: ZoneInfo) -> str:
    """The period in site time, the zone named: "2026-11-01 00:00 – 2026-12-01 00:00 CET"."""
    start, end = f.start.astimezone(tz), f.end.astimezone(tz)
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M %Z}"


def local_time(t: datetime | None, tz: ZoneInfo) -> str:
    return DASH if t is None else f"{t.astimezone(tz):%Y-%m-%d %H:%M %Z}"


def energy_cell(value: float | None) -> dict:
    return units.measure(None if value is None else value * 1000, "watt_hours")


def power_cell(value: float | None) -> dict:
    return units.measure(None if value is None else value * 1000, "watts")


def pue_cell(value: float | None, withheld: str = "") -> dict:
    """A PUE in a table: the number, or "Withheld" with the reason on hover."""
    if withheld:
        return cell(WITHHELD, sort=-1, num=True, ti=withheld)
    return cell(pue(value), sort=-1 if value is None else round(value, 4), num=True)


def percent_cell(fraction: float | None, digits: int = 0) -> dict:
    sort = -1 if fraction is None else round(fraction, 6)
    return cell(percent(fraction, digits), sort=sort, num=True)


# Column cells by record key (``columns.Col.show``).
def energy_at(key: str):
    return lambda rec: energy_cell(rec.get(key))


def power_at(key: str):
    return lambda rec: power_cell(rec.get(key))


def percent_at(key: str):
    return lambda rec: percent_cell(rec.get(key))


def count_at(key: str):
    return lambda rec: cell(rec.get(key), sort=rec.get(key), num=True)
