"""Every built-in rule fires on simulated data: the NVML stand-in, snmpsim agents and the
Modbus simulator, collected by the real collectors and stored through store_result (the
ingest hook), exactly as in production.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.alerts import engine
from dcim.alerts.models import Alert, Rule, State
from dcim.inventory.choices import DeviceRole
from dcim.inventory.tests.factories import (
    make_device,
    make_device_type,
    make_gpu,
    make_pdu,
    make_power_feed,
    make_power_port,
    make_rack,
)
from telemetry.collectors import modbus as modbus_collector
from telemetry.collectors import nvml as nvml_collector
from telemetry.collectors import snmp as snmp_collector
from telemetry.collectors.modbus import ModbusTarget
from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget
from telemetry.models import CollectionTarget
from telemetry.polling import store_result
from telemetry.readings import PollResult
from telemetry.simulators import nvml as standin
from telemetry.simulators.modbus import ModbusSimulator
from telemetry.simulators.snmp import start_snmpsim
from telemetry.simulators.snmp.fleet import (
    APC,
    IF,
    IFX,
    UPS,
    apc_rpdu2,
    freeze,
    ups,
    write_snmprec,
)
from telemetry.simulators.snmp.netbotz import TEMP, netbotz_rack_monitor

pytestmark = pytest.mark.django_db
HOST = "alerts-dgx-01"


def firing(rule_name: str) -> list[Alert]:
    return list(Alert.objects.filter(rule__name=rule_name, state=State.FIRING))


def later(minutes: float):
    """A beat tick some minutes from now: pending alerts whose duration elapsed fire."""
    return engine.tick(timezone.now() + timedelta(minutes=minutes))


def test_every_pack_rule_is_valid_and_names_a_known_metric(db):
    rules = list(Rule.objects.filter(builtin=True))
    # The alerts pack (20); energy's two (PUE, meter coverage); maintenance's two (warranty,
    # end of life); availability's five (group degraded / failed, 2N rack over one feed,
    # drill overdue, actions overdue).
    assert len(rules) == 20 + 2 + 2 + 5
    for r in rules:
        r.full_clean()  # metric known, template renders
        assert r.description


# -- GPUs: the NVML stand-in ------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def gpu_host(db):
    dtype = make_device_type(default_role=DeviceRole.GPU_SERVER, gpu_count=8, u_height=4)
    device = make_device(device_type=dtype, rack=make_rack(), position_u=1, name=HOST)
    for i in range(8):
        make_gpu(device=device, index=i, uuid=standin.gpu_uuid(HOST, i))
    target = CollectionTarget.objects.create(device=device, protocol="nvml", address=HOST)
    clock = Clock()
    sim = standin.SimulatedNvml(HOST, clock=clock)
    return target, sim, clock


def poll(target, sim):
    result = nvml_collector.collect(sim, target=HOST)
    assert result.ok, result.error
    store_result(target, result)
    return result


def test_gpu_rules_fire_on_the_nvml_standin(gpu_host):
    target, sim, clock = gpu_host
    poll(target, sim)  # baseline: counters marked, nothing wrong
    assert not Alert.objects.filter(state=State.FIRING).exists()

    standin.inject(sim, 1, "ecc_uncorrected")  # DBE +1, row remap pending, XID 48
    standin.inject(sim, 2, "xid79")  # fallen off the bus: lost
    standin.inject(sim, 3, "thermal_slowdown")
    standin.inject(sim, 4, "remap_failure")
    clock.t += 900  # the die heats with its inertia
    poll(target, sim)
    assert [a.component for a in firing("GPU uncorrected ECC error")] == ["gpu1"]
    assert {a.component: a.value for a in firing("GPU critical XID error")} == {
        "gpu1": 48,
        "gpu2": 79,
    }
    assert [a.component for a in firing("GPU lost")] == ["gpu2"]
    assert [a.component for a in firing("GPU row-remap failure")] == ["gpu4"]
    later(3)
    assert [a.component for a in firing("GPU temperature near its slowdown threshold")] == ["gpu3"]
    assert [a.component for a in firing("GPU thermal throttling sustained")] == ["gpu3"]


def test_power_brake_fires_when_sustained(gpu_host):
    target, sim, clock = gpu_host
    for gpu in range(8):
        standin.inject(sim, gpu, "power_brake")
    poll(target, sim)
    assert Alert.objects.filter(rule__name="GPU power brake sustained").count() == 8
    later(3)
    assert len(firing("GPU power brake sustained")) == 8


def test_gpu_telemetry_stopped_fires_on_absence(gpu_host):
    target, sim, clock = gpu_host
    result = poll(target, sim)
    later(11)
    assert len(firing("GPU telemetry stopped")) == 8
    result.started = timezone.now() + timedelta(minutes=12)
    store_result(target, result)
    assert firing("GPU telemetry stopped") == []


def test_collector_failing_fires_after_three_failures(gpu_host):
    target, _sim, _clock = gpu_host
    for _ in range(3):
        store_result(target, PollResult(HOST, error="NVML init failed: Driver Not Loaded"))
    [alert] = firing("Collector failing")
    assert alert.value == 3 and alert.target == target


# -- power, UPS, network: snmpsim ------------------------------------------------------


@pytest.fixture(scope="module")
def snmp(tmp_path_factory):
    data = tmp_path_factory.mktemp("alerts-snmp")
    for name, records in snmp_files().items():
        write_snmprec(data / f"{name}.snmprec", records)
    handle = start_snmpsim(data)
    yield handle
    handle.stop()


def snmp_files() -> dict:
    def patch(records, values):
        out = [r for r in freeze(records) if r[0] not in values]
        return out + [(oid, tag, str(v)) for oid, (tag, v) in values.items()]

    return {
        # .4.3.1.5 is in hundredths of kW: 330 -> 3300 W; the inlet probe reads 33.5 °C
        "pdu-hot": patch(
            apc_rpdu2(4), {f"{APC}.4.3.1.5.1": ("2", 330), f"{APC}.10.2.2.1.8.1": ("2", 335)}
        ),
        # on battery for 2 min, 5 min of runtime left, output source battery(5)
        "ups-onbatt": patch(
            ups(1), {f"{UPS}.2.2.0": ("2", 120), f"{UPS}.2.3.0": ("2", 5), f"{UPS}.4.1.0": ("2", 5)}
        ),
        "switch": switch_records(errors=100),
        # a NetBotz whose inlet probe reads 33.5 °C and its outlet 36 °C (hot by design)
        "netbotz-hot": patch(
            netbotz_rack_monitor(),
            {f"{TEMP}.2.{row}": ("2", tenths) for row, tenths in netbotz_rows(335, 360)},
        ),
    }


def netbotz_rows(inlet: int, outlet: int) -> list[tuple[str, int]]:
    """(row index, value) of the simulated NetBotz's "Inlet" and "Outlet" probes."""
    labels = {v: o.rsplit(".", 1)[1] for o, _, v in netbotz_rack_monitor() if f"{TEMP}.4." in o}
    return [(labels["Inlet"], inlet), (labels["Outlet"], outlet)]


