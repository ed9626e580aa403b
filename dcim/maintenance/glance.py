"""Maintenance at a glance, for other pages: a device's or rack's current and next windows,
and the Overview's tile. The dashboard (a layer above) calls these; they return words and
links, ready to show."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.urls import reverse

from dcim.maintenance.choices import OPEN_STATES, WindowState
from dcim.maintenance.models import MaintenanceWindow
from dcim.maintenance.windows import current_and_next, live_at


def describe(w: MaintenanceWindow, tz: ZoneInfo) -> dict[str, str]:
    start, end = w.effective_start.astimezone(tz), w.ends_at.astimezone(tz)
    return {
        "title": w.title,
        "url": reverse("maintenance:detail", args=[w.pk]),
        "state": w.get_state_display(),
        "when": f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M %Z}",
    }


def for_devices(
    device_ids: set[int], tz: ZoneInfo, now: datetime, site_id: int | None = None
) -> dict:
    """The windows holding any of these devices now, and the next scheduled one (within
    120 days)."""
    current, upcoming = current_and_next(set(device_ids), now, ahead=120, site_id=site_id)
    return {
        "current": [describe(w, tz) for w in current],
        "next": describe(upcoming, tz) if upcoming else None,
    }


def tiles(now: datetime, tz: ZoneInfo) -> dict[str, str]:
    """The Overview's maintenance tile: windows now, the next one, overdue and open orders
    (two queries: the Overview's query count is bounded)."""
    counts = MaintenanceWindow.objects.aggregate(
        live=Count("pk", filter=live_at(now)),
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, ends_at__lt=now)),
        open_orders=Count(
            "pk", filter=Q(state=WindowState.DONE, work_order__completed_at__isnull=True)
        ),
    )
    live, overdue, open_orders = counts["live"], counts["overdue"], counts["open_orders"]
    upcoming = (
        MaintenanceWindow.objects.filter(state=WindowState.SCHEDULED, starts_at__gt=now)
        .order_by("starts_at")
        .only("title", "starts_at")
        .first()
    )
    note = (
        f"Next: {upcoming.title}, {upcoming.starts_at.astimezone(tz):%a %d %b %H:%M %Z}"
        if upcoming
        else "Nothing scheduled."
    )
    return {
        "maintenance_now": f"{live} in maintenance now",
        "maintenance_note": f"{note} · {overdue} overdue · {open_orders} open work orders",
    }
