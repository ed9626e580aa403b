"""The month and week calendars: days in the site's zone, each with the windows that
touch it (a window over midnight shows on every day it spans)."""

from __future__ import annotations

import calendar as cal
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpRequest

from dcim.maintenance.models import MaintenanceWindow
from dcim.maintenance.views.cells import STATE_TONES
from dcim.ui.tables import linker


def parse_month(request: HttpRequest, today: date) -> date:
    """``?month=YYYY-MM``, else this month; a bad value falls back to this month."""
    try:
        y, m = (int(x) for x in request.GET.get("month", "").split("-"))
        return date(y, m, 1)
    except ValueError:
        return today.replace(day=1)


def parse_week(request: HttpRequest, today: date) -> date:
    """``?week=YYYY-MM-DD`` (any day of it), else this week; its Monday."""
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


def local_midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(), tzinfo=tz)


def by_day(windows: list[MaintenanceWindow], first: date, last: date, tz: ZoneInfo) -> dict:
    link = linker("maintenance:detail")
    days: dict[date, list[dict]] = {}
    for w in windows:
        start, end = w.effective_start.astimezone(tz), w.effective_end.astimezone(tz)
        d = max(start.date(), first)
        last_day = min((end - timedelta(microseconds=1)).date(), last)
        while d <= last_day:
            days.setdefault(d, []).append(
                {
                    "title": w.title,
                    "url": link(w.pk),
                    "time": f"{start:%H:%M}" if d == start.date() else "cont.",
                    "state": w.get_state_display(),
                    "tone": STATE_TONES[w.state],
                }
            )
            d += timedelta(days=1)
    return days


def month_grid(windows: list[MaintenanceWindow], month: date, today: date, tz: ZoneInfo) -> dict:
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    days = by_day(windows, weeks[0][0], weeks[-1][-1], tz)
    prev = (month - timedelta(days=1)).replace(day=1)
    nxt = (month + timedelta(days=32)).replace(day=1)
    return {
        "title": f"{month:%B %Y}",
        "prev": f"{prev:%Y-%m}",
        "next": f"{nxt:%Y-%m}",
        "weeks": [
            [
                {
                    "date": d.isoformat(),
                    "day": d.day,
                    "in_month": d.month == month.month,
                    "today": d == today,
                    "items": days.get(d, []),
                }
                for d in week
            ]
            for week in weeks
        ],
    }


def week_days(windows: list[MaintenanceWindow], monday: date, today: date, tz: ZoneInfo) -> dict:
    sunday = monday + timedelta(days=6)
    days = by_day(windows, monday, sunday, tz)
    return {
        "title": f"Week of {monday:%d %b %Y}",
        "prev": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "days": [
            {
                "date": d.isoformat(),
                "label": f"{d:%a %d %b}",
                "today": d == today,
                "items": days.get(d, []),
            }
            for d in (monday + timedelta(days=i) for i in range(7))
        ],
    }


def span(month: date, monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants both calendars cover (the month's grid and the week)."""
    weeks = cal.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    lo = min(weeks[0][0], monday)
    hi = max(weeks[-1][-1], monday + timedelta(days=6)) + timedelta(days=1)
    return local_midnight(lo, tz), local_midnight(hi, tz)
