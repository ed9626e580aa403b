"""What a report states, as plain data that every rendering reads: the HTML email, the
browser preview and its JSON twin, the PDF and the CSV attachments.

A builder (``dcim.reports.build``) fills a ``Report`` from the public functions of the
apps that own the figures; nothing here or in the renderers computes a figure. Each
figure, table and chart carries the absolute URL of the page it comes from, so a manager
reading the email lands on the live page behind any number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass
class Figure:
    """One headline number: ``value`` raw (for JSON), ``text`` as people read it."""

    label: str
    text: str
    link: str
    value: Any = None
    note: str = ""


@dataclass
class Table:
    """A table: ``rows`` of raw values (numbers stay numbers), the units in the header.
    The CSV attachment is exactly ``header`` + ``rows``; the HTML and PDF show ``shown``
    (the same rows formatted for people, under ``shown_header`` when it leaves columns to
    the CSV) when given."""

    name: str
    caption: str
    header: list[str]
    rows: list[list[Any]]
    link: str
    empty: str = "Nothing to show."
    shown: list[list[str]] | None = None
    shown_header: list[str] | None = None  # when ``shown`` has fewer columns than the CSV

    def display_header(self) -> list[str]:
        return self.shown_header or self.header

    def display_rows(self) -> list[list[str]]:
        if self.shown is not None:
            return self.shown
        return [[_plain(v) for v in row] for row in self.rows]


@dataclass
class Series:
    label: str
    values: list[float | None]
    style: str = "bar"  # "bar" or "line"


@dataclass
class Chart:
    """A static chart: categories along x (or y for "barh"), one or more series, an
    optional reference line (a limit), the unit of the values."""

    name: str
    title: str
    link: str
    categories: list[str]
    series: list[Series]
    unit: str = ""
    kind: str = "bars"  # "bars" (vertical, lines allowed) or "barh" (one series)
    limit: float | None = None
    limit_label: str = ""

    @property
    def has_data(self) -> bool:
        return any(v is not None for s in self.series for v in s.values)


@dataclass
class Section:
    heading: str
    link: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    title: str
    site: str
    site_slug: str
    tz: str
    period: str
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def generated_text(self) -> str:
        """When it was made, in the site's time (what a reader there compares with)."""
        return f"{self.generated_at.astimezone(ZoneInfo(self.tz)):%Y-%m-%d %H:%M %Z}"

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def charts(self) -> list[Chart]:
        """The charts with something to draw (an empty frame says nothing)."""
        return [c for s in self.sections for c in s.charts if c.has_data]

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]

    def as_dict(self) -> dict:
        """The JSON twin of the preview: every figure and table, raw values."""
        return {
            "kind": self.kind,
            "title": self.title,
            "site": self.site,
            "tz": self.tz,
            "period": self.period,
            "generated_at": self.generated_at.isoformat(),
            "sections": [
                {
                    "heading": s.heading,
                    "link": s.link,
                    "figures": [
                        {"label": f.label, "value": _json(f.value), "text": f.text, "link": f.link}
                        for f in s.figures
                    ],
                    "tables": [
                        {
                            "name": t.name,
                            "caption": t.caption,
                            "link": t.link,
                            "header": t.header,
                            "rows": [[_json(v) for v in r] for r in t.rows],
                        }
                        for t in s.tables
                    ],
                    "charts": [
                        {"name": c.name, "title": c.title, "link": c.link}
                        for c in s.charts
                        if c.has_data
                    ],
                    "notes": s.notes,
                }
                for s in self.sections
            ],
        }


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(_json(value))
