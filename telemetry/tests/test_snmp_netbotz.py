"""The ``netbotz_v2`` profile (NETBOTZV2-MIB) against snmpsim on loopback: the simulated
NetBotz (frozen and moving), and a hand-written appliance with the rows a real one may hold
(labels that say a side in more words, a probe in alarm, airflow and dew point, bad values).
"""

import pytest

from telemetry.collectors.profiles.snmp import PROFILES
from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many
from telemetry.simulators.snmp import netbotz, start_snmpsim
from telemetry.simulators.snmp.fleet import KINDS, SimDevice, write_snmprec
from telemetry.simulators.snmp.netbotz import HUMI, NETBOTZ, TEMP

DEW, AIR = f"{NETBOTZ}.3.1", f"{NETBOTZ}.5.1"
DEVICE = SimDevice("netbotz", "netbotz", seed=5, rack="H1-A01")


def row(entry: str, index: int, label: str, value, tag: str = "2", status: int = 0) -> list:
    """One probe as an appliance lists it: id, value in tenths, errorStatus, label."""
    return [
        (f"{entry}.1.{index}", "4", f"nbHawkEnc_1_{index}"),
        (f"{entry}.2.{index}", tag, str(value)),
        (f"{entry}.3.{index}", "2", str(status)),
        (f"{entry}.4.{index}", "4", label),
    ]


FAULTS = [
    ("1.3.6.1.2.1.1.3.0", "67", "360000"),
    *row(TEMP, 11, "Front door top", 335, status=2),  # above its own threshold: warning(2)
    *row(TEMP, 12, "Rear", 361),
    *row(TEMP, 13, "Probe 5", 1500),  # 150 °C: outside the MIB's -50..100
    *row(TEMP, 14, "", 201),  # no label: named by its index
    *row(TEMP, 15, "Inlet", "n/a", tag="4"),  # a string where a number belongs
    *row(HUMI, 21, "Inlet", 455),
    *row(DEW, 31, "Inlet", 102),
    *row(AIR, 41, "Rear door", 1200),  # tenths of a metre per minute
]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    data = tmp_path_factory.mktemp("netbotz")
    write_snmprec(data / "netbotz.snmprec", DEVICE.records())
    write_snmprec(data / "netbotz-static.snmprec", DEVICE.records(moving=False))
    write_snmprec(data / "netbotz-faults.snmprec", FAULTS)
    handle = start_snmpsim(data)
    yield handle
    handle.stop()


def poll(sim, community: str):
    target = SnmpTarget(
        "127.0.0.1",
        SnmpCredentials(community=community),
        ("netbotz_v2",),
        port=sim.port,
        name=community,
    )
    [result] = poll_many([target])
    assert result.ok, result.error
    got = {(r.metric, r.component): r for r in result.readings}
    assert len(got) == len(result.readings), "duplicate series in one poll"
    return result, got


def test_the_kind_is_the_profile():
    assert KINDS["netbotz"][1] == ("netbotz_v2",) and DEVICE.profiles == ("netbotz_v2",)
    assert {m.name for m in PROFILES["netbotz_v2"].catalog()} == {
        "env_temperature_celsius",
        "env_humidity_percent",
        "env_dew_point_celsius",
        "env_air_speed_meters_per_second",
    }


def test_simulated_netbotz_reads_inlet_outlet_and_humidity_in_tenths(sim):
    result, got = poll(sim, "netbotz-static")
    assert result.skipped == {}
    assert set(got) == {
        ("snmp_sys_uptime_seconds", ""),
        ("env_temperature_celsius", "inlet"),
        ("env_temperature_celsius", "outlet"),
        ("env_humidity_percent", "inlet"),
    }
    tenths = {int(v) for o, _, v in DEVICE.records(moving=False) if o.startswith(f"{TEMP}.2.")}
    inlet = got[("env_temperature_celsius", "inlet")]
    outlet = got[("env_temperature_celsius", "outlet")]
    assert inlet.unit == "celsius" and {inlet.value * 10, outlet.value * 10} == tenths
    assert 22 <= inlet.value <= 25 and outlet.value - inlet.value == pytest.approx(12, abs=0.2)
    humidity = got[("env_humidity_percent", "inlet")]
    assert humidity.unit == "percent" and 37 <= humidity.value <= 43
    assert inlet.labels == {}  # the label is in the component: no second identity


def test_moving_values_stay_in_their_bands(sim):
    _, got = poll(sim, "netbotz")
    assert 22 <= got[("env_temperature_celsius", "inlet")].value <= 25
    assert 33 <= got[("env_temperature_celsius", "outlet")].value <= 38
    assert 35 <= got[("env_humidity_percent", "inlet")].value <= 45


def test_labels_give_the_side_and_bad_values_are_skipped_not_fatal(sim):
    result, got = poll(sim, "netbotz-faults")
    values = {key: r.value for key, r in got.items() if key[1]}
    assert values == {
        ("env_temperature_celsius", "inlet:Front door top"): 33.5,  # read despite warning(2)
        ("env_temperature_celsius", "outlet:Rear"): 36.1,
        ("env_temperature_celsius", "sensor:14"): 20.1,
        ("env_humidity_percent", "inlet"): 45.5,
        ("env_dew_point_celsius", "inlet"): 10.2,
        ("env_air_speed_meters_per_second", "outlet:Rear door"): 2.0,  # 120 m/min
    }
    assert result.skipped == {"implausible": 1, "wrong_type": 1}


def test_modelled_monitor_reads_the_racks_air():
    """In the demo the probes name the building model's keys for their rack."""
    records = netbotz.netbotz_rack_monitor(3, rack="H1-A01", modelled=True)
    keys = {v.split(",")[0] for _, tag, v in records if tag.endswith(":model")}
    assert keys == {f"rack/H1-A01/{q}" for q in ("inlet_c", "outlet_c", "humidity_percent")}


def test_more_sensors_are_more_inlet_probes():
    records = SimDevice("nb", "netbotz", size=5, seed=5).records(moving=False)
    labels = sorted(v for o, _, v in records if o.startswith(f"{TEMP}.4."))
    assert labels == ["Inlet", "Inlet 4", "Inlet 5", "Outlet"]
    assert [v for o, _, v in records if o.startswith(f"{HUMI}.4.")] == ["Inlet"]
    one = SimDevice("nb", "netbotz", size=1, seed=5).records(moving=False)
    assert [v for o, _, v in one if o.startswith((f"{TEMP}.4.", f"{HUMI}.4."))] == ["Inlet"]
