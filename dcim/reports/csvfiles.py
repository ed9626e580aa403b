"""CSV attachments: one file per table of the report, the raw values with the units in
the header, so a spreadsheet gets 1234.5 (kWh), not "1.23 MWh"."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from dcim.csv_safe import safe_cell
from dcim.reports.content import Report, Table


def safe(value: Any) -> Any:
    """A cell value a spreadsheet reads as data: numbers as they are, dates in ISO form,
    text that could start a formula escaped (``dcim.csv_safe``, the product's one rule)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return round(value, 6) if isinstance(value, float) else value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return safe_cell(str(value))


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe(h) for h in table.header])
    for row in table.rows:
        writer.writerow([safe(v) for v in row])
    return out.getvalue()


def filename(report: Report, table: Table) -> str:
    return f"{report.kind}-{report.site_slug}-{table.name}.csv"


def attachments(report: Report) -> list[tuple[str, str]]:
    """(file name, CSV text) per table."""
    return [(filename(report, t), table_csv(t)) for t in report.tables()]