def switch_records(errors: int) -> list:
    out = [("1.3.6.1.2.1.1.3.0", "67", "360000")]
    for i, (admin, oper) in enumerate([(1, 2), (1, 1), (2, 2)], start=1):
        out += [
            (f"{IF}.2.{i}", "4", f"Ethernet1/{i}"),
            (f"{IF}.7.{i}", "2", str(admin)),
            (f"{IF}.8.{i}", "2", str(oper)),
            (f"{IF}.14.{i}", "65", str(errors * i)),
            (f"{IFX}.1.{i}", "4", f"Eth1/{i}"),
        ]
    return out


def snmp_poll(sim, device, community: str, profiles) -> None:
    target, _ = CollectionTarget.objects.get_or_create(
        device=device, protocol="snmp", address="127.0.0.1", port=sim.port
    )
    [result] = snmp_collector.poll_many(
        [
            SnmpTarget(
                "127.0.0.1",
                SnmpCredentials(community=community),
                profiles,
                port=sim.port,
                timeout=1,
                retries=0,
            )
        ]
    )
    assert result.ok, result.error
    store_result(target, result)


def test_pdu_feed_and_rack_inlet_rules_fire_on_snmpsim(snmp):
    pdu = make_pdu(rack=make_rack())
    make_power_port(device=pdu, feed=make_power_feed(voltage=230, amperage=16))  # 2944 W
    snmp_poll(snmp, pdu, "pdu-hot", ("apc_rpdu2", "env_sensor"))
    later(6)
    assert [a.value for a in firing("PDU above 80 % of available feed power")] == [3300]
    assert len(firing("PDU above available feed power (NEC 80 % of breaker)")) == 1
    [warn] = firing("Rack inlet outside ASHRAE recommended (18–27 °C)")
    [crit] = firing("Rack inlet outside ASHRAE A1 allowable (15–32 °C)")
    assert warn.value == crit.value == 33.5 and crit.component == "sensor:Rack inlet"


