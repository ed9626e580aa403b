"""Reporting periods in a site's own time: a day is its local day (23 or 25 hours on the
days clocks change), a month its local month. Every period is [start, end) in UTC, on
whole hours, since the ledger's step is the hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

KINDS = ("today", "day", "week", "month", "year", "7d", "30d", "t12m", "custom")


class PeriodError(ValueError):
    """A period that cannot be worked out, in words for the user."""


@dataclass(frozen=True)
class Period:
    start: datetime  # UTC
    end: datetime  # UTC, exclusive
    label: str

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def _midnight(d: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(d, time.min, zone).astimezone(UTC)


def _hour(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def period(
    kind: str,
    tz: str,
    *,
    now: datetime,
    on: date | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Period:
    """The period ``kind`` in zone ``tz``. ``on`` picks the day, week, month or year that
    holds it (default: today); "7d", "30d" and "t12m" end with today; "custom" takes
    ``start`` and ``end`` (aware, or naive meaning site time), floored to the hour."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    d = on or today
    if kind == "today":
        return Period(_midnight(today, zone), _midnight(today + timedelta(days=1), zone), "Today")
    if kind == "day":
        return Period(_midnight(d, zone), _midnight(d + timedelta(days=1), zone), f"{d}")
    if kind == "week":
        monday = d - timedelta(days=d.weekday())
        return Period(
            _midnight(monday, zone),
            _midnight(monday + timedelta(days=7), zone),
            f"Week {monday:%G-W%V}",
        )
    if kind == "month":
        first = d.replace(day=1)
        return Period(
            _midnight(first, zone),
            _midnight(first + relativedelta(months=1), zone),
            f"{first:%Y-%m}",
        )
    if kind == "year":
        first = date(d.year, 1, 1)
        return Period(_midnight(first, zone), _midnight(date(d.year + 1, 1, 1), zone), f"{d.year}")
    if kind in ("7d", "30d"):
        days = 7 if kind == "7d" else 30
        end_day = today + timedelta(days=1)
        return Period(
            _midnight(end_day - timedelta(days=days), zone),
            _midnight(end_day, zone),
            f"{days} days",
        )
    if kind == "t12m":
        end_day = today + timedelta(days=1)
        return Period(
            _midnight(end_day - relativedelta(months=12), zone),
            _midnight(end_day, zone),
            "Trailing 12 months",
        )
    if kind == "custom":
        if start is None or end is None:
            raise PeriodError("A custom period needs a start and an end.")
        start, end = (t if t.tzinfo else t.replace(tzinfo=zone) for t in (start, end))
        s, e = _hour(start), _hour(end)
        if e <= s:
            raise PeriodError("The period ends before it starts (or within its first hour).")
        return Period(
            s, e, f"{s.astimezone(zone):%Y-%m-%d %H:%M} – {e.astimezone(zone):%Y-%m-%d %H:%M}"
        )
    raise PeriodError(f"Unknown period {kind!r}: one of {', '.join(KINDS)}.")
