"""RFC 5545 recurrence (python-dateutil), in the site's wall-clock time.

Expansion happens on aware datetimes in the site's zone (``ZoneInfo``): dateutil steps the
wall-clock fields (07:00 next month) and the zone gives each result its own offset, so a
weekly 07:00 inspection stays 07:00 local across the DST change, 06:00 → 05:00 UTC.
Expanding in UTC instead would move it to 08:00 or 06:00 local for half the year.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dateutil.rrule import rrule, rruleset, rrulestr

# Finer rules are not maintenance and could expand to millions of windows.
REFUSED_FREQS = ("SECONDLY", "MINUTELY")
MAX_OCCURRENCES = 5000


class RecurrenceError(ValueError):
    """A rule that cannot be used, with a message for the person who wrote it."""


def _text(rule: str) -> str:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return text


def validate_rule(rule: str) -> None:
    """Raise RecurrenceError with a clear message when ``rule`` is not a usable RRULE."""
    text = _text(rule)
    if not text:
        raise RecurrenceError("Enter a recurrence rule, e.g. FREQ=MONTHLY;INTERVAL=3.")
    upper = text.upper()
    if any(f"FREQ={f}" in upper for f in REFUSED_FREQS):
        raise RecurrenceError("Maintenance recurs at most hourly: use FREQ=HOURLY or slower.")
    try:
        parsed = rrulestr(text, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise RecurrenceError(f"Not an RFC 5545 RRULE ({exc}).") from exc
    if not isinstance(parsed, rrule):
        raise RecurrenceError("Give one RRULE (exceptions go in the EXDATE list).")


def occurrences(
    rule: str, dtstart: datetime, until: datetime, exdates: Iterable[datetime] = ()
) -> list[datetime]:
    """The occurrences of ``rule`` from ``dtstart`` (aware, in the site's zone) up to and
    including ``until``, less ``exdates`` (matched as instants). Aware results keep the
    local wall-clock time of ``dtstart`` across DST changes."""
    if dtstart.tzinfo is None or until.tzinfo is None:
        raise RecurrenceError("dtstart and until must be timezone-aware.")
    validate_rule(rule)
    text = _text(rule)
    try:
        base = rrulestr(text, dtstart=dtstart)
    except ValueError as exc:
        raise RecurrenceError(str(exc)) from exc
    rules = rruleset()
    rules.rrule(base)
    for ex in exdates:
        rules.exdate(ex if ex.tzinfo else ex.replace(tzinfo=dtstart.tzinfo))
    out = []
    for occurrence in rules.xafter(dtstart, inc=True):
        if occurrence > until or len(out) >= MAX_OCCURRENCES:
            break
        out.append(occurrence)
    return out
