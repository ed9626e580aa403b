"""When a subscription fires: its RRULE expanded in the site's zone.

The expansion is ``dcim.maintenance.recurrence.occurrences`` (python-dateutil on aware
datetimes in the site's ``ZoneInfo``), so "daily at 07:00" is 07:00 on the wall clock on
both sides of a DST change (05:00 UTC in summer, 06:00 in winter for Europe/Berlin), the
same rule the maintenance schedules follow.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dcim.maintenance.recurrence import RecurrenceError, occurrences, validate_rule

# How far ahead the next occurrence is looked for: a yearly rule still finds its date.
HORIZONS = (timedelta(days=40), timedelta(days=400))

__all__ = ["RecurrenceError", "next_after", "validate_rule", "upcoming"]


def _start(starts_on: date, tz: str) -> datetime:
    return datetime.combine(starts_on, time.min, ZoneInfo(tz))


def next_after(rule: str, starts_on: date, tz: str, after: datetime) -> datetime | None:
    """The first occurrence strictly after ``after`` (aware, in the site's zone), or None
    when the rule has ended (COUNT or UNTIL) or fires less than once in 400 days."""
    dtstart = _start(starts_on, tz)
    for horizon in HORIZONS:
        for at in occurrences(rule, dtstart, max(after, dtstart) + horizon):
            if at > after:
                return at
    return None


def upcoming(rule: str, starts_on: date, tz: str, after: datetime, n: int = 3) -> list[datetime]:
    """The next ``n`` occurrences after ``after``: shown on the page so a person can check
    a rule they wrote before it sends anything."""
    out: list[datetime] = []
    at = after
    while len(out) < n:
        nxt = next_after(rule, starts_on, tz, at)
        if nxt is None:
            break
        out.append(nxt)
        at = nxt
    return out
