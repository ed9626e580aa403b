"""Ledger totals per series over windows of whole hours, read as few rows as possible.

A window [lo, hi) splits into the whole local days it holds (``EnergyDay``: one row per
series and day) and the hours at either edge (``EnergyHour``), so 30 days of 2,000 GPUs is
~60,000 day rows summed in the database, not 1.4 million hours. A local day here is what
``dcim.energy.ledger.rebuild_days`` sums: the UTC hours whose start falls on that date in
the site's zone (23, 24 or 25 of them).

An edge that is most of a day is read as that day less the hours it does not hold: "30
days" ends with today so far, which is today's ``EnergyDay`` row (the ledger keeps the
open day, open hour included) less the open hour, two rows per series instead of up to 23.
The ledger rebuilds days right after hours in each run, so for the seconds of a run a day
can lag its hours by one run (minutes of energy, in a month's total).

All windows are answered by one statement, summed by window and series in the database.
The window most series are asked over (the whole period) is read with one scan per table
(``series_id = ANY(array)``); the others (tenants' parts of the period) are rows (window,
series, range), each summed by its own range scan of the primary key (a ``LATERAL``
subquery, so the plan stays a probe per row whatever the tables' size). Ids travel as arrays: 2,300
placeholders cost more to build than the query takes to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

HOUR = timedelta(hours=1)
NO_DAY = date(1970, 1, 1)

Total = tuple[float, float]  # (quantity: kWh, or litres for water; covered seconds)


def floor_hour(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def ceil_hour(t: datetime) -> datetime:
    floor = floor_hour(t)
    return floor if floor == t else floor + HOUR


@dataclass(frozen=True)
class Window:
    """[lo, hi) in UTC on whole hours."""

    lo: datetime
    hi: datetime

    @property
    def seconds(self) -> float:
        return max((self.hi - self.lo).total_seconds(), 0.0)

    def clip(self, start: datetime | None, end: datetime | None) -> Window:
        """The part of this window from ``start`` to ``end`` (either open when None), each
        rounded up to the hour: the hour starting at h belongs to what is in force at h."""
        lo = max(self.lo, ceil_hour(start)) if start else self.lo
        hi = min(self.hi, ceil_hour(end)) if end else self.hi
        return Window(lo, max(lo, hi))


@dataclass
class Reading:
    """How to read a window: days [first, last), plus hour ranges, minus hour ranges."""

    days: tuple[date, date] | None = None
    plus: list[tuple[datetime, datetime]] = field(default_factory=list)
    minus: list[tuple[datetime, datetime]] = field(default_factory=list)


def _day_start(d: date, zone: ZoneInfo) -> datetime:
    """The first ledger hour of local day ``d``."""
    return ceil_hour(datetime.combine(d, time.min, zone).astimezone(UTC))


def split(w: Window, tz: str, now: datetime | None = None) -> Reading:
    """How to read ``w`` with the fewest rows. Hours from the hour after ``now`` on have no
    ledger row yet, which makes a day less its future hours two rows (default: never)."""
    zone = ZoneInfo(tz)
    horizon = floor_hour(now) + HOUR if now else datetime.max.replace(tzinfo=UTC)

    def rows(lo: datetime, hi: datetime) -> int:
        return max(int((min(hi, horizon) - lo) / HOUR), 0)

    if w.hi <= w.lo:
        return Reading()
    first, last = w.lo.astimezone(zone).date(), w.hi.astimezone(zone).date()
    if _day_start(first, zone) < w.lo:
        first += timedelta(days=1)
    r = Reading()
    if first >= last:  # within one day (or across one midnight): no whole day
        day = w.lo.astimezone(zone).date()
        s, e = _day_start(day, zone), _day_start(day + timedelta(days=1), zone)
        if e >= w.hi and 1 + rows(s, w.lo) + rows(w.hi, e) < rows(w.lo, w.hi):
            r.days, r.minus = (day, day + timedelta(days=1)), [(s, w.lo), (w.hi, e)]
        else:
            r.plus = [(w.lo, w.hi)]
        r.minus = [m for m in r.minus if m[1] > m[0]]
        return r
    d0, d1 = first, last
    a, b = _day_start(first, zone), _day_start(last, zone)
    if w.lo < a:  # the leading edge: the end of the day before
        s = _day_start(first - timedelta(days=1), zone)
        if 1 + rows(s, w.lo) < rows(w.lo, a):
            d0, r.minus = first - timedelta(days=1), [(s, w.lo)]
        else:
            r.plus.append((w.lo, a))
    if b < w.hi:  # the trailing edge: the start of the last day
        e = _day_start(last + timedelta(days=1), zone)
        if 1 + rows(w.hi, e) < rows(b, w.hi):
            d1 = last + timedelta(days=1)
            r.minus.append((w.hi, e))
        else:
            r.plus.append((b, w.hi))
    r.days = (d0, d1)
    return r


TOTALS_SQL = """
SELECT 0, series_id, sum(quantity), sum(covered_s) FROM energy_energyday
WHERE series_id = ANY(%(ids)s::int[]) AND day >= %(d0)s AND day < %(d1)s
GROUP BY series_id
UNION ALL
SELECT 0, series_id, sum(quantity), sum(covered_s) FROM energy_energyhour
WHERE series_id = ANY(%(ids)s::int[])
  AND (hour >= %(p0)s AND hour < %(p1)s OR hour >= %(p2)s AND hour < %(p3)s)
