"""Keeping the ledger current: hours per series, local days, and boundary hours.

A run (every few minutes, ``dcim.energy.tasks``) recomputes, per ledger series, the hours
from its watermark back ``LATE_WINDOW`` (agents that buffered while cut off deliver late)
and any hours marked dirty (``mark_dirty``: a backfill), up to now. The open hour is
written too, partly covered, so "today" is current. Every row is recomputed from the
samples and replaced, never added to, so a run twice changes nothing.

Ledger series: each enabled meter's, and every GPU's NVML energy counter (attribution).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from dcim.energy.boundaries import rebuild_boundary_hours
from dcim.energy.integrate import JOULES_PER_KWH, binned
from dcim.energy.models import EnergyHour, LedgerState, Meter, MeterKind
from dcim.inventory.models import Device
from telemetry import store

HOUR = timedelta(hours=1)
LATE_WINDOW = timedelta(hours=1)
# The sample before the first recomputed hour splits its interval at the hour. Reach back
# a whole hour: with 10 minutes, a meter read every 15 min (or hourly) lost the start of
# that hour on every rerun (known-answer test: a rerun keeps a 15-minute meter's hours).
FETCH_MARGIN = timedelta(hours=1)
LOOKBACK = timedelta(days=400)  # a new series' history is read this far back (5m rollups)
GPU_ENERGY = "gpu_energy_joules_total"


@dataclass(frozen=True)
class LedgerSeries:
    series_id: int
    counter: bool
    bits: int | None
    scale: float  # to kWh, or 1 for litres
    tz: str


@dataclass
class LedgerReport:
    series: int = 0
    hours: int = 0
    days: int = 0
    boundary_hours: int = 0
    unresolved_meters: list[str] = field(default_factory=list)


def floor_hour(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def resolve_meters() -> list[str]:
    """Give each enabled meter its series id once the series exists; the names of meters
    whose series does not exist (yet) are returned, for the admin and the report."""
    missing = []
    for m in Meter.objects.filter(enabled=True, series_id__isnull=True):
        found = store.find_series(device_id=m.device_id, component=m.component, metric=m.metric)
        if found:
            Meter.objects.filter(pk=m.pk).update(series_id=found[0]["id"])
        else:
            missing.append(m.name)
    return missing


def ledger_series() -> list[LedgerSeries]:
    """Every series the ledger keeps: enabled meters', then GPUs' energy counters."""
    out: dict[int, LedgerSeries] = {}
    meters = Meter.objects.filter(enabled=True, series_id__isnull=False).select_related("site")
    for m in meters:
        scale = 1.0 if m.kind == MeterKind.WATER else 1 / JOULES_PER_KWH
        out[m.series_id] = LedgerSeries(
            m.series_id, m.is_counter, m.counter_bits, scale, m.site.timezone
        )
    gpus = store.find_series(metric=GPU_ENERGY)
    zones = dict(
        Device.objects.filter(pk__in={s["device_id"] for s in gpus}).values_list(
            "pk", "site__timezone"
        )
    )
    for s in gpus:
        if s["id"] not in out and s["device_id"] in zones:
            out[s["id"]] = LedgerSeries(
                s["id"], True, None, 1 / JOULES_PER_KWH, zones[s["device_id"]]
            )
    return list(out.values())


def mark_dirty(series_ids: list[int], since: datetime) -> None:
    """Late data arrived for these series from ``since`` on: the next run recomputes."""
    hour = floor_hour(since)
    _mark_known(series_ids, hour)
    known = set(
        LedgerState.objects.filter(series_id__in=series_ids).values_list("series_id", flat=True)
    )
    LedgerState.objects.bulk_create(
        [LedgerState(series_id=s, dirty_from=hour) for s in set(series_ids) - known],
        ignore_conflicts=True,
    )


def _mark_known(series_ids: list[int], hour: datetime) -> int:
    """Move the dirty mark of the series the ledger already keeps back to ``hour``."""
    return (
        LedgerState.objects.filter(series_id__in=series_ids)
        .filter(Q(dirty_from__isnull=True) | Q(dirty_from__gt=hour))
        .update(dirty_from=hour)
    )


def on_late_data(sender: object, series_ids: list[int], since: datetime, **kwargs: object) -> None:
    """``telemetry.signals.late_data``: samples arrived behind the rollup job (an agent
    that buffered while cut off). Only series the ledger keeps are marked; the next run
    recomputes their hours from there."""
    _mark_known(series_ids, floor_hour(since))


def update_ledger(now: datetime | None = None, only: list[int] | None = None) -> LedgerReport:
    """Bring every ledger series (or ``only`` these) up to ``now``, in one transaction:
    a page never reads half a run, and 2,000 series cost one commit, not 4,000."""
    now = now or timezone.now()
    report = LedgerReport(unresolved_meters=resolve_meters())
    todo = [s for s in ledger_series() if only is None or s.series_id in only]
    states = {
        s.series_id: s
        for s in LedgerState.objects.filter(series_id__in=[t.series_id for t in todo])
    }
    touched: dict[str, datetime] = {}  # tz -> earliest hour recomputed
    by_lo: dict[datetime, list[int]] = defaultdict(list)
    rows: list[tuple] = []
    for s in todo:
        lo = _recompute_from(states.get(s.series_id), now)
        by_lo[lo].append(s.series_id)
        new = _series_hours(s, lo, now)
        rows += new
        report.series += 1
        report.hours += len(new)
        first = touched.get(s.tz)
        touched[s.tz] = lo if first is None or lo < first else first
    hi = floor_hour(now) + HOUR
    with transaction.atomic(), connection.cursor() as cur:
        for lo, ids in by_lo.items():
            cur.execute(
                "DELETE FROM energy_energyhour WHERE series_id = ANY(%s) AND hour >= %s "
                "AND hour < %s",
                [ids, lo, hi],
            )
        if rows:
            with cur.copy(
                "COPY energy_energyhour (series_id, hour, quantity, covered_s) FROM STDIN"
            ) as cp:
                for row in rows:
                    cp.write_row(row)
        _advance_states(todo, states, now)
        for tz, lo in touched.items():
            report.days += rebuild_days([s.series_id for s in todo if s.tz == tz], tz, lo, now)
        report.boundary_hours = rebuild_boundary_hours(min(touched.values(), default=now), now)
    return report


def _advance_states(todo: list[LedgerSeries], states: dict, now: datetime) -> None:
    """Move every watermark to now's hour; clear a dirty mark only if it is still the one
    this run read (``mark_dirty`` during the run leaves its mark for the next)."""
    LedgerState.objects.bulk_create(
        [LedgerState(series_id=s.series_id, complete_until=floor_hour(now)) for s in todo],
        update_conflicts=True,
        unique_fields=["series_id"],
        update_fields=["complete_until", "updated"],
    )
    for st in states.values():
        if st.dirty_from is not None:
            LedgerState.objects.filter(series_id=st.series_id, dirty_from=st.dirty_from).update(
                dirty_from=None
            )


def _recompute_from(state: LedgerState | None, now: datetime) -> datetime:
    if state is None or state.complete_until is None:
        return floor_hour(now - LOOKBACK)
    lo = state.complete_until - LATE_WINDOW
    if state.dirty_from is not None and state.dirty_from < lo:
        lo = state.dirty_from
    return floor_hour(lo)


def _series_hours(s: LedgerSeries, lo: datetime, now: datetime) -> list[tuple]:
    """The series' hours in [lo, the end of now's hour), recomputed: (series, hour,
    quantity, covered s). Hours with no covered second are left out (no row = not covered)."""
    hi = floor_hour(now) + HOUR
    ts, v, _ = store.samples(
        s.series_id, lo - FETCH_MARGIN, now + timedelta(seconds=1), counter=s.counter
    )
    rows = []
    if len(ts) >= 2:
        secs = ts.astype("datetime64[us]").astype(np.int64) / 1e6
        first = max(lo, datetime.fromtimestamp(float(secs[0]), UTC))
        start = floor_hour(first)
        edges = np.arange(start.timestamp(), hi.timestamp() + 1, 3600.0)
        b = binned(secs, v, edges, counter=s.counter, bits=s.bits, scale=s.scale)
        for t, q, c in zip(edges[:-1], b.quantity, b.covered_s, strict=True):
            if c > 0:
                rows.append((s.series_id, datetime.fromtimestamp(t, UTC), float(q), float(c)))
    return rows


DAYS_SQL = """
INSERT INTO energy_energyday (series_id, day, quantity, covered_s, span_s)
SELECT h.series_id, d.day, sum(h.quantity), sum(h.covered_s),
       extract(epoch FROM ((d.day + 1)::timestamp AT TIME ZONE %(tz)s)
                        - (d.day::timestamp AT TIME ZONE %(tz)s))
