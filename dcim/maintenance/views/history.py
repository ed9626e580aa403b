"""The change history of a window and its work order: who, when, and before → after."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dcim.maintenance.models import MaintenanceWindow
from dcim.ui.history import change_words


def timeline(window: MaintenanceWindow, tz: ZoneInfo, limit: int = 200) -> list[dict]:
    """Every historical row of the window, its work order and checklist items, newest first."""
    records = list(window.history.all()[:limit])
    order = getattr(window, "work_order", None)
    if order is not None:
        records += list(order.history.all()[:limit])
        for item in order.items.all():
            records += list(item.history.all()[:20])
        records += list(order.attachments.model.history.filter(work_order_id=order.pk)[:limit])
    records.sort(key=lambda r: r.history_date, reverse=True)
    return [
        {
            "when": f"{r.history_date.astimezone(tz):%Y-%m-%d %H:%M:%S %Z}",
            "who": str(r.history_user) if r.history_user else "system",
            "what": r.instance_type._meta.verbose_name
            + (f" “{r.text}”" if hasattr(r, "text") else ""),
            "changes": change_words(r),
        }
        for r in records[:limit]
    ]
