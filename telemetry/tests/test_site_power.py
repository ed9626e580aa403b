"""The site around the halls: what the site meters read, and the PUE and WUE they give.

A row of the demo in small: eight racks of four DGX-like hosts and a leaf, A and B PDUs on a
2N UPS pair sized to it (350 kW each, loaded about as the demo's), two CRAHs, a CDU, a
chiller and the demo's site meters, run through a spring day minute by minute, counters
integrated as the simulators do. PUE is computed the way the reference says: from energy
counters, E_DC / E_IT over the same interval.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from telemetry.simulators.building import (
    Building,
    DeviceSpec,
    PduSpec,
    Plan,
    PlantSpec,
    Plug,
    RackSpec,
)
from telemetry.simulators.building import faults as fault_schedule
from telemetry.simulators.building import site_power as sp

DAY = datetime(2026, 4, 15, tzinfo=UTC).timestamp()  # a Wednesday: no week boundary in it
STEP_S = 60
ENERGY, WATER = "meter_active_energy_joules_total", "water_volume_liters_total"
METERS = (
    ("MTR-UTILITY", "grid"),
    ("MTR-UPS-A-OUT", "ups_output:UPS-A"),
    ("MTR-UPS-B-OUT", "ups_output:UPS-B"),
    ("MTR-MECH", "mechanical"),
    ("MTR-PV-ROOF", "pv"),
    ("MTR-WATER", "water"),
)


UPS_RATED_W = 350e3


def site_plan() -> Plan:
    racks = tuple(RackSpec(f"R{n}", "Hall 1", "A", n, 8) for n in range(1, 9))
    devices, pdus = [], []
    for rack in racks:
        pdu = {side: f"{rack.name}-PDU-{side}" for side in "AB"}
        pdus += [PduSpec(name, rack.name, side, f"UPS-{side}") for side, name in pdu.items()]
        for n in range(1, 5):  # six PSUs, alternately on A and B, three outlets a side
            plugs = tuple(Plug(pdu["AB"[psu % 2]], 3 * (n - 1) + psu // 2 + 1) for psu in range(6))
            devices.append(
                DeviceSpec(
                    f"{rack.name}-H{n}", rack.name, "gpu_server", "active", 8 * n, 8, plugs=plugs
                )
            )
        leaf = (Plug(pdu["A"], 13), Plug(pdu["B"], 13))
        devices.append(DeviceSpec(f"{rack.name}-LEAF", rack.name, "switch", ports=64, plugs=leaf))
    plant = [PlantSpec(f"UPS-{side}", "ups", rated_w=UPS_RATED_W) for side in "AB"]
    plant += [PlantSpec(f"CRAH-{n}", "crah", "Hall 1") for n in (1, 2)]
    plant += [PlantSpec("CDU-1", "cdu", "Hall 1"), PlantSpec("CHILLER-1", "chiller")]
    plant += [PlantSpec(name, "meter", measures=point) for name, point in METERS]
    return Plan(7, "Europe/Amsterdam", racks, tuple(devices), tuple(pdus), tuple(plant))


@pytest.fixture(scope="module")
def day() -> list:
    """Every minute of the day (and the next midnight): the building's snapshots."""
    building = Building(site_plan())
    return [building.at(DAY + k) for k in range(0, 86_400 + 1, STEP_S)]


def delta(a, b, meter: str, metric: str = ENERGY) -> float:
    return b.meters[meter][metric] - a.meters[meter][metric]


def hourly_pue(day: list) -> list[float]:
    """PUE of each hour from the counters: (grid + PV) / (UPS A + UPS B outputs)."""
    per_hour = 3600 // STEP_S
    out = []
    for h in range(24):
        a, b = day[h * per_hour], day[(h + 1) * per_hour]
        e_dc = delta(a, b, "MTR-UTILITY") + delta(a, b, "MTR-PV-ROOF")
        e_it = delta(a, b, "MTR-UPS-A-OUT") + delta(a, b, "MTR-UPS-B-OUT")
        out.append(e_dc / e_it)
    return out


def test_pue_from_the_meters_moves_through_the_day_within_plausible_bounds(day):
    pue = hourly_pue(day)
    assert min(pue) >= 1.1 and max(pue) <= 1.6, pue
    assert max(pue) - min(pue) >= 0.05, pue  # cooling follows the outdoor air
    first, last = day[0], day[-1]
    e_it = delta(first, last, "MTR-UPS-A-OUT") + delta(first, last, "MTR-UPS-B-OUT")
    e_dc = delta(first, last, "MTR-UTILITY") + delta(first, last, "MTR-PV-ROOF")
    assert 1.1 <= e_dc / e_it <= 1.6
    # Afternoon (warm, compressors on) costs more than the small hours (free cooling).
    assert sum(pue[13:17]) / 4 > sum(pue[1:5]) / 4 + 0.03


