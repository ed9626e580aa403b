"""Read the Power & PUE page as a person reads it: a tile's text, a table's rows of cell
texts. (The dashboard's test helpers sit in a layer above energy's, so not imported.)"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser


class _Rows(HTMLParser):
    """The body rows of ``<table id=table_id>`` as lists of their cells' visible text."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.in_head = table_id, False, False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "thead":
            self.in_head = True
        elif self.inside and not self.in_head and tag == "tr":
            self.rows.append([])
        elif self.inside and not self.in_head and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    reader = _Rows(table_id)
    reader.feed(html)
    assert f'id="{table_id}"' in html, f"no table {table_id!r}"
    return reader.rows


def tile(html: str, key: str) -> str:
    """The visible text of the element ``data-tile=key`` (its last attribute)."""
    found = re.search(rf'data-tile="{re.escape(key)}">([^<]*)<', html)
    assert found, f"no tile {key!r}"
    return unescape(found.group(1))
