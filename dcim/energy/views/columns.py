"""A table of the Power & PUE page, defined once for the page, its JSON twin and its CSV.

A section yields records (plain dicts of raw values: kWh, fractions, ISO times in site
time); a ``Table`` turns them into page cells (``dcim.ui.tables`` cells, formatted for
people) and into CSV rows (the raw values, the unit in the header), so an exported number
is the one the page rounded, never a second computation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dcim.csv_safe import safe_cell
from dcim.ui.tables import cell

Record = dict[str, Any]


def _plain(key: str) -> Callable[[Record], dict]:
    return lambda rec: cell(rec.get(key))


@dataclass(frozen=True)
class Col:
    """One column: ``key`` into the record, the page ``label`` (no commas: the page's
    column spec is comma-separated), the ``unit`` the CSV header states, and how a page
    cell shows the record (default: the raw value as text)."""

    key: str
    label: str
    unit: str = ""
    show: Callable[[Record], dict] | None = None
    num: bool = False

    def cell(self, rec: Record) -> dict:
        return (self.show or _plain(self.key))(rec)

    @property
    def csv_label(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True)
class Table:
    name: str
    caption: str
    cols: tuple[Col, ...]
    empty: str = "Nothing to show."

    @property
    def header(self) -> str:
        """The page's column spec, "Room,pPUE|n,…" (``|n``: a numeric column)."""
        return ",".join(c.label + ("|n" if c.num else "") for c in self.cols)

    def rows(self, records: list[Record]) -> list[list[dict]]:
        return [[c.cell(rec) for c in self.cols] for rec in records]

    def csv_header(self) -> list[str]:
        return [c.csv_label for c in self.cols]

    def csv_row(self, rec: Record) -> list[Any]:
        return [_csv_value(rec.get(c.key)) for c in self.cols]


def _csv_value(value: Any) -> Any:
    """Numbers as they are (rounded to what a meter can tell), text made safe for
    spreadsheets: a leading = + - @ would run as a formula (OWASP CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return round(value, 6)
    return safe_cell(value)
