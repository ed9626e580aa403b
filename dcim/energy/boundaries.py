"""Boundary hours: per site (and per room with meters), each hour's sums by meter kind.

A sum counts each meter once (``counted_once``: not with an ancestor in the same sum) and
keeps the least coverage among its meters, so a figure can tell an hour that every meter
of a sum covered from one that some meter missed. A site's boundary holds all its meters;
a room's, the meters whose boundary is that room.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import transaction

from dcim.energy.models import BoundaryHour, EnergyHour, Meter, MeterKind
from dcim.energy.models.meter import FACILITY_KINDS, counted_once

HOUR = timedelta(hours=1)
SUMS: dict[str, tuple[str, ...]] = {
    "facility": tuple(FACILITY_KINDS),
    "it_ups": (MeterKind.IT_UPS_OUTPUT,),
    "it_pdu": (MeterKind.IT_PDU_OUTPUT,),
    "it_input": (MeterKind.IT_INPUT,),
    "cooling": (MeterKind.COOLING,),
    "other": (MeterKind.OTHER,),
    "renewable": (MeterKind.RENEWABLE,),
    "water": (MeterKind.WATER,),
}


def _field(name: str) -> str:
    return "water_l" if name == "water" else f"{name}_kwh"


def plan(meters: list[Meter]) -> dict[str, list[int]]:
    """{sum name: series ids counted once} for one boundary's meters."""
    out = {}
    for name, kinds in SUMS.items():
        members = counted_once(m for m in meters if m.kind in kinds)
        if members:
            out[name] = [m.series_id for m in members]
    return out


def rebuild_boundary_hours(lo: datetime, now: datetime) -> int:
    """Recompute every boundary's hours in [floor(lo), the end of now's hour)."""
    lo = lo.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hi = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + HOUR
    n_hours = int((hi - lo) / HOUR)
    meters = list(Meter.objects.filter(enabled=True, series_id__isnull=False))
    by_site: dict[int, list[Meter]] = defaultdict(list)
    for m in meters:
        by_site[m.site_id].append(m)
    written = 0
    for site_id, site_meters in by_site.items():
        sids = [m.series_id for m in site_meters]
        q, c = _hour_matrices(sids, lo, hi, n_hours)
        row_of = {s: k for k, s in enumerate(sids)}
        covered = np.flatnonzero(c.max(axis=0) > 0) if len(sids) else []
        first = int(covered[0]) if len(covered) else n_hours  # no rows before any data
        boundaries: dict[int | None, list[Meter]] = {None: site_meters}
        for m in site_meters:
            if m.room_id:
                boundaries.setdefault(m.room_id, []).append(m)
        rows = []
        for room_id, members in boundaries.items():
            cols = {}
            for name, members_once in plan(members).items():
                k = [row_of[s] for s in members_once]
                cols[_field(name)] = q[k].sum(axis=0)
                cols[f"{name}_cov"] = c[k].min(axis=0) / 3600.0
            for i in range(first, n_hours):
                values = {f: float(v[i]) for f, v in cols.items()}
                rows.append(
                    BoundaryHour(site_id=site_id, room_id=room_id, hour=lo + i * HOUR, **values)
                )
        with transaction.atomic():
            BoundaryHour.objects.filter(site_id=site_id, hour__gte=lo, hour__lt=hi).delete()
            BoundaryHour.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


def _hour_matrices(series_ids: list[int], lo: datetime, hi: datetime, n: int):
    """Quantity and covered seconds, one row per series, one column per hour (zeros where
    the ledger has no row: not covered)."""
    q = np.zeros((len(series_ids), n))
    c = np.zeros((len(series_ids), n))
    row_of = {s: k for k, s in enumerate(series_ids)}
    rows = EnergyHour.objects.filter(series_id__in=series_ids, hour__gte=lo, hour__lt=hi)
    for sid, hour, qty, cov in rows.values_list("series_id", "hour", "quantity", "covered_s"):
        i = int((hour - lo) / HOUR)
        q[row_of[sid], i], c[row_of[sid], i] = qty, cov
    return q, c
