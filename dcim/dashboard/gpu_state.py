"""A GPU's state as every page judges it, from the store's latest values read in bulk.

Every page must answer within 200 ms for the demo's 2,048 GPUs, so values are fetched one
statement per metric set for the whole fleet, never per device or per GPU. The rules for a
GPU's state and for staleness live here, once, so every page calls a GPU the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.utils import timezone

from dcim.inventory.choices import DeviceStatus
from dcim.inventory.models import GPU
from telemetry import store
from telemetry.freshness import STALE_INTERVALS, intervals_by_device

# Clock event reasons that mean the GPU is slowed by heat or power (NVML bit values):
# 0x8 HW slowdown, 0x20 SW thermal, 0x40 HW thermal, 0x80 HW power brake.
THROTTLE_BITS = 0x8 | 0x20 | 0x40 | 0x80
SW_POWER_CAP = 0x4
REASON_NAMES = {
    0x4: "SW power cap",
    0x8: "HW slowdown",
    0x20: "SW thermal",
    0x40: "HW thermal",
    0x80: "HW power brake",
}

GPU_METRICS = {
    "util": "gpu_utilization_percent",
    "temp": "gpu_temperature_celsius",
    "power": "gpu_power_watts",
    "mem_used": "gpu_memory_used_bytes",
    "mem_total": "gpu_memory_total_bytes",
    "ecc": "gpu_ecc_uncorrected_volatile_total",
    "xid": "gpu_xid_last",
    "lost": "gpu_lost",
    "reasons": "gpu_clocks_event_reasons",
}
# State value -> (label, badge tone). Order = severity, worst first.
GPU_STATES = {
    "failed": ("Failed (inventory)", "crit"),
    "lost": ("Lost", "crit"),
    "throttled": ("Throttled", "warn"),
    "stale": ("Stale", "warn"),
    "maintenance": ("In maintenance", "info"),
    "no_data": ("No data", "muted"),
    "healthy": ("Healthy", "ok"),
}


def latest_map(metric: str, device_ids: list[int] | None = None) -> dict[tuple, store.Latest]:
    """{(device_id, component): Latest} of one metric, one statement."""
    return {
        (x.device_id, x.component): x for x in store.latest(metric=metric, device_ids=device_ids)
    }


def reasons_text(mask: float | None) -> str:
    if not mask:
        return ""
    return ", ".join(name for bit, name in REASON_NAMES.items() if int(mask) & bit)


def gpu_state(values: dict[str, Any], device_status: str, stale: bool) -> str:
    """One word for a GPU, worst first. The inventory's word on its server wins over
    anything the GPU reports: a server marked Failed has failed GPUs (an operator said so;
    values still arriving, say from a GPU the agent can read on a broken host, do not make
    it healthy), one in Maintenance has GPUs in maintenance. Then no data, stale, lost,
    throttled (thermal/power bits), healthy.

    A sustained SW power cap (0x4) should count as throttled too, but telling "sustained"
    needs history per GPU; until the store offers a bulk rollup read, 0x4 alone is shown
    in the reasons column, not as a state.
    """
    if device_status == DeviceStatus.FAILED:
        return "failed"
    if device_status == DeviceStatus.MAINTENANCE:
        return "maintenance"
    if not values:
        return "no_data"
    if stale:
        return "stale"
    if values.get("lost"):
        return "lost"
    if int(values.get("reasons") or 0) & THROTTLE_BITS:
        return "throttled"
    return "healthy"


@dataclass(slots=True)
class GpuRow:
    gpu_id: int
    device_id: int
    host: str
    index: int
    uuid: str
    rack_id: int | None
    rack: str
    device_status: str
    values: dict[str, float]
    ts_s: float | None  # newest of utilization / temperature / lost, epoch seconds
    state: str = "no_data"

    @property
    def ts(self) -> datetime | None:
        return None if self.ts_s is None else datetime.fromtimestamp(self.ts_s, UTC)


FRESHNESS_METRICS = ("util", "temp", "lost")


def gpu_rows(device_ids: list[int] | None = None, now: datetime | None = None) -> list[GpuRow]:
    """Every GPU (or those of some devices) with its latest values and state: three
    statements whatever the fleet size (GPUs, targets, latest values), and numpy rather
    than a Python object per value (2,048 GPUs × 9 metrics)."""
    now = now or timezone.now()
    qs = GPU.objects.order_by("device__name", "index")
    if device_ids is not None:
        qs = qs.filter(device_id__in=device_ids)
    gpus = list(
        qs.values_list(
            "pk",
            "device_id",
            "device__name",
            "index",
            "uuid",
            "device__rack_id",
            "device__rack__name",
            "device__status",
        )
    )
    if not gpus:
        return []
    ids = sorted({g[1] for g in gpus})
    intervals = intervals_by_device(ids)
    names = list(GPU_METRICS)
    data = store.gpu_latest(list(GPU_METRICS.values()), ids)
    keys = np.array([g[1] * 1024 + g[3] for g in gpus], dtype=np.int64)
    order = np.argsort(keys)
    found = data["dev"] * 1024 + data["gpu"]
    at = np.clip(np.searchsorted(keys[order], found), 0, len(keys) - 1)
    ok = keys[order][at] == found  # readings of GPUs the inventory does not know are ignored
    pos, m = order[at][ok], data["m"][ok]
    matrix = np.full((len(gpus), len(names)), np.nan)
    matrix[pos, m] = data["v"][ok]
    newest = np.full(len(gpus), -np.inf)
    fresh = np.isin(m, [names.index(k) for k in FRESHNESS_METRICS])
    np.maximum.at(newest, pos[fresh], data["ts"][ok][fresh])
    default = store.default_interval_s()
    limit = STALE_INTERVALS * np.array([intervals.get(g[1]) or default for g in gpus])
    stale = (now.timestamp() - newest > limit) & np.isfinite(newest)
    gappy = np.isnan(matrix).any(axis=1)
    out = []
    rows = zip(gpus, matrix.tolist(), newest.tolist(), gappy.tolist(), stale.tolist(), strict=True)
    for (pk, dev, host, index, uuid, rack_id, rack, status), row, ts, gaps, old in rows:
        # NaN != NaN drops missing metrics; most GPUs report all of them (the fast path).
        pairs = zip(names, row, strict=True)
        values = {k: v for k, v in pairs if v == v} if gaps else dict(pairs)
        ts_s = ts if ts != -np.inf else None
        state = gpu_state(values, status, old)
        out.append(
            GpuRow(
                pk, dev, host, index, uuid or "", rack_id, rack or "", status, values, ts_s, state
            )
        )
    return out


def state_counts(rows: list[GpuRow]) -> dict[str, int]:
    counts = dict.fromkeys(GPU_STATES, 0)
    for r in rows:
        counts[r.state] += 1
    return counts


def robust_outliers(values: np.ndarray, z: float = 3.5) -> np.ndarray:
    """Indices whose modified z-score (median/MAD, Iglewicz–Hoaglin) exceeds ``z``: robust to
    the outliers themselves, unlike mean/stddev."""
    ok = ~np.isnan(values)
    if ok.sum() < 8:
        return np.array([], dtype=int)
    med = np.nanmedian(values)
    mad = np.nanmedian(np.abs(values - med))
    if mad == 0:
        return np.array([], dtype=int)
    score = 0.6745 * (values - med) / mad
    return np.flatnonzero(ok & (np.abs(np.nan_to_num(score)) > z))
