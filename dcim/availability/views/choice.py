"""The site and period a HA page shows, from the query string; bad input is a clear
message on the page (and in its JSON), never a guess."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date

from dcim.availability.figures import PERIOD_KINDS, Period, calendar_period, custom_period

CHOICES = [
    ("month", "This month"),
    ("quarter", "This quarter"),
    ("year", "This year"),
    ("custom", "From – to"),
]


@dataclass
class PeriodChoice:
    period: Period
    kind: str
    error: str = ""

    def as_data(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "error": self.error,
            "choices": CHOICES,
        }


def chosen_period(request: HttpRequest, tz: ZoneInfo, now: datetime | None = None) -> PeriodChoice:
    """``?period=month|quarter|year`` (the current one, so far), or ``custom`` with
    ``start`` and ``end`` dates (end inclusive, site time)."""
    now = now or timezone.now()
    kind = request.GET.get("period", "month")
    if kind in PERIOD_KINDS:
        return PeriodChoice(calendar_period(kind, tz, now), kind)
    if kind == "custom":
        start, end = (
            _date(request.GET.get("start", "")),
            _date(request.GET.get("end", "")),
        )
        if start is None or end is None:
            why = "A custom period needs a start and an end date (YYYY-MM-DD)."
        elif end < start:
            why = "The end date is before the start date."
        else:
            lo = datetime.combine(start, time(), tz)
            hi = datetime.combine(end + timedelta(days=1), time(), tz)  # end day included
            return PeriodChoice(custom_period(lo, hi, tz), kind)
        return PeriodChoice(
            calendar_period("month", tz, now), "month", why + " Showing this month."
        )
    return PeriodChoice(
        calendar_period("month", tz, now),
        "month",
        f"Unknown period {kind!r}: month, quarter, year or custom. Showing this month.",
    )


def _date(text: str):
    try:
        return parse_date(text.strip())
    except ValueError:  # well formed but not a date: 2026-02-30
        return None
