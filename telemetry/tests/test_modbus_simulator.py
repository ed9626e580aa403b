"""The simulated cooling fleet: values move like real ones, and faults come on demand.

Time is a hand-driven clock: an hour of thermal behaviour takes no real time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from telemetry.collectors.modbus import ModbusTarget, poll
from telemetry.simulators.modbus import ModbusSimulator, parse_units

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def run(sim: ModbusSimulator, clock: Clock, seconds: float, step: float = 10.0) -> None:
    """Let ``seconds`` of simulated time pass, ticking every ``step``."""
    for _ in range(int(seconds / step)):
        clock.t += step
        sim.tick()


def air(sim: ModbusSimulator, unit: int = 1) -> dict[str, float]:
    return {m.removeprefix("cooling_"): v for (m, _c), v in sim.values(unit).items()}


def test_supply_air_holds_the_setpoint_and_return_air_follows_it_load():
    clock = Clock()
    sim = ModbusSimulator({1: "crah_stulz"}, interval=None, clock=clock)
    sim.set_load(1, 0.2)
    run(sim, clock, 3600)
    light = air(sim)
    assert light["supply_air_temperature_celsius"] == pytest.approx(
        light["supply_air_setpoint_celsius"], abs=0.5
    )
    sim.set_load(1, 0.9)
    run(sim, clock, 60)  # thermal inertia: a minute later the room has not caught up
    soon = air(sim)
    run(sim, clock, 3600)
    heavy = air(sim)
    light_dt = light["return_air_temperature_celsius"] - light["supply_air_temperature_celsius"]
    soon_dt = soon["return_air_temperature_celsius"] - soon["supply_air_temperature_celsius"]
    heavy_dt = heavy["return_air_temperature_celsius"] - heavy["supply_air_temperature_celsius"]
    assert light_dt == pytest.approx(6 + 8 * 0.2, abs=0.6)
    assert heavy_dt == pytest.approx(6 + 8 * 0.9, abs=0.6)
    assert light_dt < soon_dt < light_dt + 0.5 * (heavy_dt - light_dt)
    assert heavy["fan_speed_percent"] > light["fan_speed_percent"] + 20
    assert heavy["output_watts"] > 2 * light["output_watts"]


def test_chilled_water_delta_t_matches_heat_and_the_energy_counter_climbs():
    clock = Clock()
    sim = ModbusSimulator({9: "chiller_gateway"}, interval=None, clock=clock)
    sim.set_load(9, 0.5)
    run(sim, clock, 3600)
    before = sim.values(9)
    run(sim, clock, 3600)
    after = sim.values(9)
    supply = after["chiller_supply_water_temperature_celsius", ""]
    ret = after["chiller_return_water_temperature_celsius", ""]
    flow = after["chiller_water_flow_liters_per_second", ""]
    assert supply == pytest.approx(after["chiller_supply_water_setpoint_celsius", ""], abs=0.3)
    assert ret - supply == pytest.approx(1.9e6 * 0.5 / (flow * 4186), abs=0.3)
    used = after["chiller_energy_joules_total", ""] - before["chiller_energy_joules_total", ""]
    assert used == pytest.approx(after["chiller_power_watts", ""] * 3600, rel=0.1)
    assert after["cooling_compressor_state", "compressor:1"] == 1


def test_cdu_secondary_loop_warms_with_load_and_pumps_speed_up():
    clock = Clock()
    sim = ModbusSimulator({11: "cdu_vertiv"}, interval=None, clock=clock)
    sim.set_load(11, 0.2)
    run(sim, clock, 1800)
    light = sim.values(11)
    sim.set_load(11, 0.9)
    run(sim, clock, 1800)
    heavy = sim.values(11)

    def delta_t(v):
        return (
            v["cdu_secondary_return_temperature_celsius", ""]
            - v["cdu_secondary_supply_temperature_celsius", ""]
        )

    assert 0 < delta_t(light) < delta_t(heavy)
    assert heavy["cdu_pump_speed_percent", "pump:1"] > light["cdu_pump_speed_percent", "pump:1"]
    assert (
        heavy["cdu_facility_return_temperature_celsius", ""]
        > (heavy["cdu_facility_supply_temperature_celsius", ""])
    )


def test_high_supply_fault_drifts_up_and_raises_the_alarm_over_the_wire():
    clock = Clock()
    with ModbusSimulator({1: "crah_stulz"}, interval=None, clock=clock) as sim:
        target = ModbusTarget("127.0.0.1", sim.port, 1, "crah_stulz", timeout=1.0)
        sim.fault_high_supply(1, delta_c=10.0)
        run(sim, clock, 900)
        result = poll(target)
        got = {(r.metric, r.component): r.value for r in result.readings}
        setpoint = got["cooling_supply_air_setpoint_celsius", ""]
        assert got["cooling_supply_air_temperature_celsius", ""] > setpoint + 5
        assert got["cooling_alarm_active", "alarm:high_supply_air_temperature"] == 1
        assert got["cooling_alarm_active", "alarm:summary_alarm"] == 1
        sim.clear(1)
        run(sim, clock, 1800)
        got = {(r.metric, r.component): r.value for r in poll(target).readings}
        assert got["cooling_alarm_active", "alarm:high_supply_air_temperature"] == 0


def test_the_timer_advances_units_with_the_injected_clock():
    clock = Clock()
    with ModbusSimulator({1: "crah_stulz"}, interval=0.02, clock=clock) as sim:
        sim.fault_high_supply(1, delta_c=10.0)
        clock.t += 3600  # the next timer tick sees an hour pass
        deadline = time.monotonic() + 5
        while air(sim)["supply_air_temperature_celsius"] < 25 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert air(sim)["supply_air_temperature_celsius"] > 25


def test_unit_specs_and_loopback_only():
    units = parse_units(["crah_stulz:1-3,7", "cdu_vertiv:20"])
    assert units == {
        1: "crah_stulz",
        2: "crah_stulz",
        3: "crah_stulz",
        7: "crah_stulz",
        20: "cdu_vertiv",
    }
    with pytest.raises(ValueError, match="given twice"):
        parse_units(["crah_stulz:1-3", "cdu_vertiv:3"])
    with pytest.raises(ValueError, match="MAP:IDS"):
        parse_units(["nope:1"])
    with pytest.raises(ValueError, match="loopback"):
        ModbusSimulator({1: "crah_stulz"}, host="0.0.0.0", interval=None)  # noqa: S104


def test_command_line_serves_units_until_terminated():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "telemetry.simulators.modbus",
            "--port",
            "0",
            "--units",
            "crah_stulz:1-2",
            "cdu_vertiv:3",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    try:
        line = proc.stdout.readline()
        assert "listening on 127.0.0.1:" in line, line
        port = int(line.split("127.0.0.1:")[1].split()[0])
        result = poll(ModbusTarget("127.0.0.1", port, 3, "cdu_vertiv", timeout=2.0))
        assert result.ok, result.error
        assert len(result.readings) > 10
    finally:
        proc.terminate()
        assert proc.wait(10) == 0
