"""Interval arithmetic on [start, end) pairs of aware datetimes: merge, clip, subtract.

Availability is time arithmetic on intervals (outages, planned windows, periods); these
few pure functions keep it in one place, testable without a database.

Every result is in UTC. Python subtracts and compares two datetimes of the same zone
object by their wall clocks, so in Europe/Berlin 00:00 1 Oct to 00:00 1 Jan would be 92
days, not 92 days and the hour DST gave back: UTC arithmetic is the only safe kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

Interval = tuple[datetime, datetime]


def utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, overlapping or touching intervals joined; empty ones dropped."""
    out: list[Interval] = []
    for lo, hi in sorted((utc(a), utc(b)) for a, b in intervals if utc(b) > utc(a)):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """Each interval cut to [start, end); those outside dropped."""
    start, end = utc(start), utc(end)
    intervals = [(utc(lo), utc(hi)) for lo, hi in intervals]
    return [(max(lo, start), min(hi, end)) for lo, hi in intervals if hi > start and lo < end]


def subtract(intervals: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """What of ``intervals`` lies outside every hole (both merged first)."""
    holes = merge(holes)
    out: list[Interval] = []
    for lo, hi in merge(intervals):
        cur = lo
        for h_lo, h_hi in holes:
            if h_hi <= cur or h_lo >= hi:
                continue
            if h_lo > cur:
                out.append((cur, h_lo))
            cur = max(cur, h_hi)
            if cur >= hi:
                break
        if cur < hi:
            out.append((cur, hi))
    return out


def total(intervals: Iterable[Interval]) -> timedelta:
    return sum((hi - lo for lo, hi in intervals), timedelta(0))


def covered_by_at_least(per_member: list[list[Interval]], k: int) -> list[Interval]:
    """The times at least ``k`` of the members' interval lists overlap (a sweep over
    their edges): with each list a member's downtime, these are when k were down at once."""
    edges: list[tuple[datetime, int]] = []
    for intervals in per_member:
        for lo, hi in merge(intervals):
            edges += [(lo, 1), (hi, -1)]
    edges.sort(key=lambda e: (e[0], e[1]))  # ends before starts at the same instant
    out: list[Interval] = []
    depth, since = 0, None
    for at, step in edges:
        before = depth
        depth += step
        if before < k <= depth:
            since = at
        elif depth < k <= before and since is not None:
            out.append((since, at))
            since = None
    return merge(out)
