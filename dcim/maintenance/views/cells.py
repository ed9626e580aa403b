"""Table cells of windows and expiries, built once for the page and its JSON twin."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dcim.maintenance.choices import WindowState
from dcim.maintenance.lifecycle import Expiry
from dcim.maintenance.models import MaintenanceWindow
from dcim.ui.tables import badge, cell, linker

STATE_TONES = {
    WindowState.SCHEDULED: "info",
    WindowState.IN_PROGRESS: "warn",
    WindowState.DONE: "ok",
    WindowState.CANCELLED: "muted",
}
WINDOW_COLUMNS = "Window,Kind,State,Starts (site time),Ends,Assets,Work order"
EXPIRY_COLUMNS = "Device,What,Date,Days|n,Site"
PREFETCH = ("devices", "racks", "rooms", "power_panels", "power_feeds__panel", "cooling_units")


def state_badge(w: MaintenanceWindow, now: datetime) -> dict:
    if w.is_overdue(now):
        return badge("overdue", f"{w.get_state_display()} · overdue", "crit")
    return badge(w.state, w.get_state_display(), STATE_TONES[w.state])


def order_words(w: MaintenanceWindow) -> dict:
    """The work order's state: open, done, or done with failed items (which stay shown)."""
    order = getattr(w, "work_order", None)
    if order is None:
        return cell("none")
    items = list(order.items.all())
    failed = sum(1 for i in items if i.result == "fail")
    done = sum(1 for i in items if i.result != "open")
    text = f"{done}/{len(items)} items" if items else "no checklist"
    if failed:
        return badge("failed", f"{text} · {failed} failed", "crit")
    if order.completed_at:
        return badge("completed", f"completed · {text}", "ok")
    return badge("open", f"open · {text}", "warn" if w.state == WindowState.DONE else "info")


def window_rows(windows: list[MaintenanceWindow], tz: ZoneInfo, now: datetime) -> list[list[dict]]:
    link = linker("maintenance:detail")
    rows = []
    for w in windows:
        start, end = w.effective_start.astimezone(tz), w.ends_at.astimezone(tz)
        assets = w.asset_names()
        rows.append(
            [
                cell(w.title, href=link(w.pk)),
                cell(w.get_kind_display()),
                state_badge(w, now),
                cell(f"{start:%Y-%m-%d %H:%M %Z}", sort=start.timestamp()),
                cell(f"{end:%Y-%m-%d %H:%M %Z}", sort=end.timestamp()),
                cell(", ".join(assets[:4]) + (f" +{len(assets) - 4}" if len(assets) > 4 else "")),
                order_words(w),
            ]
        )
    return rows


def expiry_rows(expiries: list[Expiry]) -> list[list[dict]]:
    link = linker("dashboard:device")
    return [
        [
            cell(e.device.name, href=link(e.device.pk)),
            cell(e.what),
            cell(f"{e.on:%Y-%m-%d}", sort=e.on.isoformat()),
            cell(str(e.days), sort=e.days, num=True),
            cell(e.device.site.name),
        ]
        for e in expiries
    ]
