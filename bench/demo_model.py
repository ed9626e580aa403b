"""Does the running demo agree with physics? Figures from the store, as the pages read them.

Samples the latest values every ``every_s`` seconds for ``minutes`` on a running ``make run``
and prints, from what the collectors stored (not from the model itself):

- per rack, PDU power (A + B inlets) against the sum of its GPUs' power: PDU >= GPUs on
  the window's means, and their correlation over all (rack, sample) pairs;
- the spread of rack power (standard deviation over the mean);
- the spread of busy GPUs' temperatures (max - min of GPUs above 80 % utilisation);
- racks with an inlet temperature, of the active racks;
- each UPS's output against what its PDUs draw, and its input minus output (losses);
- apparent power >= real power on every PDU;
- per hall, cooling load (CRAHs' output + CDUs' flow x delta-T) against the hall's IT heat;
- planned and failed devices reporting power (should be none).

A reading counts when it is at most ``fresh_s`` old: a stopped collector shows as missing.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from dcim.inventory.choices import DeviceRole, DeviceStatus
from dcim.inventory.models import Device, PowerPort
from telemetry import store

WATER_CP = 4186.0


def _fresh(metric: str, fresh_s: float, component: str | None = None) -> list:
    now = datetime.now(UTC)
    rows = store.latest(metric=metric, component=component)
    return [r for r in rows if (now - r.ts).total_seconds() <= fresh_s]


def _pearson(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    if n < 3:
        return float("nan")
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else float("nan")


class Inventory:
    """Who is where, read once: racks of devices, PDUs of UPSes, halls of cooling units."""

    def __init__(self, site: str = "demo") -> None:
        devices = Device.objects.filter(site__slug=site).select_related("rack", "room")
        self.rack_of = {d.id: d.rack.name for d in devices if d.rack_id}
        self.hall_of_rack = {d.rack.name: d.rack.room.name for d in devices if d.rack_id}
        self.role = {d.id: d.role for d in devices}
        self.status = {d.id: d.status for d in devices}
        self.name = {d.id: d.name for d in devices}
        self.hall_of = {d.id: d.room.name for d in devices if d.room_id}
        self.active_racks = {
            d.rack.name
            for d in devices
            if d.rack_id and d.role == DeviceRole.GPU_SERVER and d.status == DeviceStatus.ACTIVE
        }
        self.ups_of_pdu = {}
        ports = PowerPort.objects.filter(device__role=DeviceRole.PDU, feed__isnull=False)
        for port in ports.select_related("feed__panel"):
            upstream = port.feed.panel.upstream_device_id
            if upstream:
                self.ups_of_pdu[port.device_id] = upstream


def sample(inv: Inventory, fresh_s: float) -> dict:
    """One look at the latest values: per-rack sums and per-device readings."""
    pdu_w = {
        r.device_id: r.value for r in _fresh("pdu_power_watts", fresh_s) if "inlet" in r.component
    }
    pdu_va = {
        r.device_id: r.value
        for r in _fresh("pdu_apparent_power_voltamperes", fresh_s)
        if "inlet" in r.component
    }
    gpu_w = _fresh("gpu_power_watts", fresh_s)
    util = {(r.device_id, r.component): r.value for r in _fresh("gpu_utilization_percent", fresh_s)}
    temps = _fresh("gpu_temperature_celsius", fresh_s)
    rack_pdu, rack_gpu = defaultdict(float), defaultdict(float)
    for dev, watts in pdu_w.items():
        rack_pdu[inv.rack_of.get(dev, "?")] += watts
    for r in gpu_w:
        rack_gpu[inv.rack_of.get(r.device_id, "?")] += r.value
    busy = [r.value for r in temps if util.get((r.device_id, r.component), 0) >= 80]
    inlets = {
        inv.rack_of.get(r.device_id)
        for r in _fresh("env_temperature_celsius", fresh_s)
        if "outlet" not in r.component
    }
    ups_out, ups_in = defaultdict(float), defaultdict(float)
    for r in _fresh("ups_output_power_watts", fresh_s):
        ups_out[r.device_id] += r.value
    for r in _fresh("ups_input_power_watts", fresh_s):
        ups_in[r.device_id] += r.value
    fed = defaultdict(float)
    for dev, watts in pdu_w.items():
        if dev in inv.ups_of_pdu:
            fed[inv.ups_of_pdu[dev]] += watts
    cooling = defaultdict(float)
    for r in _fresh("cooling_output_watts", fresh_s):
        cooling[inv.hall_of.get(r.device_id, "?")] += r.value
    cdu = defaultdict(dict)
    for metric in (
        "cdu_secondary_flow_liters_per_second",
        "cdu_secondary_supply_temperature_celsius",
        "cdu_secondary_return_temperature_celsius",
    ):
        for r in _fresh(metric, fresh_s):
            cdu[r.device_id][metric] = r.value
    for dev, m in cdu.items():
        if len(m) == 3:
            delta = (
                m["cdu_secondary_return_temperature_celsius"]
                - m["cdu_secondary_supply_temperature_celsius"]
            )
            flow = m["cdu_secondary_flow_liters_per_second"]
            cooling[inv.hall_of.get(dev, "?")] += flow * WATER_CP * delta
    hall_it = defaultdict(float)
    for rack, watts in rack_pdu.items():
        hall_it[inv.hall_of_rack.get(rack, "?")] += watts
    absent = (DeviceStatus.PLANNED, DeviceStatus.FAILED)
    dark = sorted(
        {
            inv.name[r.device_id]
            for metric in ("gpu_power_watts", "pdu_power_watts")
            for r in _fresh(metric, fresh_s)
            if inv.status.get(r.device_id) in absent and r.value > 0
        }
    )
    return {
        "rack_pdu": dict(rack_pdu),
        "rack_gpu": dict(rack_gpu),
        "busy_temps": busy,
        "inlet_racks": inlets,
        "ups_out": {inv.name[k]: v for k, v in ups_out.items()},
        "ups_in": {inv.name[k]: v for k, v in ups_in.items()},
        "ups_fed": {inv.name[k]: v for k, v in fed.items()},
        "va_below_w": sorted(inv.name[d] for d, w in pdu_w.items() if pdu_va.get(d, w) < w),
        "hall_it": dict(hall_it),
        "hall_cooling": dict(cooling),
        "absent_reporting": dark,
    }


def run(minutes: float, every_s: float, fresh_s: float, log: Callable[[str], None]) -> dict:
    inv = Inventory()
    samples = []
    end = time.monotonic() + minutes * 60
    while True:
        samples.append(sample(inv, fresh_s))
        s = samples[-1]
        log(
            f"sample {len(samples)}: {len(s['rack_pdu'])} racks with PDU power, "
            f"{len(s['busy_temps'])} busy GPUs, {len(s['inlet_racks'])} racks with an inlet"
        )
        if time.monotonic() + every_s > end:
            break
        time.sleep(every_s)
    return summarise(samples, inv)


def summarise(samples: list[dict], inv: Inventory) -> dict:
    racks = sorted(inv.active_racks)
    pairs = [
        (s["rack_gpu"][r], s["rack_pdu"][r])
        for s in samples
        for r in racks
        if r in s["rack_gpu"] and r in s["rack_pdu"]
    ]
    mean_pdu = {r: _mean([s["rack_pdu"][r] for s in samples if r in s["rack_pdu"]]) for r in racks}
    mean_gpu = {r: _mean([s["rack_gpu"][r] for s in samples if r in s["rack_gpu"]]) for r in racks}
    below = sorted(r for r in racks if mean_pdu[r] < mean_gpu[r])
    per_sample_below = sum(1 for g, p in pairs if p < g)
    powers = [w for w in mean_pdu.values() if w > 0]
    mean = _mean(powers)
    spread = math.sqrt(_mean([(w - mean) ** 2 for w in powers])) / mean if mean else float("nan")
    busy = [t for s in samples for t in s["busy_temps"]]
    ups = {}
    for s in samples:
        for name, out in s["ups_out"].items():
            fed = s["ups_fed"].get(name, 0.0)
            ups.setdefault(name, []).append((out, fed, s["ups_in"].get(name, 0.0)))
    ups_figures = {
        name: {
            "output_kw": round(_mean([o for o, _, _ in rows]) / 1000, 1),
            "pdus_kw": round(_mean([f for _, f, _ in rows]) / 1000, 1),
            "output_over_pdus": round(_mean([o / f for o, f, _ in rows if f]), 4),
            "losses_kw": round(_mean([i - o for o, _, i in rows if i]) / 1000, 1),
        }
        for name, rows in ups.items()
    }
    halls = {}
    for s in samples:
        for hall, it in s["hall_it"].items():
            if hall in s["hall_cooling"] and it:
                halls.setdefault(hall, []).append(s["hall_cooling"][hall] / it)
    last = samples[-1]
    return {
        "samples": len(samples),
        "racks_active": len(racks),
        "rack_pdu_ge_gpus_on_means": len(racks) - len(below),
        "racks_pdu_below_gpus": below,
        "pairs_pdu_below_gpus": f"{per_sample_below} of {len(pairs)}",
        "rack_pdu_gpu_correlation": (
            round(_pearson(*zip(*pairs, strict=True)), 4) if pairs else None
        ),
        "rack_power_mean_kw": round(mean / 1000, 2),
        "rack_power_cv": round(spread, 3),
        "busy_gpu_temp_spread_c": round(max(busy) - min(busy), 1) if busy else None,
        "busy_gpu_temp_range_c": [min(busy), max(busy)] if busy else None,
        "active_racks_with_inlet": f"{len(inv.active_racks & last['inlet_racks'])} of {len(racks)}",
        "ups": ups_figures,
        "pdus_apparent_below_real": sorted({n for s in samples for n in s["va_below_w"]}),
        "cooling_over_it_heat": {h: round(_mean(v), 3) for h, v in halls.items()},
        "planned_or_failed_reporting_power": sorted(
            {n for s in samples for n in s["absent_reporting"]}
        ),
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
