"""Each SNMP profile against the simulated fleet served by a real snmpsim agent on loopback.

The "-static" copies of the demo devices hold every value at its mean, so that scaling and
units can be checked exactly; the moving fleet shows counters rising between two polls.
"""

import time

import pytest

from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many
from telemetry.simulators.snmp import DEMO_V3_USER, V3User, start_snmpsim
from telemetry.simulators.snmp.fleet import DEMO_FLEET, write_fleet, write_snmprec

DEVICES = {d.kind: d for d in DEMO_FLEET}
V3_USERS = (
    DEMO_V3_USER,
    V3User("ops-md5-des", "auth-secret-1", "MD5", "priv-secret-1", "DES"),
    V3User("ops-sha256-aes256", "auth-secret-2", "SHA256", "priv-secret-2", "AES256"),
    V3User("ops-sha512-aes192", "auth-secret-3", "SHA512", "priv-secret-3", "AES192"),
)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    data = tmp_path_factory.mktemp("snmp-fleet")
    write_fleet(data, DEMO_FLEET)
    for device in DEMO_FLEET:
        write_snmprec(data / f"{device.name}-static.snmprec", device.records(moving=False))
    handle = start_snmpsim(data, v3_users=V3_USERS)
    yield handle
    handle.stop()


def v2c(sim, kind, static=True, **kw):
    device = DEVICES[kind]
    community = f"{device.name}-static" if static else device.name
    return SnmpTarget(
        "127.0.0.1",
        SnmpCredentials(community=community),
        device.profiles,
        port=sim.port,
        name=community,
        **kw,
    )


def readings(result):
    """{(metric, component): Reading}, asserting the poll worked and no key repeats."""
    assert result.ok, result.error
    out = {(r.metric, r.component): r for r in result.readings}
    assert len(out) == len(result.readings), "duplicate series in one poll"
    return out


def value(result, metric, component=""):
    return readings(result)[(metric, component)].value


def test_if_mib_ports_named_by_ifname_with_64bit_bytes_speed_and_status(sim):
    [result] = poll_many([v2c(sim, "leaf_switch")])
    got = readings(result)
    assert result.skipped == {}
    ports = {c for (m, c) in got if m == "if_in_bytes_total"}
    assert len(ports) == 48 and "if:Eth1/1" in ports
    port1 = got[("if_in_bytes_total", "if:Eth1/1")]
    assert port1.unit == "bytes" and port1.value > 2**32  # a 64-bit counter, read whole
    assert port1.labels == {"alias": "gpu-node-01 rail 0"}
    assert value(result, "if_speed_bits_per_second", "if:Eth1/1") == 400e9
    assert value(result, "if_oper_status", "if:Eth1/12") == 2  # every twelfth port is a spare
    assert value(result, "if_admin_status", "if:Eth1/12") == 2  # ... shut by the admin
    assert got[("if_in_errors_total", "if:Eth1/3")].unit == ""
    assert value(result, "snmp_sys_uptime_seconds") == 3600.0  # 360000 TimeTicks


def test_entity_sensor_scale_precision_and_type_to_unit(sim):
    [result] = poll_many([v2c(sim, "leaf_switch")])
    got = readings(result)
    inlet = got[("sensor_temperature_celsius", "sensor:Inlet")]
    assert (inlet.value, inlet.unit) == (24.0, "celsius")  # 240, precision 1
    assert value(result, "sensor_voltage_volts", "sensor:PSU1 Vout") == 12.0  # 12000 milli
    assert value(result, "sensor_fan_speed_rpm", "sensor:PSU1 Fan") == 11500


def test_apc_rpdu2_hundredths_of_kw_tenths_of_kwh_and_outlets(sim):
    [result] = poll_many([v2c(sim, "apc_rpdu2")])
    got = readings(result)
    device = DEVICES["apc_rpdu2"].records(moving=False)
    raw_power = int(next(v for o, _, v in device if o == "1.3.6.1.4.1.318.1.1.26.4.3.1.5.1"))
    assert value(result, "pdu_power_watts", "pdu:1") == raw_power * 10
    energy = got[("pdu_energy_joules_total", "pdu:1")]
    assert (energy.value, energy.unit) == (123456 * 0.1 * 3.6e6, "joules")
    assert value(result, "pdu_phase_voltage_volts", "phase:2") == 230
    assert value(result, "pdu_load_state", "pdu:1") == 2
    outlets = {c for (m, c) in got if m == "pdu_outlet_power_watts"}
    assert len(outlets) == 24 and got[("pdu_outlet_power_watts", "outlet:7")].labels == {
        "name": "node-07"
    }
    assert value(result, "env_temperature_celsius", "sensor:Rack inlet") == 23.5
    assert value(result, "env_humidity_percent", "sensor:Rack inlet") == 42


