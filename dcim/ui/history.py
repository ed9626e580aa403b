"""Change history in words, for the pages that show who changed what and when.

Reads django-simple-history rows: ``field: before → after`` for plain fields; for a
many-to-many field (``m2m_fields``), the objects added and removed by name
(``devices: + B07-SRV-01, − M01``; one deleted since, by its id).
"""

from __future__ import annotations


def change_words(record) -> list[str]:
    """What one historical row changed against the row before it."""
    if record.history_type == "-":
        return ["deleted"]
    prev = record.prev_record
    if prev is None:
        return ["created"]
    try:
        delta = record.diff_against(prev)
    except Exception:  # a model changed shape since the old row: still list the row
        return ["changed"]
    out = []
    for c in delta.changes:
        old, new = c.old, c.new
        if isinstance(old, list) or isinstance(new, list):
            out.append(_related_change(record.instance_type, c.field, old or [], new or []))
        else:
            out.append(f"{c.field}: {_shown(old)} → {_shown(new)}")
    return out or ["saved, nothing changed"]


def _shown(value) -> str:
    """A value as the row had it; an empty one as a dash (False and 0 are values)."""
    return "—" if value is None or value == "" else str(value)


def _related_change(model, field: str, old: list[dict], new: list[dict]) -> str:
    """``users: + olga, − otto`` from the two sets of through rows, which name the related
    object by its model (``{"maintenancewindow": 1, "device": 3}``)."""
    related = model._meta.get_field(field).related_model
    key = related._meta.model_name
    before, after = {r.get(key) for r in old}, {r.get(key) for r in new}
    added, removed = sorted(after - before), sorted(before - after)
    found = related.objects.in_bulk(added + removed)
    names = {pk: str(found[pk]) if pk in found else f"#{pk} (deleted)" for pk in added + removed}
    words = [f"+ {names[pk]}" for pk in added] + [f"− {names[pk]}" for pk in removed]
    return f"{field.replace('_', ' ')}: {', '.join(words) or 'unchanged'}"