def test_meters_read_the_metering_points_and_facility_covers_it_and_cooling(day):
    on_battery = 0
    for snap in day:
        site, m, v = snap.site, snap.meters, snap.values
        power = {name: m[name].get("meter_active_power_watts") for name, _ in METERS}
        assert power["MTR-UPS-A-OUT"] == pytest.approx(v["ups/UPS-A/output_w"])
        assert power["MTR-UPS-B-OUT"] == pytest.approx(v["ups/UPS-B/output_w"])
        assert power["MTR-MECH"] == pytest.approx(site.cooling_w)
        assert power["MTR-UTILITY"] + power["MTR-PV-ROOF"] == pytest.approx(site.facility_w)
        chillers = snap.cooling["CHILLER-1"]["chiller_power_watts"]
        assert site.cooling_w > chillers > 0  # plus CRAH fans, CDU and chilled-water pumps
        if v["ups/UPS-A/source"] == 5.0:  # on battery: its input is off the meter a while
            on_battery += 1
            continue
        it = power["MTR-UPS-A-OUT"] + power["MTR-UPS-B-OUT"]
        assert site.facility_w > it + power["MTR-MECH"]
    spell = fault_schedule.SCHEDULE["ups_battery"][1]  # the mains transfer of every hour
    assert 24 * (spell // STEP_S) <= on_battery <= 24 * (spell // STEP_S + 1)
    first, last = day[0], day[-1]  # over the day, the recharge puts the battery spells back
    e_it = delta(first, last, "MTR-UPS-A-OUT") + delta(first, last, "MTR-UPS-B-OUT")
    e_dc = delta(first, last, "MTR-UTILITY") + delta(first, last, "MTR-PV-ROOF")
    assert e_dc > e_it + delta(first, last, "MTR-MECH")


def test_counters_start_like_a_real_meters_and_only_rise(day):
    for name, _ in METERS:
        metric = WATER if name == "MTR-WATER" else ENERGY
        series = [snap.meters[name][metric] for snap in day]
        assert series[0] > 1e6, name  # years on the register, not a fresh zero
        assert all(b >= a for a, b in zip(series, series[1:], strict=False)), name
    # The counter is the integral of the power it meters: a minute at a time.
    a, b = day[600], day[601]
    watts = a.meters["MTR-UTILITY"]["meter_active_power_watts"]
    assert delta(a, b, "MTR-UTILITY") == pytest.approx(
        b.meters["MTR-UTILITY"]["meter_active_power_watts"] * STEP_S
    )
    assert watts > 0


def test_pv_is_dark_at_night_and_a_bell_by_day(day):
    pv = [snap.meters["MTR-PV-ROOF"]["meter_active_power_watts"] for snap in day]
    hour = [(k * STEP_S / 3600 + sp.LONGITUDE_DEG / 15) % 24 for k in range(len(day))]
    night = [w for w, h in zip(pv, hour, strict=True) if h < 4 or h > 20]  # solar time
    assert night and all(w == 0.0 for w in night)
    noon = max(range(len(pv)), key=pv.__getitem__)
    assert 10.5 < hour[noon] < 13.5  # the peak near solar noon
    peak = sp.PV_PEAK_OF_UPS_RATING * 2 * UPS_RATED_W
    assert 0.2 * peak < pv[noon] <= peak
    first, last = day[0], day[4 * 60]
    assert delta(first, last, "MTR-PV-ROOF") == 0.0  # the counter stands still at night
    assert day[0].meters["MTR-PV-ROOF"]["meter_power_factor"] == 1.0  # no load, no angle
    june_noon, december_midnight = DAY + 67 * 86_400 + 43_200, DAY + 250 * 86_400
    assert sp.pv_w(7, june_noon, 1.0) > sp.pv_w(7, december_midnight + 43_200, 1.0) > 0
    assert sp.pv_w(7, december_midnight, 1.0) == 0.0


def test_water_per_kwh_of_it_rises_with_the_outdoor_air(day):
    first, last = day[0], day[-1]
    e_it_kwh = (delta(first, last, "MTR-UPS-A-OUT") + delta(first, last, "MTR-UPS-B-OUT")) / 3.6e6
    wue = delta(first, last, "MTR-WATER", WATER) / e_it_kwh
    assert sp.WATER_L_PER_KWH_MIN <= wue <= sp.WATER_L_PER_KWH_MAX
    assert sp.water_l_per_kwh(0.0) == pytest.approx(0.2)
    assert sp.water_l_per_kwh(35.0) == pytest.approx(1.0)
    assert sp.water_l_per_kwh(15.0) < sp.water_l_per_kwh(25.0)


def test_chillers_use_free_cooling_when_cold_and_compressors_when_warm():
    per_w = [sp.chiller_watts_per_watt(c) for c in (-5.0, 2.0, 7.0, 12.0, 20.0, 30.0, 40.0)]
    assert per_w == sorted(per_w)  # warmer air, more electricity per W of heat
    assert per_w[0] == pytest.approx(1 / sp.FREE_COOLING_COP)  # fans and pumps only
    assert per_w[3] == pytest.approx(1 / 6.5)  # compressors alone, COP 4.5 + 0.25 x 8
    assert per_w[-1] == pytest.approx(1 / sp.COP_MIN)
    january = [sp.outdoor_c(7, DAY - 90 * 86_400 + h * 3600) for h in range(24)]
    july = [sp.outdoor_c(7, DAY + 92 * 86_400 + h * 3600) for h in range(24)]
    assert max(january) < min(july)
    assert max(july) - min(july) > 5.0  # a day's swing


def test_a_ups_puts_back_what_its_battery_spell_took():
    building = Building(site_plan())
    hour = DAY + 5 * 3600
    offset, spell = fault_schedule.SCHEDULE["ups_battery"]  # the mains transfer on UPS-A
    start, end = hour + offset, hour + offset + spell
    assert building.at(start + 10).values["ups/UPS-A/input_w"] == 0.0
    out = building.at(end + 30).values["ups/UPS-A/output_w"]
    recharge = building.at(end + 30).values["ups/UPS-A/recharge_w"]
    assert recharge * sp.RECHARGE_S * sp.RECHARGE_EFFICIENCY == pytest.approx(out * spell)
    assert building.at(end + sp.RECHARGE_S + 30).values["ups/UPS-A/recharge_w"] == 0.0