FROM energy_energyhour h
CROSS JOIN LATERAL (SELECT (h.hour AT TIME ZONE %(tz)s)::date AS day) d
WHERE h.series_id = ANY(%(ids)s) AND h.hour >= %(lo)s AND h.hour < %(hi)s
GROUP BY h.series_id, d.day
"""


def rebuild_days(series_ids: list[int], tz: str, lo: datetime, now: datetime) -> int:
    """Recompute the local days (in ``tz``) that hold the hours from ``lo`` on: whole days,
    from the local midnight before ``lo`` (23- and 25-hour days at DST changes)."""
    if not series_ids:
        return 0
    zone = ZoneInfo(tz)
    first_day = lo.astimezone(zone).date()
    day_lo = datetime.combine(first_day, datetime.min.time(), zone).astimezone(UTC)
    day_hi = datetime.combine(
        now.astimezone(zone).date() + timedelta(days=1), datetime.min.time(), zone
    ).astimezone(UTC)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "DELETE FROM energy_energyday WHERE series_id = ANY(%s) AND day >= %s",
            [series_ids, first_day],
        )
        cur.execute(DAYS_SQL, {"tz": tz, "ids": series_ids, "lo": day_lo, "hi": day_hi})
        return cur.rowcount


def rebuild(series_ids: list[int] | None = None, now: datetime | None = None) -> LedgerReport:
    """Recompute everything from the samples (after a meter's definition changed): the
    series' states are dropped, so each is read back ``LOOKBACK``."""
    qs = LedgerState.objects.all()
    if series_ids is not None:
        qs = qs.filter(series_id__in=series_ids)
    qs.delete()
    return update_ledger(now, only=series_ids)


def history_start(series_ids: list[int]) -> datetime | None:
    """The first ledger hour of any of these series."""
    return EnergyHour.objects.filter(series_id__in=series_ids).aggregate(t=Min("hour"))["t"]


def by_series(series_ids: list[int], lo: datetime, hi: datetime) -> dict[int, float]:
    """Sum of ledger hours per series in [lo, hi) (hour-aligned bounds)."""
    out: dict[int, float] = defaultdict(float)
    rows = EnergyHour.objects.filter(series_id__in=series_ids, hour__gte=lo, hour__lt=hi)
    for sid, q in rows.values_list("series_id", "quantity"):
        out[sid] += q
    return dict(out)
