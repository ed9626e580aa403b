"""The Maintenance page: now in maintenance, upcoming, overdue, open work orders, a month
and a week calendar, and warranty and end-of-life expiries, for one site in its time.

One builder serves the page and its JSON twin (``dcim.ui.json_twin``); login is required
(middleware) and Viewers see everything. Acting needs the Operator's permissions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dcim.inventory.models import Site
from dcim.maintenance import lifecycle
from dcim.maintenance.choices import OPEN_STATES, WindowState
from dcim.maintenance.models import MaintenanceWindow
from dcim.maintenance.views import calendar
from dcim.maintenance.views.cells import (
    EXPIRY_COLUMNS,
    PREFETCH,
    WINDOW_COLUMNS,
    expiry_rows,
    window_rows,
)
from dcim.maintenance.windows import live_at, overlapping
from dcim.ui.json_twin import fleet_tz, page_and_api, stamp
from dcim.ui.sites import chosen_site

UPCOMING_DAYS = 30
TABLES = {
    "now": ("In maintenance now", "Nothing is in maintenance now."),
    "upcoming": (f"Upcoming, next {UPCOMING_DAYS} days", "Nothing scheduled."),
    "overdue": ("Overdue: past their end, not finished", "Nothing overdue."),
    "orders": ("Finished windows: open work orders and failed checks", "None."),
}


def _windows(qs) -> list[MaintenanceWindow]:
    return list(
        qs.select_related("site", "work_order").prefetch_related(*PREFETCH, "work_order__items")
    )


def build_list(request: HttpRequest) -> dict[str, Any]:
    """Maintenance of one site (``?site=<slug>``; ``?month=YYYY-MM``, ``?week=YYYY-MM-DD``)."""
    site = chosen_site(request)
    can_act = request.user.has_perm("maintenance.add_maintenancewindow")
    if site is None:
        return stamp({"site": None, "sites": [], "tiles": {}, "tables": {}}, fleet_tz())
    tz, now = ZoneInfo(site.timezone), timezone.now()
    today = now.astimezone(tz).date()
    mine = MaintenanceWindow.objects.filter(site=site)
    live = _windows(mine.filter(live_at(now)))
    upcoming = _windows(
        mine.filter(
            state=WindowState.SCHEDULED,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
        )[:100]
    )
    overdue = _windows(mine.filter(state__in=OPEN_STATES, ends_at__lt=now))
    orders = _windows(
        mine.filter(state=WindowState.DONE)
        .filter(Q(work_order__completed_at__isnull=True) | Q(work_order__items__result="fail"))
        .distinct()
    )
    month, monday = calendar.parse_month(request, today), calendar.parse_week(request, today)
    lo, hi = calendar.span(month, monday, tz)
    shown = _windows(overlapping(lo, hi).filter(site=site).exclude(state=WindowState.CANCELLED))
    expiries = lifecycle.expiry_lists(today)
    return stamp(
        {
            "site": {"slug": site.slug, "name": site.name, "tz": site.timezone},
            "sites": [
                {"slug": s, "name": n}
                for s, n in Site.objects.order_by("name").values_list("slug", "name")
            ],
            "can_act": can_act,
            "new_url": reverse("maintenance:create") + f"?site={site.slug}",
            "tiles": {
                "now": str(len(live)),
                "upcoming": str(len(upcoming)),
                "overdue": str(len(overdue)),
                "orders": str(len(orders)),
                "expired": str(len(expiries["expired"])),
                "expiring": str(len(expiries["within 30 days"])),
            },
            "tables": {
                "now": window_rows(live, tz, now),
                "upcoming": window_rows(upcoming, tz, now),
                "overdue": window_rows(overdue, tz, now),
                "orders": window_rows(orders, tz, now),
                "expiries": expiry_rows([e for band in expiries.values() for e in band]),
            },
            "columns": {"windows": WINDOW_COLUMNS, "expiries": EXPIRY_COLUMNS},
            "captions": {k: v[0] for k, v in TABLES.items()},
            "empties": {k: v[1] for k, v in TABLES.items()},
            "expiry_counts": {band: len(items) for band, items in expiries.items()},
            "month": calendar.month_grid(shown, month, today, tz),
            "week": calendar.week_days(shown, monday, today, tz),
        },
        tz,
    )


page, page_api = page_and_api("maintenance/list.html", build_list, "maintenance:list_api")