def test_ashrae_inlet_rules_judge_inlet_probes_not_outlets(snmp):
    """Outlet air runs ~12 °C above the inlet by design: a 36 °C outlet is no ASHRAE breach."""
    monitor = make_device(
        device_type=make_device_type(default_role=DeviceRole.ENV_SENSOR), rack=make_rack()
    )
    snmp_poll(snmp, monitor, "netbotz-hot", ("netbotz_v2",))
    later(6)
    for name in (
        "Rack inlet outside ASHRAE recommended (18–27 °C)",
        "Rack inlet outside ASHRAE A1 allowable (15–32 °C)",
    ):
        assert Rule.objects.get(name=name).component == "*[Ii]nlet*"
        assert [(a.component, a.value) for a in firing(name)] == [("inlet", 33.5)], name


def test_ups_rules_fire_on_snmpsim(snmp):
    ups = make_device(device_type=make_device_type(default_role=DeviceRole.UPS))
    snmp_poll(snmp, ups, "ups-onbatt", ("ups_mib",))
    assert [a.value for a in firing("UPS on battery")] == [120]
    assert [a.value for a in firing("UPS battery runtime low")] == [300]
    later(1)
    assert [a.value for a in firing("UPS output not on mains")] == [5]


def test_switch_port_down_and_error_rate_fire_on_snmpsim(snmp):
    switch = make_device(device_type=make_device_type(default_role=DeviceRole.SWITCH))
    snmp_poll(snmp, switch, "switch", ("if_mib",))
    write_snmprec(snmp.data_dir / "switch.snmprec", switch_records(errors=100_000))
    try:
        snmp_poll(snmp, switch, "switch", ("if_mib",))
    finally:
        write_snmprec(snmp.data_dir / "switch.snmprec", switch_records(errors=100))
    later(2)
    assert [a.component for a in firing("Switch port down")] == ["if:Eth1/1"]  # not admin-down
    errors = firing("Switch port input errors")
    assert sorted(a.component for a in errors) == ["if:Eth1/1", "if:Eth1/2", "if:Eth1/3"]


# -- cooling: the Modbus simulator -------------------------------------------------------


def test_crah_rules_fire_on_the_modbus_simulator(db):
    crah = make_device(device_type=make_device_type(default_role=DeviceRole.CRAH))
    t = [1_800_000_000.0]
    with ModbusSimulator({1: "crah_stulz"}, interval=None, clock=lambda: t[0], seed=7) as sim:
        sim.fault_high_supply(1, 15.0)
        sim.fault_alarm(1, "fan_failure")
        for _ in range(60):  # 10 minutes of thermal lag
            t[0] += 10
            sim.tick()
        target = CollectionTarget.objects.create(
            device=crah, protocol="modbus", address="127.0.0.1", port=sim.port
        )
        [result] = modbus_collector.poll_many(
            [ModbusTarget("127.0.0.1", sim.port, 1, "crah_stulz", timeout=1.0, retries=0)]
        )
    assert result.ok, result.error
    store_result(target, result)
    later(3)
    [supply] = firing("CRAH supply air high")
    assert supply.value > 27
    assert "alarm:fan_failure" in [a.component for a in firing("Cooling unit alarm")]
