"""Planned downtime per device, for availability "without planned maintenance"."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dcim.maintenance.assets import expand
from dcim.maintenance.models import MaintenanceWindow
from dcim.maintenance.windows import overlapping


def planned_intervals(
    device_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """For each device id, the merged intervals of not-cancelled windows affecting it
    (directly or through what carries it), clipped to [start, end). A started or finished
    window counts from its actual start to its actual end (to now while it runs)."""
    wanted = set(device_ids)
    spans: dict[int, list[tuple[datetime, datetime]]] = {d: [] for d in wanted}
    if not wanted or end <= start:
        return spans
    for window in overlapping(start, end).prefetch_related(*MaintenanceWindow.ASSET_FIELDS):
        lo, hi = max(window.effective_start, start), min(window.effective_end, end)
        if lo >= hi:
            continue
        for device_id in expand(window).affected & wanted:
            spans[device_id].append((lo, hi))
    return {d: merge(s) for d, s in spans.items()}


def merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted, with overlapping or touching intervals joined."""
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
