"""The demo building's model: power, heat and air that agree, worked out by hand where we can.

A small building: one hall, two racks of two DGX-like hosts and a switch, an A and a B PDU
per rack on UPS-A and UPS-B, one CRAH, one CDU, one chiller. ``T`` is 100 s into an hour,
when no scheduled fault is in force.
"""

from __future__ import annotations

import pytest

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
from telemetry.simulators.building import model as m

T = 1_796_000_000.0 - (1_796_000_000 % 3600) + 100.0  # 100 s into an hour of 2026-11


def plan(**changes) -> Plan:
    racks = (RackSpec("R1", "Hall 1", "A", 1, 2), RackSpec("R2", "Hall 1", "A", 2, 2))
    devices, pdus = [], []
    for rack in racks:
        for side in "AB":
            pdus.append(PduSpec(f"{rack.name}-PDU-{side}", rack.name, side, f"UPS-{side}"))
        for n in (1, 2):
            name = f"{rack.name}-H{n}"
            plugs = tuple(
                Plug(f"{rack.name}-PDU-{'A' if psu % 2 else 'B'}", (n - 1) * 3 + (psu + 1) // 2)
                for psu in range(1, 7)
            )
            status = changes.get(name, "active")
            devices.append(
                DeviceSpec(name, rack.name, "gpu_server", status, 2 + 8 * n, 8, plugs=plugs)
            )
        devices.append(
            DeviceSpec(
                f"{rack.name}-LEAF",
                rack.name,
                "switch",
                ports=64,
                fabric="infiniband",
                plugs=(Plug(f"{rack.name}-PDU-A", 7), Plug(f"{rack.name}-PDU-B", 7)),
            )
        )
    plant = (
        PlantSpec("UPS-A", "ups", rated_w=3e6),
        PlantSpec("UPS-B", "ups", rated_w=3e6),
        PlantSpec("CRAH-1", "crah", "Hall 1"),
        PlantSpec("CDU-1", "cdu", "Hall 1"),
        PlantSpec("CHILLER-1", "chiller"),
    )
    return Plan(7, "Europe/Amsterdam", racks, tuple(devices), tuple(pdus), plant)


@pytest.fixture
def building() -> Building:
    return Building(plan(**{"R2-H2": "failed", "R1-H2": "maintenance"}))


def test_no_fault_is_in_force_at_the_reference_time(building):
    assert faults.active(building.plan, T) == []


def test_two_processes_compute_the_same_building(building):
    other = Building(plan(**{"R2-H2": "failed", "R1-H2": "maintenance"}))
    a, b = building.at(T), other.at(T)
    assert a.values == b.values and a.device_w == b.device_w


def test_a_server_draws_its_gpus_and_the_rest_over_psu_efficiency(building):
    snap = building.at(T)
    for host in ("R1-H1", "R2-H1"):
        gpus = snap.gpus[host]
        mean_u = sum(g.util for g in gpus) / 8 / 100
        dc = sum(g.power_w for g in gpus) + m.SERVER_BASE_W + m.SERVER_LOAD_W * mean_u
        assert snap.device_w[host] == pytest.approx(dc / m.PSU_EFFICIENCY)


def test_maintenance_idles_and_failed_is_dark(building):
    snap = building.at(T)
    idle = snap.gpus["R1-H2"]
    assert all(g.util == 0 for g in idle)
    assert all(g.power_w == pytest.approx(m.GPU_IDLE_W, rel=0.01) for g in idle)
    assert snap.device_w["R2-H2"] == 0.0 and "R2-H2" not in snap.gpus
    assert building.gpu("R2-H2", 0, T) is None


def test_a_pdu_reads_the_sum_of_its_outlets(building):
    snap, v = building.at(T), building.at(T).values
    for pdu in ("R1-PDU-A", "R1-PDU-B", "R2-PDU-A"):
        outlets = sum(v[f"pdu/{pdu}/outlet{o}_w"] for o in range(1, 37))
        assert v[f"pdu/{pdu}/power_w"] == pytest.approx(outlets + m.PDU_CONTROLLER_W)
        assert v[f"pdu/{pdu}/apparent_va"] >= v[f"pdu/{pdu}/power_w"]
        assert 0.9 < v[f"pdu/{pdu}/pf"] <= 1.0
        v_ln = v[f"pdu/{pdu}/pole1_v"]
        poles_va = sum(v[f"pdu/{pdu}/pole{p}_a"] for p in (1, 2, 3)) * v_ln
        assert poles_va == pytest.approx(v[f"pdu/{pdu}/apparent_va"])
    # Each of R1-H1's six PSUs carries a sixth: three on A (outlets 1-3), three on B.
    assert v["pdu/R1-PDU-A/outlet1_w"] == pytest.approx(snap.device_w["R1-H1"] / 6)
    rack = v["pdu/R1-PDU-A/power_w"] + v["pdu/R1-PDU-B/power_w"]
    assert rack == pytest.approx(snap.rack_w["R1"] + 2 * m.PDU_CONTROLLER_W)


def test_ups_output_is_what_it_feeds_and_input_adds_its_losses(building):
    v = building.at(T).values
    fed = v["pdu/R1-PDU-A/power_w"] + v["pdu/R2-PDU-A/power_w"]
    out = v["ups/UPS-A/output_w"]
    assert out == pytest.approx(fed * 1.005)
    assert v["ups/UPS-A/input_w"] - out == pytest.approx(
        0.004 * 3e6 + 0.02 * out + 0.01 * out * out / 3e6
    )


def test_ups_losses_known_answer():
    # 900 kW out of a 3 MW UPS: 12 kW fixed + 18 kW proportional + 2.7 kW quadratic.
    fixed, prop, quad = m.UPS_LOSS
    out, rated = 900_000.0, 3e6
    assert fixed * rated + prop * out + quad * out * out / rated == pytest.approx(32_700.0)


def test_cooling_removes_the_halls_heat_and_chillers_take_it_all(building):
    snap = building.at(T)
    heat = sum(snap.rack_w.values())
    crah = snap.cooling["CRAH-1"]
    cdu = snap.cooling["CDU-1"]
    assert crah["cooling_output_watts"] + cdu["cdu_heat_watts"] == pytest.approx(heat)
    # The CRAH's air figures carry the same heat: flow x rho cp x delta-T.
    airflow = m.CRAH_AIRFLOW_M3S * crah["cooling_fan_speed_percent"] / 100
    delta = (
        crah["cooling_return_air_temperature_celsius"]
        - crah["cooling_supply_air_temperature_celsius"]
    )
    assert airflow * m.AIR_RHO_CP * delta == pytest.approx(crah["cooling_output_watts"])
    chiller = snap.cooling["CHILLER-1"]
    plant = heat + crah["cooling_fan_power_watts"] + cdu["cdu_power_watts"]
    assert chiller["chiller_cooling_output_watts"] == pytest.approx(plant)


def test_outlet_air_is_inlet_plus_heat_over_airflow(building):
    snap = building.at(T)
    v = snap.values
    for rack in ("R1", "R2"):
        air_heat = snap.rack_w[rack] * (1 - m.REAR_DOOR_SHARE)
        rise = air_heat / (m.AIR_RHO_CP * snap.rack_airflow[rack])
        assert v[f"rack/{rack}/outlet_c"] - v[f"rack/{rack}/inlet_c"] == pytest.approx(rise)
        assert 18.0 < v[f"rack/{rack}/inlet_c"] < 27.0


def test_a_lost_feed_moves_the_rack_to_its_other_side():
    p = plan()
    fault = faults.Fault("feed_loss", T - 10, T + 10, "R1-PDU-A")
    faults._hour.cache_clear()
    b = Building(p)
    ctx = b._context(T)
    ctx["dead_pdus"].add(fault.target)
    snap = m.Snapshot(T)
    for rack in p.racks:
        b._rack(rack, T, ctx, snap)
    b._power_chain(snap, ctx["dead_pdus"], {})
    v = snap.values
    assert v["pdu/R1-PDU-A/power_w"] == 0.0
    assert v["pdu/R1-PDU-B/power_w"] == pytest.approx(snap.rack_w["R1"] + m.PDU_CONTROLLER_W)


def test_every_fault_kind_starts_once_in_any_hour():
    p = plan()
    for start in (T, T + 1234, T + 3599):
        kinds = [f.kind for f in faults.started_between(p, start, start + 3600)]
        assert sorted(kinds) == sorted(faults.SCHEDULE)


def test_training_job_ramps_and_dips_for_checkpoints():
    job = jobs.Job("j", "training", 1000.0, 9000.0, 97.0, 1200.0)
    assert jobs.utilization(job, 1000.0 + 90) == pytest.approx(25 + 72 * 0.5)
    assert jobs.utilization(job, 1000.0 + 180 + 600) == 97.0
    assert jobs.utilization(job, 1000.0 + 180 + 1200 - 30) == 12.0  # writing a checkpoint
    assert jobs.utilization(None, 5000.0) == 0.0


def test_inference_follows_the_sites_day():
    job = jobs.Job("i", "inference", 0.0, 1e10, 80.0)
    night = [jobs.utilization(job, 4 * 3600 + k * 7.0) for k in range(50)]  # 04:00 UTC
    afternoon = [jobs.utilization(job, 16 * 3600 + k * 7.0) for k in range(50)]
    assert max(night) <= 12 + 6 and min(afternoon) >= 80 - 6


def test_nvml_standin_reports_the_models_watts(building):
    sim = nvml.SimulatedNvml("R1-H1", clock=lambda: T, building=building)
    sim.nvmlInit()
    model = building.at(T).gpus["R1-H1"]
    for i in range(8):
        watts = sim.nvmlDeviceGetPowerUsage(sim.nvmlDeviceGetHandleByIndex(i)) / 1000
        assert watts == pytest.approx(model[i].power_w, abs=0.001)
    dark = nvml.SimulatedNvml("R2-H2", clock=lambda: T, building=building)
    with pytest.raises(nvml.NVMLError):
        dark.nvmlInit()


def test_gpu_temperature_follows_inlet_offset_and_power(building):
    """A first-order lag (tau 40 s) stays inside the envelope of its steady states over the
    last few time constants: inlet + the board's offset + its °C/W x power."""
    _, offset, c_per_w = building.gpu_scale["R1-H1"][0]

    def steady(t: float) -> float:
        gpu = building.gpu("R1-H1", 0, t)
        return gpu.inlet_c + offset + c_per_w * gpu.power_w

    for t in (T, T + 1800.0, T + 5400.0):
        clock = [t - 900.0]
        sim = nvml.SimulatedNvml("R1-H1", clock=lambda c=clock: c[0], building=building)
        sim.nvmlInit()
        sim.advance(t)
        envelope = [steady(t - k) for k in range(0, 200)]
        assert min(envelope) - 0.5 <= sim.devices[0].state.temp_c <= max(envelope) + 0.5


def test_an_unknown_model_key_is_refused_when_the_agent_loads(building, tmp_path):
    """A typo in a data file is an error at load, naming the file and line, not zeros."""
    from telemetry.simulators.snmp.agent import Device as AgentDevice

    good = tmp_path / "good.snmprec"
    good.write_text("1.3.6.1.2.1.1.3.0|66:model|pdu/R1-PDU-A/power_w,scale=1\n")
    assert AgentDevice(good, T, building).oids
    bad = tmp_path / "bad.snmprec"
    bad.write_text("1.3.6.1.2.1.1.3.0|66:model|pdu/R1-PDU-Z/power_w,scale=1\n")
    with pytest.raises(ValueError, match=r"bad.snmprec:1: .*no value 'pdu/R1-PDU-Z/power_w'"):
        AgentDevice(bad, T, building)
    assert building.knows("port/R1-LEAF/3/oper") and not building.knows("port/R9/3/oper")
