"""Seven days of plausible telemetry for the demo data centre, written with the store's own
ingest (multi-row numpy frames), for the page benchmark and for trying the pages by hand.

History runs at ``step_s`` (60 s by default; switch ports at 5 min), and the last hour at
15 s like live polling, so "latest" values are fresh and counter rates have neighbours.
A few GPUs are made hot and throttled, one lost, a few with ECC errors; one switch port is
down and two collectors fail, so every "something is wrong" path has something to show.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
from django.utils import timezone

from dcim import alerts
from dcim.alerts.models import OPEN_STATES, Alert
from dcim.inventory.choices import DeviceRole, DeviceStatus
from dcim.inventory.models import Device
from telemetry import store
from telemetry.models import CollectionTarget, Protocol
from telemetry.readings import Reading
from telemetry.store.db import pg

GPU_KEYS = [
    ("gpu_utilization_percent", "percent"),
    ("gpu_temperature_celsius", "celsius"),
    ("gpu_power_watts", "watts"),
    ("gpu_memory_used_bytes", "bytes"),
    ("gpu_memory_total_bytes", "bytes"),
    ("gpu_ecc_uncorrected_volatile_total", "count"),
    ("gpu_xid_last", "xid"),
    ("gpu_lost", "bool"),
    ("gpu_clocks_event_reasons", "bitmask"),
]
PORT_KEYS = [
    ("if_in_bytes_total", "bytes"),
    ("if_out_bytes_total", "bytes"),
    ("if_in_errors_total", "count"),
    ("if_in_discards_total", "count"),
    ("if_oper_status", ""),
    ("if_admin_status", ""),
    ("if_speed_bits_per_second", "bits_per_second"),
]
PORTS = 64
OUTLETS = 36
MEM_TOTAL = 80 * 2**30
LIVE_STEP_S = 15.0


def _times(now: datetime, days: float, step_s: float) -> np.ndarray:
    """History at step_s up to an hour ago, then 15 s to now (epoch seconds)."""
    end = now.timestamp()
    live_from = end - 3600
    old = np.arange(end - days * 86400, live_from, step_s)
    return np.concatenate([old, np.arange(live_from, end, LIVE_STEP_S)])


def _ingest(keys_by_device: list[tuple[int, list]], ts: np.ndarray, values, now) -> int:
    """One batch: a frame per device, rows = timestamps (values: device -> R × C array)."""
    batch = store.Batch(batch_id="bench-pages")
    for dev, keys in keys_by_device:
        sid = batch.add_schema(keys)
        batch.add_frame(sid, ts, np.ascontiguousarray(values(dev), dtype=np.float64).ravel())
    return store.ingest(batch, now=now).stored


def _gpu_values(rng, n: int, hot: bool, lost: bool, ecc: bool) -> np.ndarray:
    """n × (8 GPUs × 9 metrics) for one host."""
    base = rng.uniform(35, 98, 8)
    t = np.linspace(0, 6 * np.pi, n)[:, None]
    util = np.clip(base + 8 * np.sin(t + rng.uniform(0, 6, 8)) + rng.normal(0, 3, (n, 8)), 0, 100)
    temp = 30 + 0.42 * util + rng.normal(0, 1, (n, 8))
    reasons = np.zeros((n, 8))
    if hot:
        temp[:, 3] += 22
        reasons[-240:, 3] = 0x40
    power = 90 + 6.0 * util + rng.normal(0, 8, (n, 8))
    mem = MEM_TOTAL * np.clip(0.3 + util / 150, 0, 0.98)
    ecc_v = np.zeros((n, 8))
    xid = np.zeros((n, 8))
    if ecc:
        ecc_v[n // 2 :, 5] = 2
        xid[n // 2 :, 5] = 48
    lost_v = np.zeros((n, 8))
    if lost:
        lost_v[-60:, 6] = 1
        xid[-60:, 6] = 79
    cols = [util, temp, power, mem, np.full((n, 8), MEM_TOTAL), ecc_v, xid, lost_v, reasons]
    return np.stack(cols, axis=2).reshape(n, 72)  # gpu-major: gpu0 m0..m8, gpu1 ...


def _gpu_keys(dev: int) -> list:
    return [(dev, f"gpu{g}", m, u, {}) for g in range(8) for m, u in GPU_KEYS]


def load(now: datetime | None = None, days: float = 7, step_s: float = 60, log=print) -> int:
    """Write the history; returns the number of values stored."""
    now = now or timezone.now()
    rng = np.random.default_rng(11)
    store.maintain(now)
    devices = list(Device.objects.values("pk", "name", "role", "status", "rack_id"))
    live = [d for d in devices if d["status"] != DeviceStatus.PLANNED]
    by_role: dict[str, list] = {}
    for d in live:
        by_role.setdefault(d["role"], []).append(d)
    ts = _times(now, days, step_s)
    n = len(ts)
    total = 0
    servers = by_role.get(DeviceRole.GPU_SERVER, [])
    rack_power: dict[int, np.ndarray] = {}
    for i in range(0, len(servers), 8):
        group = servers[i : i + 8]
        vals = {
            d["pk"]: _gpu_values(rng, n, hot=j % 37 == 0, lost=j == 101, ecc=j % 53 == 0)
            for j, d in enumerate(group, start=i)
        }
        for d in group:
            host_w = vals[d["pk"]][:, 2::9].sum(axis=1) + 1800
            rack_power[d["rack_id"]] = rack_power.get(d["rack_id"], 0) + host_w
        total += _ingest([(d["pk"], _gpu_keys(d["pk"])) for d in group], ts, vals.get, now)
    log(f"  GPU servers: {len(servers)} hosts, {total:,} values")
    pdus = by_role.get(DeviceRole.PDU, [])
    pdu_keys = {
        d["pk"]: [(d["pk"], "inlet:1", "pdu_power_watts", "watts", {})]
        + [
            (d["pk"], f"outlet:{o}", "pdu_outlet_power_watts", "watts", {})
            for o in range(1, OUTLETS + 1)
        ]
        for d in pdus
    }

    def pdu_vals(dev: int) -> np.ndarray:
        rack = next(d["rack_id"] for d in pdus if d["pk"] == dev)
        half = rack_power.get(rack, np.full(n, 800.0)) / 2 + rng.normal(0, 40, n)
        outlets = half[:, None] * rng.dirichlet(np.ones(OUTLETS))[None, :]
        return np.column_stack([half, outlets])

    for i in range(0, len(pdus), 16):
        total += _ingest(
            [(d["pk"], pdu_keys[d["pk"]]) for d in pdus[i : i + 16]], ts, pdu_vals, now
        )
    env = by_role.get(DeviceRole.ENV_SENSOR, [])
    env_keys = [("sensor:Inlet", 22.0), ("sensor:Outlet", 36.0)]
    total += _ingest(
        [
            (d["pk"], [(d["pk"], c, "env_temperature_celsius", "celsius", {}) for c, _ in env_keys])
            for d in env
        ],
        ts,
        lambda dev: np.column_stack(
            [b + (3 if dev % 17 == 0 else 0) + rng.normal(0, 0.4, n) for _, b in env_keys]
        ),
        now,
    )
    total += _cooling(by_role, ts, rng, now)
    log(f"  power, environment, cooling: {total:,} values so far")
    total += _switches(by_role, now, days, rng)
    log(f"  switches: {total:,} values in all")
    _targets(devices, now)
    log(f"  alerts open after evaluating the latest values: {_alerts(now)}")
    t = datetime.now()
    store.run_rollups(now=now, max_span=timedelta(hours=12))
    log(f"  rollups in {(datetime.now() - t).total_seconds():.0f} s")
    t = datetime.now()
    # A live store has been vacuumed and analyzed by autovacuum long ago; right after a
    # 300-million-value load it has not, and autovacuum would run beside the timing.
    pg().execute(
        "VACUUM (ANALYZE) telemetry_sample, telemetry_rollup_5m, telemetry_rollup_1h, "
        "telemetry_latest, telemetry_series, telemetry_seriesset"
    )
    log(f"  vacuum and analyze in {(datetime.now() - t).total_seconds():.0f} s")
    return total


def _alerts(now: datetime) -> int:
    """Run the rule pack over every device's latest values, twice (pending, then firing
    once the durations have passed), so that the Alerts page has alerts to show."""
    by_device: dict[int, list[Reading]] = {}
    device_ids = list(Device.objects.values_list("pk", flat=True))
    for x in store.latest(device_ids=device_ids):
        by_device.setdefault(x.device_id, []).append(
            Reading(x.metric, x.value, x.unit, x.component)
        )
    for at in (now - timedelta(minutes=10), now):
        for device_id, readings in by_device.items():
            alerts.evaluate(device_id, readings, at)
    return Alert.objects.filter(state__in=OPEN_STATES).count()


def _cooling(by_role: dict, ts: np.ndarray, rng, now) -> int:
    n, total = len(ts), 0
    kinds = {
        DeviceRole.CRAH: [
            ("cooling_supply_air_temperature_celsius", 18.0),
            ("cooling_return_air_temperature_celsius", 31.0),
            ("cooling_supply_air_setpoint_celsius", 18.0),
            ("cooling_return_air_humidity_percent", 42.0),
        ],
        DeviceRole.CDU: [
            ("cdu_secondary_supply_temperature_celsius", 30.0),
            ("cdu_secondary_return_temperature_celsius", 40.0),
            ("cdu_secondary_supply_setpoint_celsius", 30.0),
        ],
        DeviceRole.CHILLER: [
            ("chiller_supply_water_temperature_celsius", 14.0),
            ("chiller_return_water_temperature_celsius", 20.0),
            ("chiller_supply_water_setpoint_celsius", 14.0),
        ],
    }
    for role, metrics in kinds.items():
        units = by_role.get(role, [])
        day = np.sin(2 * np.pi * (ts % 86400) / 86400)

        def vals(dev: int, metrics=metrics, day=day) -> np.ndarray:
            cols = [
                np.full(n, b) if "setpoint" in m else b + 1.2 * day + rng.normal(0, 0.2, n)
                for m, b in metrics
            ]
            return np.column_stack(cols)

        keys = [
            (
                d["pk"],
                [
                    (d["pk"], "", m, "percent" if "humidity" in m else "celsius", {})
                    for m, _ in metrics
                ],
            )
            for d in units
        ]
        if keys:
            total += _ingest(keys, ts, vals, now)
    return total


def _switches(by_role: dict, now, days: float, rng) -> int:
    """Ports at 5-minute history (counters grow with a per-port rate), last hour at 15 s."""
    ts = _times(now, days, 300.0)
    n, total = len(ts), 0
    switches = by_role.get(DeviceRole.SWITCH, [])
    elapsed = ts - ts[0]
    for i in range(0, len(switches), 8):
        group = switches[i : i + 8]

        def vals(dev: int) -> np.ndarray:
            rate = rng.uniform(1e9, 3e10, PORTS)  # bytes/s, up to 240 Gb/s of 400
            cols = []
            for p in range(PORTS):
                down = dev == switches[0]["pk"] and p == 7
                inb = elapsed * rate[p] * (0 if down else 1)
                errs = elapsed * (0.5 if p == 3 else 0.0)
                cols += [
                    inb,
                    inb * 0.9,
                    errs,
                    errs / 2,
                    np.full(n, 2.0 if down else 1.0),
                    np.ones(n),
                    np.full(n, 400e9),
                ]
            return np.column_stack(cols)

        keys = [
            (
                d["pk"],
                [(d["pk"], f"if:p{p + 1}", m, u, {}) for p in range(PORTS) for m, u in PORT_KEYS],
            )
            for d in group
        ]
        total += _ingest(keys, ts, vals, now)
    return total


def _targets(devices: list[dict], now: datetime) -> None:
    """One enabled target per collected device, 15 s; two failing, so health has news."""
    protocol = {
        DeviceRole.GPU_SERVER: Protocol.NVML,
        DeviceRole.CRAH: Protocol.MODBUS,
        DeviceRole.CDU: Protocol.MODBUS,
        DeviceRole.CHILLER: Protocol.MODBUS,
    }
    rows = []
    for i, d in enumerate(devices):
        if d["status"] == DeviceStatus.PLANNED:
            continue
        failing = i in (5, 40)
        rows.append(
            CollectionTarget(
                device_id=d["pk"],
                protocol=protocol.get(d["role"], Protocol.SNMP),
                address=d["name"].lower(),
                interval_s=15,
                last_poll_at=now,
                last_success_at=now - timedelta(minutes=42) if failing else now,
                consecutive_failures=168 if failing else 0,
                last_error="timeout after 2.0 s (3 tries)" if failing else "",
            )
        )
    CollectionTarget.objects.bulk_create(rows, ignore_conflicts=True)


Loader = Callable[..., int]
