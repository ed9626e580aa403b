"""Site meters over Modbus TCP: the real collector polls the simulator, which answers each
meter from the building model, on a free loopback port.

The building is ``test_site_power``'s row of eight racks with the demo's site meters; the
clock is driven by hand, one tick a minute, as the simulator's timer would.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from telemetry.collectors.modbus import ModbusTarget, poll_many
from telemetry.simulators.building import Building
from telemetry.simulators.modbus import ModbusSimulator
from telemetry.tests.test_site_power import site_plan

METER = "meter_pm8000"
UNITS = {1: METER, 2: METER, 3: METER, 4: METER, 5: METER, 6: "water_mag6000"}
DEVICES = {1: "MTR-UTILITY", 2: "MTR-UPS-A-OUT", 3: "MTR-UPS-B-OUT", 4: "MTR-MECH"}
DEVICES |= {5: "MTR-PV-ROOF", 6: "MTR-WATER"}
MIDNIGHT = datetime(2026, 6, 10, tzinfo=UTC).timestamp()  # a Wednesday in June
NOON = MIDNIGHT + 11.5 * 3600  # solar noon at the demo's longitude, about
ENERGY, WATER = "meter_active_energy_joules_total", "water_volume_liters_total"


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def site():
    clock = Clock(NOON)
    building = Building(site_plan())
    with ModbusSimulator(
        UNITS, interval=None, clock=clock, building=building, unit_devices=DEVICES
    ) as sim:
        yield sim, clock, building


def run(sim: ModbusSimulator, clock: Clock, seconds: float, step: float = 60.0) -> None:
    for _ in range(int(seconds / step)):
        clock.t += step
        sim.tick()


def read_all(sim: ModbusSimulator) -> dict[str, dict[tuple[str, str], float]]:
    """Every meter, polled at once: device name -> (metric, component) -> value."""
    targets = [
        ModbusTarget("127.0.0.1", sim.port, uid, key, timeout=1.0, retries=0, name=DEVICES[uid])
        for uid, key in UNITS.items()
    ]
    out = {}
    for result in poll_many(targets):
        assert result.ok and not result.skipped, (result.target, result.error, result.skipped)
        out[result.target] = {(r.metric, r.component): r.value for r in result.readings}
    return out


def test_each_meter_reads_its_metering_point_over_the_wire(site):
    sim, clock, building = site
    got = read_all(sim)
    snap = building.at(clock.t)
    for name in DEVICES.values():
        model = snap.meters[name]
        if name == "MTR-WATER":
            flow = got[name]["water_flow_liters_per_second", ""]
            assert flow == pytest.approx(model["water_flow_liters_per_second"], rel=1e-6)
            assert got[name][WATER, ""] == pytest.approx(model[WATER], abs=1e-6)  # a double
            continue
        watts = got[name]["meter_active_power_watts", ""]
        assert watts == pytest.approx(model["meter_active_power_watts"], rel=1e-6)  # float32
        assert got[name][ENERGY, ""] == pytest.approx(model[ENERGY], abs=1800)  # whole Wh
        assert got[name][ENERGY, ""] % 3600 == 0
        amps = [got[name]["meter_phase_current_amperes", f"phase:{n}"] for n in (1, 2, 3)]
        volts = got[name]["meter_voltage_volts", ""]
        pf = got[name]["meter_power_factor", ""]
        assert 0.9 < pf <= 1.0 and 390 < volts < 410
        assert sum(amps) / 3 * volts * 3**0.5 * pf == pytest.approx(watts, rel=0.01)
    it = sum(got[m]["meter_active_power_watts", ""] for m in ("MTR-UPS-A-OUT", "MTR-UPS-B-OUT"))
    assert 100e3 < it < 400e3  # the row's IT load
    assert got["MTR-PV-ROOF"]["meter_active_power_watts", ""] > 0  # midday
    facility = sum(got[m]["meter_active_power_watts", ""] for m in ("MTR-UTILITY", "MTR-PV-ROOF"))
    assert 1.1 < facility / it < 1.6
    assert got["MTR-UTILITY"][ENERGY, ""] > 2**32 * 3600  # Wh past what 32 bits hold


def test_energy_counter_rises_in_joules_with_the_power_it_meters(site):
    sim, clock, _ = site
    series, power = [], []
    for _ in range(10):
        got = read_all(sim)["MTR-UTILITY"]
        series.append(got[ENERGY, ""])
        power.append(got["meter_active_power_watts", ""])
        run(sim, clock, 300)
    assert all(b > a for a, b in zip(series, series[1:], strict=False))
    used = series[-1] - series[0]  # 45 minutes, read as whole Wh
    assert used == pytest.approx(sum(power[:-1]) / 9 * 45 * 60, rel=0.1)


def test_the_water_totaliser_counts_litres(site):
    sim, clock, _ = site
    before = read_all(sim)
    run(sim, clock, 3600)
    after = read_all(sim)
    water = [reading["MTR-WATER"] for reading in (before, after)]
    litres = water[1][WATER, ""] - water[0][WATER, ""]
    flow = sum(w["water_flow_liters_per_second", ""] for w in water) / 2
    assert water[0][WATER, ""] > 1e6  # years on the totaliser
    assert litres == pytest.approx(flow * 3600, rel=0.2)
    it_j = sum(
        after[m][ENERGY, ""] - before[m][ENERGY, ""] for m in ("MTR-UPS-A-OUT", "MTR-UPS-B-OUT")
    )
    assert 0.2 <= litres / (it_j / 3.6e6) <= 1.0  # WUE: L per kWh of IT, over the hour


def test_pv_reads_zero_at_night_and_its_counter_stands_still(site):
    sim, clock, _ = site
    clock.t = MIDNIGHT + 3600  # 01:00 UTC, 03:00 in Amsterdam
    sim.tick()
    first = read_all(sim)["MTR-PV-ROOF"]
    run(sim, clock, 1800)
    later = read_all(sim)["MTR-PV-ROOF"]
    for got in (first, later):
        assert got["meter_active_power_watts", ""] == 0.0
        assert got["meter_apparent_power_voltamperes", ""] == 0.0
        assert all(got["meter_phase_current_amperes", f"phase:{n}"] == 0.0 for n in (1, 2, 3))
    assert later[ENERGY, ""] == first[ENERGY, ""] > 0


def test_an_hours_pue_from_the_polled_counters(site):
    sim, clock, _ = site
    start = read_all(sim)
    run(sim, clock, 3600)
    end = read_all(sim)

    def used(*meters: str) -> float:
        return sum(end[m][ENERGY, ""] - start[m][ENERGY, ""] for m in meters)

    pue = used("MTR-UTILITY", "MTR-PV-ROOF") / used("MTR-UPS-A-OUT", "MTR-UPS-B-OUT")
    assert 1.1 < pue < 1.6
    assert used("MTR-UTILITY", "MTR-PV-ROOF") > used("MTR-UPS-A-OUT", "MTR-UPS-B-OUT", "MTR-MECH")


def test_a_meter_the_building_does_not_know_keeps_its_own_physics(site):
    _, _, building = site
    units, devices = {9: METER, 10: METER}, {9: "MTR-ELSEWHERE", 10: "MTR-PV-ROOF"}
    sim = ModbusSimulator(
        units, interval=None, clock=lambda: MIDNIGHT, building=building, unit_devices=devices
    )
    assert sim.values(9)["meter_active_power_watts", ""] > 0  # stand-alone: load x rating
    assert sim.values(10)["meter_active_power_watts", ""] == 0.0  # the roof, at night
