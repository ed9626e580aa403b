"""Read rendered pages the way a user reads them: table rows, links and text, not raw markup."""

import re
from html import unescape
from html.parser import HTMLParser


class _TableReader(HTMLParser):
    """Collect the body rows of the table with a given id as lists of cell texts, and the
    link (``href``) each cell holds, if any."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.depth, self.rows, self.links = table_id, 0, [], []
        self.cell: list[str] | None = None
        self.href: str | None = None
        self.in_thead = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth == 1 and tag == "thead":
            self.in_thead = True
        elif self.depth == 1 and tag == "tr" and not self.in_thead:
            self.rows.append([])
            self.links.append([])
        elif self.depth == 1 and tag in ("td", "th") and not self.in_thead:
            self.cell, self.href = [], None
        elif tag == "a" and self.cell is not None and self.href is None:
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "thead":
            self.in_thead = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.links[-1].append(self.href)
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _read(html: str, table_id: str) -> _TableReader:
    reader = _TableReader(table_id)
    reader.feed(html)
    assert reader.rows or f'id="{table_id}"' in html, f"no table with id {table_id!r}"
    return reader


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The body rows of ``<table id=table_id>``, each a list of its cells' visible text."""
    return _read(html, table_id).rows


def table_links(html: str, table_id: str) -> list[list[str | None]]:
    """The same rows as ``table_rows``, each cell as the link it holds (None if none)."""
    return _read(html, table_id).links


def counts(html: str, table_id: str) -> dict[str, int]:
    """A two-or-more column table read as {first cell: second cell as an int}."""
    return {row[0]: int(row[1]) for row in table_rows(html, table_id)}


def tile(html: str, key: str) -> str:
    """The visible text of the live tile (or note) ``data-tile=key``."""
    found = re.search(rf'data-tile="{re.escape(key)}">([^<]*)<', html)
    assert found, f"no tile {key!r}"
    return unescape(found.group(1))