def test_raritan_inlet_sensors_divided_by_their_decimal_digits(sim):
    [result] = poll_many([v2c(sim, "raritan_pdu2")])
    assert value(result, "pdu_power_watts", "inlet:1") == 7400
    assert value(result, "pdu_voltage_volts", "inlet:1") == 400
    assert value(result, "pdu_power_factor", "inlet:1") == 0.97  # 97, 2 digits
    assert value(result, "pdu_frequency_hertz", "inlet:1") == 50.0  # 500, 1 digit
    assert value(result, "pdu_current_amperes", "inlet:1") == pytest.approx(10.681, abs=1e-3)
    assert value(result, "pdu_energy_joules_total", "inlet:1") == 52_000_000 * 3600  # Wh
    assert value(result, "pdu_outlet_voltage_volts", "outlet:36") == 230


def test_servertech_sentry4_cords_phases_outlets(sim):
    [result] = poll_many([v2c(sim, "servertech_sentry4")])
    assert value(result, "pdu_power_watts", "cord:1.1") == 6900
    assert value(result, "pdu_power_utilization_percent", "cord:1.1") == 43.1
    assert value(result, "pdu_energy_joules_total", "cord:1.1") == 98_765 * 360_000
    assert value(result, "pdu_phase_voltage_volts", "phase:1.1.1") == 240.0  # tenths
    assert value(result, "pdu_phase_current_amperes", "phase:1.1.2") == 9.6  # hundredths
    assert value(result, "env_temperature_celsius", "sensor:1.1") == 24.5


def test_ups_mib_minutes_become_seconds_and_lines_are_components(sim):
    [result] = poll_many([v2c(sim, "ups")])
    assert value(result, "ups_battery_runtime_seconds") == 14 * 60
    assert value(result, "ups_battery_status") == 2
    assert value(result, "ups_output_source") == 3
    assert value(result, "ups_battery_charge_percent") == 100
    assert value(result, "ups_battery_voltage_volts") == 545.0
    assert value(result, "ups_output_power_watts", "output:2") == 420_000
    assert value(result, "ups_output_load_percent", "output:3") == 41
    assert value(result, "ups_input_voltage_volts", "input:1") == 400


def test_liebert_strings_parsed_fahrenheit_converted_unavailable_skipped(sim):
    [result] = poll_many([v2c(sim, "liebert_crah")])
    assert value(result, "cooling_return_air_temperature_celsius") == 31.5
    assert value(result, "cooling_setpoint_celsius") == 18.0  # 64.4 deg F
    assert value(result, "cooling_return_air_humidity_percent") == 38
    assert result.skipped == {"unavailable": 1}


@pytest.mark.parametrize("user", V3_USERS, ids=lambda u: f"{u.auth_proto}+{u.priv_proto}")
def test_v3_auth_priv_reads_what_v2c_reads(sim, user):
    auth = {"MD5": "md5", "SHA": "sha", "SHA256": "sha256", "SHA512": "sha512"}[user.auth_proto]
    priv = {"DES": "des", "AES": "aes128", "AES192": "aes192", "AES256": "aes256"}[user.priv_proto]
    creds = SnmpCredentials(
        "3",
        user=user.name,
        auth_protocol=auth,
        auth_key=user.auth_key,
        priv_protocol=priv,
        priv_key=user.priv_key,
        context="pdu-apc-01-static",
    )
    plain = v2c(sim, "apc_rpdu2")
    secure = SnmpTarget("127.0.0.1", creds, plain.profiles, port=sim.port)
    a, b = poll_many([plain, secure])
    assert b.ok, b.error
    drop_uptime = lambda res: {k: r.value for k, r in readings(res).items() if k[1]}  # noqa: E731
    assert drop_uptime(a) == drop_uptime(b) and len(drop_uptime(b)) > 50


def test_moving_fleet_counters_rise_and_gauges_stay_plausible(sim):
    targets = [v2c(sim, kind, static=False) for kind in DEVICES]
    first = poll_many(targets)
    time.sleep(1.2)
    second = poll_many(targets)
    assert all(r.ok for r in first + second), [r.error for r in first + second]
    before, after = readings(first[0]), readings(second[0])
    assert (
        after[("if_in_bytes_total", "if:Eth1/1")].value
        > before[("if_in_bytes_total", "if:Eth1/1")].value
    )
    assert (
        after[("snmp_sys_uptime_seconds", "")].value > before[("snmp_sys_uptime_seconds", "")].value
    )
    for result in second:
        for r in result.readings:
            if r.unit == "celsius":
                assert 10 < r.value < 80, r
            if r.metric.endswith("_watts"):
                assert 0 <= r.value < 1e6, r
