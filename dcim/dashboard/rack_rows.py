"""Racks as the floor, the overview and the rack list see them: power against budget and
per feed, inlet/outlet air and humidity, GPU utilization and one worst state, for every rack
at once.

A handful of statements for the whole site (racks, devices, PDU feeds, two latest-value
reads), then arithmetic in Python: rack count never multiplies queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from dcim.dashboard.gpu_state import GpuRow, latest_map
from dcim.inventory.choices import DeviceRole, DeviceStatus
from dcim.inventory.models import Device, PowerPort, Rack
from telemetry import store

# Worst first: a rack takes the worst state of its devices and GPUs.
RACK_STATES = {
    "failed": ("Device failed", "crit"),
    "lost": ("GPU lost", "crit"),
    "throttled": ("Throttled", "warn"),
    "stale": ("Stale data", "warn"),
    "maintenance": ("In maintenance", "info"),
    "ok": ("OK", "ok"),
    "no_data": ("No data", "muted"),
}
FEED_BUDGET_SHARE = 0.8  # the 80 % continuous-load rule, already in feed.available_power_w
AIR_METRICS = ["env_temperature_celsius", "env_humidity_percent"]
# ASHRAE TC 9.9 (2021) at the equipment inlet, as the built-in alert rules have them.
RECOMMENDED_C = (18.0, 27.0)  # classes A1-A4
A1_ALLOWABLE_C = (15.0, 32.0)


def inlet_verdict(t: float | None) -> str:
    """Where an inlet temperature stands against ASHRAE, in words (a tile's note)."""
    (lo, hi), (a_lo, a_hi) = RECOMMENDED_C, A1_ALLOWABLE_C
    if t is None:
        return f"ASHRAE recommended inlet: {lo:.0f}–{hi:.0f} °C."
    if lo <= t <= hi:
        return f"Within ASHRAE recommended {lo:.0f}–{hi:.0f} °C."
    if a_lo <= t <= a_hi:
        return (
            f"Outside ASHRAE recommended {lo:.0f}–{hi:.0f} °C, "
            f"within A1 allowable {a_lo:.0f}–{a_hi:.0f} °C."
        )
    return f"Outside ASHRAE A1 allowable {a_lo:.0f}–{a_hi:.0f} °C."


@dataclass
class RackRow:
    id: int
    name: str
    room_id: int
    room: str
    status: str
    grid_x: int | None
    grid_y: int | None
    budget_kw: float
    power_w: float | None = None
    feeds: dict[str, float] = field(default_factory=dict)  # side -> watts
    feed_capacity: dict[str, float] = field(default_factory=dict)  # side -> available W
    inlet_c: float | None = None
    outlet_c: float | None = None
    humidity_pct: float | None = None  # the most humid inlet-side probe
    gpus: int = 0
    gpu_util: float | None = None
    gpu_temp_max: float | None = None
    state: str = "no_data"
    power_ts: datetime | None = None

    @property
    def power_pct(self) -> float | None:
        if self.power_w is None or not self.budget_kw:
            return None
        return 100 * self.power_w / (self.budget_kw * 1000)


def pdu_power(pdu_ids: list[int]) -> tuple[dict[int, float], dict[int, datetime]]:
    """Watts per PDU (sum of its inlets/cords) and the time of its oldest reading."""
    watts: dict[int, float] = defaultdict(float)
    when: dict[int, datetime] = {}
    for (dev, _), x in latest_map("pdu_power_watts", pdu_ids).items():
        watts[dev] += x.value
        when[dev] = min(x.ts, when.get(dev, x.ts))
    return dict(watts), when


def rack_rows(
    gpus: list[GpuRow], room_id: int | None = None, rack_id: int | None = None
) -> list[RackRow]:
    """Every rack (of a room, or one rack) with power, air, GPU and state figures."""
    racks = Rack.objects.order_by("room__name", "name")
    if room_id is not None:
        racks = racks.filter(room_id=room_id)
    if rack_id is not None:
        racks = racks.filter(pk=rack_id)
    rows = {
        r["pk"]: RackRow(
            r["pk"],
            r["name"],
            r["room_id"],
            r["room__name"],
            r["status"],
            r["grid_x"],
            r["grid_y"],
            float(r["power_budget_kw"]),
        )
        for r in racks.values(
            "pk", "name", "room_id", "room__name", "status", "grid_x", "grid_y", "power_budget_kw"
        )
    }
    devices = list(
        Device.objects.filter(rack_id__in=list(rows)).values_list("pk", "rack_id", "role", "status")
    )
    rack_of = {d: r for d, r, _, _ in devices}
    pdus = [d for d, _, role, _ in devices if role == DeviceRole.PDU]
    watts, when = pdu_power(pdus)
    sides = PowerPort.objects.filter(device_id__in=pdus, feed__isnull=False).values_list(
        "device_id", "feed__side", "feed__available_power_w"
    )
    for dev, side, capacity in sides:
        row = rows[rack_of[dev]]
        row.feed_capacity[side] = row.feed_capacity.get(side, 0) + capacity
        if dev in watts:
            row.feeds[side] = row.feeds.get(side, 0) + watts[dev]
    for dev, w in watts.items():
        row = rows[rack_of[dev]]
        row.power_w = (row.power_w or 0) + w
        row.power_ts = min(when[dev], row.power_ts or when[dev])
    for x in store.latest_many(AIR_METRICS, list(rack_of)):
        row = rows[rack_of[x.device_id]]
        name = x.component.lower()
        outlet = "outlet" in name or "exhaust" in name
        if x.metric == "env_humidity_percent":
            if not outlet:  # rear air is warmer, so drier: the inlet's is what ASHRAE limits
                row.humidity_pct = max(x.value, row.humidity_pct or x.value)
        elif outlet:
            row.outlet_c = max(x.value, row.outlet_c or x.value)
        else:  # inlet, or a probe that does not say: treat as inlet (the ASHRAE point)
            row.inlet_c = max(x.value, row.inlet_c or x.value)
    worst: dict[int, set[str]] = defaultdict(set)
    for _, r, _, status in devices:
        if status == DeviceStatus.FAILED:
            worst[r].add("failed")
        elif status == DeviceStatus.MAINTENANCE:
            worst[r].add("maintenance")
    util: dict[int, list[float]] = defaultdict(list)
    for g in gpus:
        if g.rack_id not in rows:
            continue
        row = rows[g.rack_id]
        row.gpus += 1
        state = {"healthy": "ok", "no_data": "no_data"}.get(g.state, g.state)
        worst[g.rack_id].add(state)
        if "util" in g.values:
            util[g.rack_id].append(g.values["util"])
        if "temp" in g.values:
            row.gpu_temp_max = max(g.values["temp"], row.gpu_temp_max or g.values["temp"])
    for pk, row in rows.items():
        if util[pk]:
            row.gpu_util = sum(util[pk]) / len(util[pk])
        states = worst[pk] or ({"ok"} if row.power_w is not None else set())
        row.state = next((s for s in RACK_STATES if s in states), "no_data")
        if row.state == "no_data" and row.power_w is not None:
            row.state = "ok"
    return list(rows.values())