GROUP BY series_id
UNION ALL
SELECT 0, series_id, -sum(quantity), -sum(covered_s) FROM energy_energyhour
WHERE series_id = ANY(%(ids)s::int[])
  AND (hour >= %(m0)s AND hour < %(m1)s OR hour >= %(m2)s AND hour < %(m3)s)
GROUP BY series_id
UNION ALL
SELECT r.k, r.sid, s.q, s.c
FROM unnest(%(rk)s::int[], %(rs)s::int[]) AS r(k, sid)
CROSS JOIN LATERAL (
    SELECT sum(e.quantity) AS q, sum(e.covered_s) AS c FROM energy_energyday e
    WHERE e.series_id = r.sid
      AND e.day >= (%(dlo)s::date[])[r.k] AND e.day < (%(dhi)s::date[])[r.k]
) AS s
WHERE s.c IS NOT NULL
UNION ALL
SELECT h.k, h.sid, (%(hsign)s::int[])[h.r] * s.q, (%(hsign)s::int[])[h.r] * s.c
FROM unnest(%(hk)s::int[], %(hs)s::int[], %(hr)s::int[]) AS h(k, sid, r)
CROSS JOIN LATERAL (
    SELECT sum(e.quantity) AS q, sum(e.covered_s) AS c FROM energy_energyhour e
    WHERE e.series_id = h.sid
      AND e.hour >= (%(hlo)s::timestamptz[])[h.r] AND e.hour < (%(hhi)s::timestamptz[])[h.r]
) AS s
WHERE s.c IS NOT NULL
"""


def totals(
    wanted: dict[Window, set[int]], tz: str, now: datetime | None = None
) -> dict[Window, dict[int, Total]]:
    """{window: {series id: (quantity, covered seconds)}} for each window and the series
    asked for in it; a series with no ledger row in a window is left out (nothing
    covered). ``now`` only helps choose which rows to read. One statement."""
    windows = [w for w, ids in wanted.items() if ids and w.hi > w.lo]
    windows.sort(key=lambda w: -len(wanted[w]))  # the main window first: k = 0
    out: dict[Window, dict[int, Total]] = {w: {} for w in windows}
    if not windows:
        return out
    p = _main(windows[0], wanted[windows[0]], split(windows[0], tz, now))
    # Other windows: (window, series) rows for days, (window, series, range) rows for
    # hours; a window's days and ranges are looked up by index (1-based, as PostgreSQL's
    # arrays), so that they stay in the primary key's index condition.
    p |= {k: [] for k in ("rk", "rs", "dlo", "dhi", "hk", "hs", "hr", "hlo", "hhi", "hsign")}
    for k, w in enumerate(windows[1:], start=1):
        ids = sorted(wanted[w])
        r = split(w, tz, now)
        d0, d1 = r.days or (NO_DAY, NO_DAY)
        p["dlo"].append(d0)
        p["dhi"].append(d1)
        if r.days:
            p["rk"] += [k] * len(ids)
            p["rs"] += ids
        for sign, ranges in ((1, r.plus), (-1, r.minus)):
            for lo, hi in ranges:
                p["hlo"].append(lo)
                p["hhi"].append(hi)
                p["hsign"].append(sign)
                p["hk"] += [k] * len(ids)
                p["hs"] += ids
                p["hr"] += [len(p["hlo"])] * len(ids)
    for name in ("ids", "rk", "rs", "hk", "hs", "hr"):
        p[name] = _int_array(p[name])
    with connection.cursor() as cur:
        cur.execute(TOTALS_SQL, p)
        for k, sid, q, c in cur.fetchall():
            per = out[windows[k]]
            old = per.get(sid)
            per[sid] = (q + old[0], c + old[1]) if old else (q, c)
    return out


def _main(w: Window, ids: set[int], r: Reading) -> dict:
    """The main window's parameters: its days and up to two ranges to add and to take
    away (empty ranges where there are fewer)."""

    def two(ranges: list[tuple[datetime, datetime]]) -> tuple[datetime, ...]:
        first, second = (*ranges, (w.lo, w.lo), (w.lo, w.lo))[:2]
        return (*first, *second)

    d0, d1 = r.days or (NO_DAY, NO_DAY)
    p = {"ids": sorted(ids), "d0": d0, "d1": d1}
    p |= dict(zip(("p0", "p1", "p2", "p3"), two(r.plus), strict=True))
    p |= dict(zip(("m0", "m1", "m2", "m3"), two(r.minus), strict=True))
    return p


def _int_array(values: list[int]) -> str:
    """PostgreSQL's text form of an int array, for a ``::int[]`` parameter: thousands of
    ids dumped one by one (and each checked for quoting) cost more than the query."""
    return "{" + ",".join(map(str, values)) + "}"
