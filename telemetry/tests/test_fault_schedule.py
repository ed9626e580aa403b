"""The demo's fault schedule produces what each alert rule needs, for longer than its ``for``.

A hall of 16 racks (two rows of eight, four DGX-like hosts and a leaf switch each, an A and a
B PDU on UPS-A and UPS-B, three CRAHs). Rule figures are the built-in pack's (dcim.alerts
migration 0002): polls every 30 s, so a condition must hold its ``for`` time plus a poll.
The whole path, through the real collectors and the alert engine over the demo inventory,
is ``demo/tests/test_demo_fault_alerts.py``.
"""

from __future__ import annotations

import pytest

from telemetry.collectors import nvml as nvml_collector
from telemetry.simulators import nvml
from telemetry.simulators.building import (
    Building,
    DeviceSpec,
    PduSpec,
    Plan,
    PlantSpec,
    Plug,
    RackSpec,
    faults,
    jobs,
)

HOUR = 1_796_000_000 // 3600 + 1  # a UTC hour of 2026-11
START = HOUR * 3600.0
POLL_S = 30
FEED_AVAILABLE_W = 415 * 80 * 3**0.5 * 0.8  # an 80 A three-phase feed, NEC 80 %: 46,003 W


def plan() -> Plan:
    racks = tuple(RackSpec(f"R{row}{n}", "Hall 1", row, n, 8) for row in "AB" for n in range(1, 9))
    devices, pdus = [], []
    for rack in racks:
        for side in "AB":
            pdus.append(PduSpec(f"{rack.name}-PDU-{side}", rack.name, side, f"UPS-{side}"))
        for n in range(1, 5):
            plugs = tuple(
                Plug(f"{rack.name}-PDU-{'A' if psu % 2 else 'B'}", (n - 1) * 3 + (psu + 1) // 2)
                for psu in range(1, 7)
            )
            devices.append(
                DeviceSpec(
                    f"{rack.name}-DGX{n}", rack.name, "gpu_server", "active", 8 * n, 8, plugs=plugs
                )
            )
        devices.append(
            DeviceSpec(
                f"{rack.name}-LEAF",
                rack.name,
                "switch",
                ports=64,
                fabric="infiniband",
                plugs=(Plug(f"{rack.name}-PDU-A", 13), Plug(f"{rack.name}-PDU-B", 13)),
            )
        )
    plant = (
        PlantSpec("UPS-A", "ups", rated_w=3e6),
        PlantSpec("UPS-B", "ups", rated_w=3e6),
        PlantSpec("CRAH-1", "crah", "Hall 1"),
        PlantSpec("CRAH-2", "crah", "Hall 1"),
        PlantSpec("CRAH-3", "crah", "Hall 1"),  # the middle of the rows: no warm row ends
        PlantSpec("CDU-1", "cdu", "Hall 1"),
        PlantSpec("CHILLER-1", "chiller"),
    )
    return Plan(7, "Europe/Amsterdam", racks, tuple(devices), tuple(pdus), plant)


@pytest.fixture(scope="module")
def building() -> Building:
    return Building(plan())


def fault(building: Building, kind: str, hour: int = HOUR) -> faults.Fault:
    (found,) = [
        f
        for f in faults.started_between(building.plan, hour * 3600 - 1, hour * 3600 + 3599)
        if f.kind == kind
    ]
    return found


def longest(flags: list[bool], step: float) -> float:
    """The longest run of consecutive True samples, in seconds."""
    run = best = 0.0
    for flag in flags:
        run = run + step if flag else 0.0
        best = max(best, run)
    return best


# -- switch ports ------------------------------------------------------------------------


def test_a_flapping_port_is_down_past_the_rules_minute_then_counts_errors(building):
    """ "Switch port down" waits 60 s (a 40 s down spell never showed at 30 s polls);
    "Switch port input errors" wants more than 1 error a second between two polls."""
    flap = fault(building, "port_flap")
    key = f"port/{flap.target}/{flap.index}"
    times = [flap.start - 30 + k for k in range(0, 400, 5)]
    down = [building.value(f"{key}/oper", t) == 2.0 for t in times]
    assert longest(down, 5) == faults.PORT_DOWN_S >= 60 + POLL_S
    assert building.value(f"{key}/oper", flap.start + faults.PORT_DOWN_S) == 1.0
    errors = [building.value(f"{key}/in_errors", t) for t in times]
    rates = [(b - a) / 5 for a, b in zip(errors, errors[1:], strict=False)]
    erroring = [r > 1 for r in rates]
    assert longest(erroring, 5) == flap.end - flap.start - faults.PORT_DOWN_S >= 2 * POLL_S
    assert errors[-1] == errors[-2] > 0  # the fault is over: the counter holds
    assert building.value(f"{key}/oper", flap.end) == 1.0


def test_port_readings_do_not_walk_the_weeks_hours(building):
    """The agent reads every port of every switch each sweep: late in a UTC week, walking
    the week's hours per port (past the hour cache) cost a core of the demo's two."""
    t = (START // jobs.WEEK_S + 1) * jobs.WEEK_S - 3 * 3600  # 165 hours into a week
    building.value("port/RA1-LEAF/3/in_errors", t)  # the week's flaps, looked up once
    before = faults._hour.cache_info()
    for switch in building.switches:
        for port in range(1, 65):
            building.value(f"port/{switch.name}/{port}/in_errors", t)
            building.value(f"port/{switch.name}/{port}/oper", t)
    after = faults._hour.cache_info()
    assert after.misses == before.misses and after.hits - before.hits <= 2 * 16 * 64


# -- power -------------------------------------------------------------------------------


def test_the_tripped_feed_is_a_full_rack_training_through_the_fault_every_hour(building):
    """The other PDU carries the rack: above 80 % of its feed for the rule's 5 minutes needs
    a full rack at a training plateau (no ramp, no checkpoint dip, no gap between jobs)."""
    p = building.plan
    lanes = faults._lanes(p)
    for hour in range(HOUR, HOUR + 168):
        loss = fault(building, "feed_loss", hour)
        rack = loss.target.removesuffix("-PDU-A")
        assert rack in faults._full_training_racks(p), hour
        for t in range(int(loss.start), int(loss.end) + 1, 15):
            assert faults._util(p, lanes[rack], t) >= faults.FEED_LOSS_MIN_UTIL, (hour, t)
    loss = fault(building, "feed_loss")
    other = loss.target.replace("-PDU-A", "-PDU-B")
    shares = [
        building.at(t).values[f"pdu/{other}/power_w"] / FEED_AVAILABLE_W
        for t in range(int(loss.start), int(loss.end), 15)
    ]
    assert longest([s > 0.8 for s in shares], 15) >= 300 + POLL_S
    assert building.at(loss.start).values[f"pdu/{loss.target}/power_w"] == 0.0


# -- air ---------------------------------------------------------------------------------


def test_a_crah_fault_takes_its_zone_past_both_ashrae_envelopes(building):
    """CRAH supply above 27 °C for 2 minutes, an alarm bit, and in its zone a rack inlet
    above 27 °C for 5 minutes (recommended) and one above 32 °C for a minute (A1); for each
    CRAH, the middle one's zone included (no row end drawing in warm air: 9 °C was short)."""
    first = {}
    for hour in range(HOUR, HOUR + 24):
        first.setdefault(fault(building, "crah_high_supply", hour).target, hour)
    assert len(first) == 3
    for hour in first.values():
        crah = fault(building, "crah_high_supply", hour)
        zone = [r for r, unit in building.crah_zone.items() if unit == crah.target]
        snaps = [building.at(t) for t in range(int(crah.start), int(crah.end) + 60, 15)]
        supply = [s.cooling[crah.target]["cooling_supply_air_temperature_celsius"] for s in snaps]
        assert longest([v > 27 for v in supply], 15) >= 120 + POLL_S
        assert longest(["summary_alarm" in s.alarms[crah.target] for s in snaps], 15) >= POLL_S
        for limit, for_s in ((27, 300), (32, 60)):
            held = max(
                longest([s.values[f"rack/{r}/inlet_c"] > limit for s in snaps], 15) for r in zone
            )
            assert held >= for_s + POLL_S, (hour, limit, held)


# -- GPUs: the NVML stand-in, read by the real collector ---------------------------------


def test_scheduled_gpu_faults_reach_the_collector(building):
    """Every GPU fault kind of one hour, read every 30 s as the demo's host agent reads it."""
    victims = {
        k: fault(building, k) for k in ("gpu_thermal", "xid", "gpu_lost", "ecc", "power_brake")
    }
    clock = [START]
    hosts = {
        f.target: nvml.SimulatedNvml(f.target, clock=lambda: clock[0], building=building)
        for f in victims.values()
    }
    seen: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    xids: dict[tuple[str, int], list[int]] = {}
    for step in range(0, 3600, POLL_S):
        clock[0] = START + step
        for host, sim in hosts.items():
            result = nvml_collector.collect(sim, target=host)
            assert result.ok, result.error
            for r in result.readings:
                seen.setdefault((host, r.component, r.metric), []).append((clock[0], r.value))
            for event in result.events:
                if event["kind"] == "xid":
                    xids.setdefault((host, event["gpu"]), []).append(event["xid"])

    def series(f: faults.Fault, metric: str, index: int | None = None) -> list[tuple[float, float]]:
        return seen.get((f.target, f"gpu{f.index if index is None else index}", metric), [])

    def held(f: faults.Fault, metric: str, index: int | None = None) -> float:
        points = series(f, metric, index)
        return longest([v >= 1 for _, v in points], POLL_S)

    critical = {48, 63, 64, 74, 79, 92, 94, 95, 119, 120, 140}  # the pack's list
    for kind, xid in (("xid", 74), ("ecc", 48), ("gpu_lost", 79)):
        f = victims[kind]
        assert xids.get((f.target, f.index)) == [xid] and xid in critical, kind
        assert any(v == xid for _, v in series(f, "gpu_xid_last")), kind
    ecc = [v for _, v in series(victims["ecc"], "gpu_ecc_uncorrected_volatile_total")]
    assert ecc[0] == 0 and ecc[-1] == 1  # one rise: the counter rule fires once
    lost = victims["gpu_lost"]
    assert held(lost, "gpu_lost") >= lost.end - lost.start - POLL_S
    temperatures = [t for t, _ in series(lost, "gpu_temperature_celsius")]
    last = max(t for t in temperatures if t < lost.start)
    back = min((t for t in temperatures if t > lost.start), default=START + 3600)
    assert back - last >= 600 + POLL_S  # "GPU telemetry stopped" waits 10 minutes
    brake = victims["power_brake"]
    assert all(held(brake, "gpu_clocks_event_hw_power_brake", i) >= 120 + POLL_S for i in range(8))
    hot = victims["gpu_thermal"]
    assert held(hot, "gpu_clocks_event_hw_thermal_slowdown") >= 120 + POLL_S


def test_an_xid_queued_before_a_reinit_reaches_the_poll():
    """A GPU that stops answering makes the next poll re-initialise NVML, which frees the
    event set: an XID 79 the driver queued after the last drain must be taken first."""
    clock = [1_800_000_000.0]
    sim = nvml.SimulatedNvml("reinit-host", clock=lambda: clock[0])
    assert nvml_collector.collect(sim, target="reinit-host").ok
    nvml.inject(sim, 2, "gpu_lost")  # it stops answering ...
    clock[0] += 30
    nvml_collector.collect(sim, target="reinit-host")  # ... a re-init is due
    nvml.inject(sim, 2, "xid79")  # ... and the driver posts XID 79 for it
    clock[0] += 30
    result = nvml_collector.collect(sim, target="reinit-host")
    assert [e["xid"] for e in result.events if e["kind"] == "xid"] == [79]
    last = {r.metric: r.value for r in result.readings if r.component == "gpu2"}
    assert last["gpu_xid_last"] == 79 and last["gpu_lost"] == 1
