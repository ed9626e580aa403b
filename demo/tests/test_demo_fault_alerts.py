"""One simulated hour of the demo's fault schedule fires every built-in rule of the faults.

The demo inventory and its targets are seeded as ``make run`` seeds them, the building plan
is read from the inventory, and the devices one hour's faults hit are polled the way the demo
polls them: GPU hosts through the NVML stand-in, PDUs, the leaf switch, the UPS and the rack
monitors through the demo's own SNMP agent on loopback, the CRAH through the Modbus
simulator on loopback, each by its real collector at its target's interval, stored by
``store_result`` (ingest, then the alert engine), with the beat's tick every 15 s. Time is
simulated (the last whole UTC hour), so an hour takes a minute or two, not an hour.

A rule that fires here held its condition for its whole ``for`` time over real polls: the
engine fires a pending alert only once ``for`` has passed with no reading clearing it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import override_settings

from dcim.alerts import engine, rule_index
from dcim.alerts.models import Alert, Rule
from dcim.inventory.choices import DeviceStatus
from demo import building_plan
from demo.fleet import modbus_unit_devices, modbus_units, snmp_devices, write_snmp_fleet
from demo.inventory import seed_demo
from demo.targets import seed_demo_targets
from telemetry import polling
from telemetry.collectors import modbus as modbus_collector
from telemetry.collectors import nvml as nvml_collector
from telemetry.collectors import snmp as snmp_collector
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators import nvml as nvml_standin
from telemetry.simulators.building import Building, faults
from telemetry.simulators.modbus import ModbusSimulator
from telemetry.simulators.snmp import free_udp_port
from telemetry.simulators.snmp.agent import Agent
from telemetry.simulators.snmp.agent import Device as AgentDevice
from telemetry.store.db import clear_caches

pytestmark = pytest.mark.django_db


def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SNMP_PORT, MODBUS_PORT = free_udp_port(), free_tcp_port()
TICK_S = 15  # the beat's alerts tick, and the finest poll interval (Modbus)

# Which fault kind shows which rule, and what the alert's subject is (a device name).
SHOWN_BY = {
    "GPU temperature near its slowdown threshold": "gpu_thermal",
    "GPU thermal throttling sustained": "gpu_thermal",
    "GPU critical XID error": "xid",
    "GPU lost": "gpu_lost",
    "GPU telemetry stopped": "gpu_lost",
    "GPU uncorrected ECC error": "ecc",
    "GPU power brake sustained": "power_brake",
    "PDU above 80 % of available feed power": "feed_loss",
    # The victim is a rack on an undersized 63 A feed: its B side carries ~39 kW of 36.2.
    "PDU above available feed power (NEC 80 % of breaker)": "feed_loss",
    "Switch port down": "port_flap",
    "Switch port input errors": "port_flap",
    "UPS on battery": "ups_battery",
    "UPS output not on mains": "ups_battery",
    "UPS battery runtime low": "ups_battery",
    "CRAH supply air high": "crah_high_supply",
    "Cooling unit alarm": "crah_high_supply",
    "Rack inlet outside ASHRAE recommended (18–27 °C)": "crah_high_supply",
    "Rack inlet outside ASHRAE A1 allowable (15–32 °C)": "crah_high_supply",
}
# Not shown by a scheduled fault: the demo's failed devices show it all the time.
ALWAYS = {"GPU row-remap failure", "Collector failing"}


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)


class AgentThread:
    """The demo's SNMP agent on loopback, in a thread, answering for the test's clock."""

    def __init__(self, data: Path, building: Building, clock: Clock, port: int) -> None:
        files = sorted(data.glob("*.snmprec"))
        devices = {p.stem.encode(): AgentDevice(p, clock.t, building) for p in files}
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", port))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        endpoint = self.loop.create_datagram_endpoint(lambda: Agent(devices, clock), sock=sock)
        self.transport, _ = asyncio.run_coroutine_threadsafe(endpoint, self.loop).result(10)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.transport.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def hour_of_faults():
    """The demo seeded, its plan, and the last whole UTC hour's faults by kind."""
    rule_index.invalidate()
    clear_caches()
    with override_settings(DCIM_SIM_SNMP_PORT=SNMP_PORT, DCIM_SIM_MODBUS_PORT=MODBUS_PORT):
        seed_demo()
        seed_demo_targets()
        plan = building_plan.build()
        start = (int(time.time()) // 3600 - 1) * 3600
        hour = {f.kind: f for f in faults.started_between(plan, start - 1, start + 3599)}
        assert sorted(hour) == sorted(faults.SCHEDULE)
        yield plan, start, hour
    rule_index.invalidate()
    clear_caches()


def zone_of(building: Building, crah: str) -> set[str]:
    """The racks whose inlet air comes from ``crah``."""
    return {rack for rack, unit in building.crah_zone.items() if unit == crah}


def victims(building: Building, start: float, hour: dict) -> dict[CollectionTarget, list]:
    """Target -> the (from, to) spells it is polled in: the devices each fault hits, from a
    minute before it to 90 s after it; the host of the GPU with a failed row remap and the
    demo's failed GPU host (never answers: "Collector failing") for the first two minutes.

    Polling only these keeps the hour to about 300 polls (ingest in a test's transaction is
    slow); a host no longer polled goes silent, so "GPU telemetry stopped" fires for its
    GPUs later on: the assertions look at the subjects the faults hit.
    """
    by_name: dict[str, list] = {building.bad_board[0]: [(start, start + 120)]}
    for fault in hour.values():
        names = {fault.target}
        if fault.kind == "feed_loss":
            names.add(fault.target[:-1] + "B")
        if fault.kind == "crah_high_supply":
            names |= {f"{rack}-ENV" for rack in zone_of(building, fault.target)}
        for name in names:
            by_name.setdefault(name, []).append((fault.start - 60, fault.end + 90))
    chosen = CollectionTarget.objects.filter(device__name__in=by_name).exclude(
        device__status=DeviceStatus.FAILED
    )
    dark_host = CollectionTarget.objects.filter(
        protocol=Protocol.NVML, device__status=DeviceStatus.FAILED
    ).first()
    out = {t: by_name[t.device.name] for t in chosen.select_related("device", "credential")}
    return out | {dark_host: [(start, start + 120)]}


def poll(target: CollectionTarget, clock: Clock, hosts: dict) -> None:
    """One poll by the target's real collector, stored (and judged) at the simulated time."""
    if target.protocol == Protocol.NVML:
        result = nvml_collector.collect(hosts[target.address], target=target.address)
    elif target.protocol == Protocol.SNMP:
        result = snmp_collector.poll_many([polling.snmp_target(target)])[0]
    else:
        result = modbus_collector.poll_many([polling.modbus_target(target)])[0]
    result.started = clock.at
    polling.store_result(target, result)


def test_one_hour_of_faults_fires_every_builtin_rule(hour_of_faults, tmp_path):
    plan, start, hour = hour_of_faults
    building = Building(plan)
    clock = Clock(start)
    targets = victims(building, start, hour)
    snmp_names = {t.device.name for t in targets if t.protocol == Protocol.SNMP}
    with override_settings(DCIM_SIM_SNMP_PORT=SNMP_PORT, DCIM_SIM_MODBUS_PORT=MODBUS_PORT):
        data = write_snmp_fleet(tmp_path, [d for d in snmp_devices() if d.name in snmp_names])
        units, unit_devices = modbus_units(), modbus_unit_devices()
    hosts = {
        t.address: nvml_standin.SimulatedNvml(t.address, clock=clock, building=building)
        for t in targets
        if t.protocol == Protocol.NVML
    }
    # Each simulator process of the demo has a model of its own.
    agent = AgentThread(data, Building(plan), clock, SNMP_PORT)
    cooling = ModbusSimulator(
        units,
        port=MODBUS_PORT,
        interval=None,
        clock=clock,
        building=Building(plan),
        unit_devices=unit_devices,
    )
    try:
        with cooling:
            # Each target at its own interval, phase-shifted as the demo spreads first polls.
            phase = {t.pk: (t.pk * 7) % t.interval_s // TICK_S * TICK_S for t in targets}
            for step in range(0, 3600, TICK_S):
                clock.t = start + step
                cooling.tick()
                for t, spells in targets.items():
                    due = step % t.interval_s == phase[t.pk]
                    if due and any(lo <= clock.t <= hi for lo, hi in spells):
                        poll(t, clock, hosts)
                engine.tick(clock.at)
    finally:
        agent.stop()

    fired = {}
    for alert in Alert.objects.filter(fired_at__isnull=False).select_related("rule", "device"):
        fired.setdefault(alert.rule.name, []).append(alert)
    pack = set(Rule.objects.filter(builtin=True).values_list("name", flat=True))
    assert set(SHOWN_BY) | ALWAYS <= pack  # the alerts pack rules an hour of faults shows
    missing = sorted((set(SHOWN_BY) | ALWAYS) - set(fired))
    assert not missing, f"never fired in the hour: {missing}"
    zone = zone_of(building, hour["crah_high_supply"].target)
    for name, kind in SHOWN_BY.items():
        fault = hour[kind]
        hit = [a for a in fired[name] if hits(a, fault, zone)]
        assert hit, (name, fault, [a.subject_label for a in fired[name]])
        # Fired while the fault was in force (or at the first poll after it began).
        assert fault.start <= min(a.fired_at.timestamp() for a in hit) <= fault.end + 30, name


def hits(alert: Alert, fault: faults.Fault, zone: set[str]) -> bool:
    """Whether the alert is about what the fault hit: its GPU, its rack's other PDU, ..."""
    device = alert.device.name if alert.device else ""
    if fault.kind in ("gpu_thermal", "xid", "gpu_lost", "ecc"):
        return (device, alert.component) == (fault.target, f"gpu{fault.index}")
    if fault.kind == "feed_loss":
        return device == fault.target[:-1] + "B"  # the A feed tripped: B carries the rack
    if fault.kind == "crah_high_supply" and alert.rule.metric == "env_temperature_celsius":
        return alert.labels.get("rack") in zone
    return device == fault.target
