"""Availability figures of groups and members: the one function the HA page and the
monthly availability report both call (``group_figures``, ``member_figures``).

Definitions (shared/REFERENCE.md, "Availability and HA"), over a period P:

- outages: the outage intervals clipped to P's edges (one that began before P counts from
  P's start; one still open counts to P's end), merged where they overlap;
- A = (P − outage time) / P, which is MTBF / (MTBF + MTTR) with
  MTTR = outage time / outages and MTBF = (P − outage time) / outages;
- nines = −log10(1 − A) (None when A = 1: no outage, no finite figure);
- without planned maintenance: the planned windows' time is taken out of both P and the
  outage time (an outage inside a window was planned), and outages wholly inside a
  window are not counted;
- within RTO / RPO: the share of the period's failover records (by detection time) whose
  restore time / data loss is known and within the group's target.

A member is out while its state rows (``MemberStateChange``) say down. A group is out
while more than ``may_fail`` members are down at once, and during the interruption of
each failover record (started → restored), both merged. A period ending in the future
stops at ``now``: the future has no availability yet.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from dcim.availability import intervals as iv
from dcim.availability.intervals import Interval
from dcim.availability.models import (
    Failover,
    Member,
    MemberState,
    MemberStateChange,
    RedundancyGroup,
)
from dcim.maintenance.coverage import planned_intervals

PERIOD_KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str


def calendar_period(kind: str, tz: ZoneInfo, anchor: datetime) -> Period:
    """The calendar month, quarter or year (in ``tz``) that contains ``anchor``."""
    local = anchor.astimezone(tz)
    if kind == "month":
        first, months, label = local.date().replace(day=1), 1, f"{local:%B %Y}"
    elif kind == "quarter":
        q = (local.month - 1) // 3
        first, months = local.date().replace(month=3 * q + 1, day=1), 3
        label = f"Q{q + 1} {local:%Y}"
    elif kind == "year":
        first, months, label = local.date().replace(month=1, day=1), 12, f"{local:%Y}"
    else:
        raise ValueError(f"Unknown period {kind!r}: month, quarter or year.")
    y, m = divmod(first.month - 1 + months, 12)
    after = first.replace(year=first.year + y, month=m + 1)
    # Local midnights, held in UTC (dcim.availability.intervals: same-zone arithmetic is
    # wall-clock arithmetic, which loses the hour DST gives back).
    return Period(
        iv.utc(datetime.combine(first, time(), tz)),
        iv.utc(datetime.combine(after, time(), tz)),
        label,
    )


def custom_period(start: datetime, end: datetime, tz: ZoneInfo) -> Period:
    if end <= start:
        raise ValueError("A period must end after it starts.")
    label = (
        f"{start.astimezone(tz):%Y-%m-%d} – {(end - timedelta(seconds=1)).astimezone(tz):%Y-%m-%d}"
    )
    return Period(iv.utc(start), iv.utc(end), label)


@dataclass(frozen=True)
class Figures:
    """Availability over one period, from its (clipped, merged) outage intervals."""

    period: timedelta
    outage: timedelta
    outages: int

    @property
    def availability(self) -> float | None:
        if self.period <= timedelta(0):
            return None
        return (self.period - self.outage) / self.period

    @property
    def nines(self) -> float | None:
        a = self.availability
        return None if a is None or a >= 1 else -math.log10(1 - a)

    @property
    def mttr(self) -> timedelta | None:
        return self.outage / self.outages if self.outages else None

    @property
    def mtbf(self) -> timedelta | None:
        return (self.period - self.outage) / self.outages if self.outages else None


def figures(outages: Iterable[Interval], start: datetime, end: datetime) -> Figures:
    """The figures of outage intervals over [start, end), clipped to its edges."""
    start, end = iv.utc(start), iv.utc(end)
    clipped = iv.merge(iv.clip(outages, start, end))
    return Figures(max(end - start, timedelta(0)), iv.total(clipped), len(clipped))


def figures_without(
    outages: Iterable[Interval], planned: Iterable[Interval], start: datetime, end: datetime
) -> Figures:
    """The figures with planned windows taken out of the period and of the outages."""
    start, end = iv.utc(start), iv.utc(end)
    planned = iv.merge(iv.clip(planned, start, end))
    unplanned = iv.subtract(iv.clip(outages, start, end), planned)
    return Figures(end - start - iv.total(planned), iv.total(unplanned), len(unplanned))


@dataclass(frozen=True)
class Availability:
    """What the page and the report show for one group or member over one period."""

    period: Period
    all: Figures
    unplanned: Figures
    events: int
    rto_known: int
    rto_met: int
    rpo_known: int
    rpo_met: int

    @property
    def rto_share(self) -> float | None:
        return self.rto_met / self.rto_known if self.rto_known else None

    @property
    def rpo_share(self) -> float | None:
        return self.rpo_met / self.rpo_known if self.rpo_known else None


def _upto_now(period: Period, now: datetime | None) -> tuple[datetime, datetime]:
    start = iv.utc(period.start)
    end = min(iv.utc(period.end), iv.utc(now or timezone.now()))
    return start, max(end, start)


def down_intervals(
    changes: Iterable[tuple[int, datetime, str]], end: datetime
) -> dict[int, list[Interval]]:
    """{member id: intervals it was down}, from its state rows (member, at, state) in time
    order; a down state still current at ``end`` lasts to ``end``."""
    out: dict[int, list[Interval]] = defaultdict(list)
    since: dict[int, datetime] = {}
    for member, at, state in changes:
        if state == MemberState.DOWN:
            since.setdefault(member, at)
        elif member in since:
            out[member].append((since.pop(member), at))
    for member, at in since.items():
        if at < end:
            out[member].append((at, end))
    return out


def _state_rows(member_ids: list[int], end: datetime) -> list[tuple[int, datetime, str]]:
    return list(
        MemberStateChange.objects.filter(member_id__in=member_ids, at__lt=end)
        .order_by("at", "pk")
        .values_list("member_id", "at", "state")
    )


def group_figures(
    groups: list[RedundancyGroup], period: Period, now: datetime | None = None
) -> dict[int, Availability]:
    """{group id: its availability over ``period``}, for many groups in a few queries."""
    start, end = _upto_now(period, now)
    members = list(
        Member.objects.filter(group__in=groups).values_list("pk", "group_id", "device_id")
    )
    down = down_intervals(_state_rows([m[0] for m in members], end), end)
    planned = planned_intervals(sorted({m[2] for m in members}), start, end)
    by_group: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, group_id, device_id in members:
        by_group[group_id].append((pk, device_id))
    failovers = defaultdict(list)
    for f in (
        # Detected in the period, or an interruption from before it still open at its start.
        Failover.objects.filter(group__in=groups, detected_at__lt=end)
        .filter(
            Q(detected_at__gte=start)
            | Q(restored_at__gt=start)
            | Q(restored_at__isnull=True, started_at__isnull=False)
        )
        .select_related("group")
    ):
        failovers[f.group_id].append(f)
    out = {}
    for g in groups:
        mine = by_group.get(g.pk, [])
        lost = iv.covered_by_at_least([down.get(pk, []) for pk, _ in mine], g.may_fail + 1)
        interruptions = [
            (f.started_at or f.detected_at, f.restored_at or end)
            for f in failovers[g.pk]
            if f.started_at is not None or f.restored_at is not None
            if (f.restored_at or end) > (f.started_at or f.detected_at)
        ]
        outages = iv.merge(lost + interruptions)
        windows = [w for _, d in mine for w in planned.get(d, [])]
        in_period = [f for f in failovers[g.pk] if start <= f.detected_at < end]
        out[g.pk] = _availability(period, outages, windows, start, end, in_period)
    return out


def member_figures(
    members: list[Member], period: Period, now: datetime | None = None
) -> dict[int, Availability]:
    """{member id: its availability over ``period``} (down by its own state rows)."""
    start, end = _upto_now(period, now)
    down = down_intervals(_state_rows([m.pk for m in members], end), end)
    planned = planned_intervals(sorted({m.device_id for m in members}), start, end)
    return {
        m.pk: _availability(
            period, down.get(m.pk, []), planned.get(m.device_id, []), start, end, []
        )
        for m in members
    }


def _availability(period, outages, windows, start, end, failovers) -> Availability:
    rto = [f.rto_met for f in failovers if f.rto_met is not None]
    rpo = [f.rpo_met for f in failovers if f.rpo_met is not None]
    return Availability(
        period=period,
        all=figures(outages, start, end),
        unplanned=figures_without(outages, windows, start, end),
        events=len(failovers),
        rto_known=len(rto),
        rto_met=sum(rto),
        rpo_known=len(rpo),
        rpo_met=sum(rpo),
    )


def month_range(year: int, month: int, tz: ZoneInfo) -> Period:
    """A given calendar month (what the monthly report asks for)."""
    days = calendar.monthrange(year, month)[1]
    anchor = datetime(year, month, min(15, days), tzinfo=tz)
    return calendar_period("month", tz, anchor)
