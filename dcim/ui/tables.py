"""Table cells as data, rendered the same way by the server and by the live-refresh script.

A page builds its tables as lists of rows of cells (plain dicts, JSON-ready). The first
render is server-side (``render_rows``); each refresh sends the same cells as JSON and
static/js/dcim-live.js builds the same markup. So a value is formatted once, in Python,
and a refreshed table cannot drift from the first one.

Cell keys: ``t`` text, ``v`` sort value, ``h`` link, ``b`` badge tone (the text is then a
status badge: words and colour), ``st`` status value for the badge, ``n`` numeric
(right-aligned), ``sp`` sparkline points (an SVG polyline), ``ti`` the cell's hover title
(e.g. what a metric means).

On the wire (JSON twins) a table travels pooled: ``{"cells": [...], "rows": [[i, ...]]}``,
each distinct cell once and rows as indices into it (``pooled``). The GPU table's 24,576
cells hold ~2,500 distinct ones (hosts, states, "63 %"): pooled it is 7× smaller and its
JSON 8× faster to write (docs/decisions/0014).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dcim.ui.status import tone_for

DASH = "—"


def cell(
    text: Any, sort: Any = None, href: str | None = None, num: bool = False, **extra: Any
) -> dict[str, Any]:
    """One cell. ``sort`` defaults to the text; None values show as a dash."""
    c: dict[str, Any] = {"t": DASH if text is None or text == "" else str(text)}
    if sort is not None:
        c["v"] = sort
    if href:
        c["h"] = href
    if num:
        c["n"] = 1
    c.update(extra)
    return c


def linker(name: str):
    """``linker("dashboard:device")(pk)`` -> its URL. ``reverse()`` costs ~50 µs a call; a
    table of 2,048 GPUs links 4,096 times, so the pattern is resolved once."""
    prefix, _, suffix = reverse(name, args=[987654321]).partition("987654321")
    return lambda pk: f"{prefix}{pk}{suffix}"


def number(value: float | None, digits: int = 1, unit: str = "", scale: float = 1.0) -> dict:
    """A right-aligned number with its unit; sorts by value, missing values sort first."""
    if value is None:
        return cell(None, sort=-1e18, num=True)
    v = value * scale
    return cell(f"{v:,.{digits}f}{unit}", sort=round(v, 6), num=True)


def pooled(rows: list[list[dict]]) -> dict[str, list]:
    """A table as its distinct cells and rows of indices into them. Cells are told apart
    by identity: builders share a cell where it repeats (a host, a state,
    ``units.measures``)."""
    cells: list[dict] = []
    where: dict[int, int] = {}
    out = []
    for row in rows:
        line = []
        for c in row:
            i = where.get(id(c))
            if i is None:
                i = where[id(c)] = len(cells)
                cells.append(c)
            line.append(i)
        out.append(line)
    return {"cells": cells, "rows": out}


def unpooled(table: dict[str, list]) -> list[list[dict]]:
    """Rows of cells back from ``pooled`` (for readers of the JSON twins, and tests)."""
    cells = table["cells"]
    return [[cells[i] for i in row] for row in table["rows"]]


def badge(value: str, label: str | None = None, tone: str | None = None) -> dict:
    """A status cell: the word and a colour (tone from the shared status tag if not given)."""
    text = label or value.replace("_", " ").capitalize()
    return cell(text, sort=text, b=tone or tone_for(value), st=value)


def when(ts: datetime | None, tz: ZoneInfo, now: datetime) -> dict:
    """A time in the site's zone, the zone named, plus how long ago, sorting by age:
    "10 s ago (14:03:11 CET)"."""
    if ts is None:
        return cell("never", sort=-1)
    return cell(f"{ago(ts, now)} ({ts.astimezone(tz):%H:%M:%S %Z})", sort=ts.timestamp())


def ago(ts: datetime, now: datetime) -> str:
    s = max(0, int((now - ts).total_seconds()))
    if s < 90:
        return f"{s} s ago"
    if s < 5400:
        return f"{s // 60} min ago"
    if s < 172800:
        return f"{s // 3600} h ago"
    return f"{s // 86400} days ago"


def _cell_html(c: dict, tag: str) -> str:
    cls = ' class="num"' if c.get("n") else ""
    sort = f' data-sort="{escape(c["v"])}"' if "v" in c else ""
    text = escape(c["t"])
    if "b" in c:
        text = (
            f'<span class="badge badge-{escape(c["b"])}" '
            f'data-status="{escape(c.get("st", ""))}">{text}</span>'
        )
    if c.get("h"):
        text = f'<a href="{escape(c["h"])}">{text}</a>'
    if c.get("sp"):
        text = (
            f'<svg class="spark" viewBox="0 0 100 20" aria-hidden="true" '
            f'preserveAspectRatio="none"><polyline points="{escape(c["sp"])}"/></svg>' + text
        )
    scope = ' scope="row"' if tag == "th" else ""
    title = f' title="{escape(c["ti"])}"' if c.get("ti") else ""
    return f"<{tag}{scope}{cls}{sort}{title}>{text}</{tag}>"


def render_rows(
    rows: list[list[dict]], empty: str = "Nothing to show.", cols: int = 1
) -> SafeString:
    """``<tr>`` rows: the first cell a row header. Plain string building: a 2,000-row table
    through the template engine costs more than the whole page budget."""
    if not rows:
        return mark_safe(  # noqa: S308 - the only value is escaped
            f'<tr class="empty-row"><td colspan="{cols}" class="muted">{escape(empty)}</td></tr>'
        )
    out = []
    for row in rows:
        cells = [_cell_html(row[0], "th")] + [_cell_html(c, "td") for c in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
