"""Template helpers for the operator pages: live tables and JSON for scripts."""

from django import template
from django.utils.safestring import SafeString

from dcim.ui.tables import render_rows

register = template.Library()


@register.simple_tag
def table_rows(rows: list, empty: str = "Nothing to show.", cols: int = 1) -> SafeString:
    """The ``<tr>`` rows of a live table (see dcim.ui.tables)."""
    return render_rows(rows or [], empty, cols)


@register.filter
def columns(spec: str) -> list[dict]:
    """``"Rack,Power|n"`` -> column dicts; ``|n`` marks a numeric (right-aligned) column.
    Headers stay in the template, next to the markup they belong to."""
    out = []
    for part in spec.split(","):
        label, _, flag = part.partition("|")
        out.append({"label": label.strip(), "num": flag == "n"})
    return out


@register.filter
def split(text: str) -> list[str]:
    return text.split()
