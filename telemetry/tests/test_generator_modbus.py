"""A standby generator over Modbus TCP (the genset gateway map): the real collector polls
the simulator on a free loopback port while its mains come and go, by hand and from the
building model's fault schedule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from telemetry.collectors.modbus import ModbusTarget, poll_many
from telemetry.simulators.building import Building
from telemetry.simulators.building import faults as fault_schedule
from telemetry.simulators.modbus import (
    GENERATOR_COOLDOWN_S,
    GENERATOR_START_S,
    ModbusSimulator,
)
from telemetry.tests.test_modbus_simulator import Clock
from telemetry.tests.test_site_power import site_plan

GEN = 1
T0 = datetime(2026, 6, 10, 9, tzinfo=UTC).timestamp()


def read(sim: ModbusSimulator) -> dict[str, float]:
    target = ModbusTarget("127.0.0.1", sim.port, GEN, "genset_gateway", timeout=1.0, retries=0)
    (result,) = poll_many([target])
    assert result.ok and not result.skipped, (result.error, result.skipped)
    return {r.metric: r.value for r in result.readings}


def at(sim: ModbusSimulator, clock: Clock, t: float) -> dict[str, float]:
    clock.t = t
    sim.tick()
    return read(sim)


@pytest.fixture
def alone():
    clock = Clock(T0)
    with ModbusSimulator({GEN: "genset_gateway"}, interval=None, clock=clock) as sim:
        yield sim, clock


def test_a_generator_starts_on_mains_loss_runs_on_load_and_cools_down(alone):
    sim, clock = alone
    ready = read(sim)
    assert ready["generator_engine_state"] == 0 and ready["generator_breaker_state"] == 0
    assert ready["generator_power_watts"] == 0 and ready["generator_frequency_hertz"] == 0
    assert 20 < ready["generator_battery_voltage_volts"] < 30
    sim.fault_mains_lost(GEN, at=T0 + 60)
    cranking = at(sim, clock, T0 + 60 + GENERATOR_START_S / 2)
    assert cranking["generator_engine_state"] == 1 and cranking["generator_breaker_state"] == 0
    running = at(sim, clock, T0 + 600)
    assert running["generator_engine_state"] == 2 and running["generator_breaker_state"] == 1
    assert running["generator_power_watts"] > 100e3
    assert running["generator_frequency_hertz"] == pytest.approx(50, abs=0.5)
    assert running["generator_fuel_level_percent"] < ready["generator_fuel_level_percent"]
    sim.fault_mains_lost(GEN, at=None)  # mains back
    cooling = at(sim, clock, T0 + 660)
    assert cooling["generator_engine_state"] == 3 and cooling["generator_power_watts"] == 0
    assert at(sim, clock, T0 + 660 + GENERATOR_COOLDOWN_S)["generator_engine_state"] == 0


def test_a_start_that_fails_stops_by_alarm_until_mains_return(alone):
    sim, clock = alone
    sim.fault_mains_lost(GEN, at=T0, fails_to_start=True)
    assert at(sim, clock, T0 + GENERATOR_START_S + 5)["generator_engine_state"] == 4
    sim.fault_mains_lost(GEN, at=None)
    assert at(sim, clock, T0 + 120)["generator_engine_state"] == 0  # it never ran: no cooldown


def test_in_the_building_mains_are_lost_with_the_ups_battery_fault():
    plan = site_plan()
    fault = next(
        f
        for f in fault_schedule.started_between(plan, T0, T0 + 2 * 3600)
        if f.kind == "ups_battery"
    )
    clock = Clock(fault.start - 60)
    with ModbusSimulator(
        {GEN: "genset_gateway"}, interval=None, clock=clock, building=Building(plan)
    ) as sim:
        assert read(sim)["generator_engine_state"] == 0
        assert at(sim, clock, fault.start + 5)["generator_engine_state"] == 1
        # The fault's story: the first start fails, the UPS carries the load on battery.
        assert at(sim, clock, fault.start + GENERATOR_START_S + 5)["generator_engine_state"] == 4
        assert at(sim, clock, fault.end + 1)["generator_engine_state"] == 0
