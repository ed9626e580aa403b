"""What an operator relies on when agents misbehave: counters as read, bad values skipped and
counted, dead or refusing targets reported as errors without spoiling the rest of the batch.
"""

import pytest

from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many
from telemetry.simulators.snmp import DEMO_V3_USER, faults, free_udp_port, start_snmpsim
from telemetry.simulators.snmp.fleet import write_snmprec

EVERY_PROFILE = ("if_mib", "entity_sensor", "ups_mib", "apc_rpdu2", "env_sensor", "liebert_gp")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    data = tmp_path_factory.mktemp("snmp-faults")
    write_snmprec(data / "counters.snmprec", faults.NEAR_WRAP)
    write_snmprec(data / "garbage.snmprec", faults.garbage())
    handle = start_snmpsim(data)
    yield handle
    handle.stop()


def target(sim, community, profiles=("if_mib",), **kw):
    return SnmpTarget(
        "127.0.0.1", SnmpCredentials(community=community), profiles, port=sim.port, **kw
    )


def counters_of(sim):
    [result] = poll_many([target(sim, "counters")])
    assert result.ok, result.error
    got = {r.metric: r.value for r in result.readings if r.metric != "if_oper_status"}
    return got["if_in_errors_total"], got["if_in_bytes_total"], got["snmp_sys_uptime_seconds"]


def test_counter_wrap_and_agent_restart_are_reported_as_read(sim):
    path = sim.data_dir / "counters.snmprec"
    try:
        errors, octets, up = counters_of(sim)
        assert errors == faults.TOP32 - 5
        assert octets == float(faults.TOP64 - 1000)

        write_snmprec(path, faults.AFTER_WRAP)  # both counters passed their top
        errors2, octets2, up2 = counters_of(sim)
        assert (errors2, octets2) == (10, 500) and up2 > up  # a wrap: uptime still rising

        write_snmprec(path, faults.AFTER_RESTART)
        errors3, octets3, up3 = counters_of(sim)
        assert (errors3, octets3) == (3, 4096) and up3 < up2  # a restart: uptime went down
    finally:
        write_snmprec(path, faults.NEAR_WRAP)


def test_garbage_values_are_skipped_and_counted_and_good_ones_kept(sim):
    [result] = poll_many([target(sim, "garbage", EVERY_PROFILE)])
    assert result.ok, result.error
    got = {(r.metric, r.component): r.value for r in result.readings}
    # kept: the sane values beside the garbage
    assert got[("if_oper_status", "if:Eth1/1")] == 1
    assert got[("sensor_temperature_celsius", "sensor:Inlet")] == 21.5
    assert got[("env_humidity_percent", "sensor:Rack inlet")] == 45
    assert got[("cooling_return_air_temperature_celsius", "")] == 30.5
    assert got[("ups_output_load_percent", "output:1")] == 40
    skipped = result.skipped
    # ifHCInOctets and upsSecondsOnBattery came as OCTET STRING
    assert skipped["wrong_type"] == 2
    assert skipped["no_such_object"] == 1  # ifHCOutOctets
    # ifInErrors stored as noSuchInstance, plus six UPS scalars this agent lacks
    assert skipped["no_such_instance"] == 7
    # 1 Eb/s port, charge of 1e9 %, -5 W UPS output, -50 W PDU, a 5000 °C probe
    assert skipped["implausible"] == 5
    assert skipped["sensor_not_ok"] == 1  # ENTITY sensor with status unavailable
    assert skipped["unknown_type"] == 2  # ENTITY type "other", unknown Liebert label
    assert skipped["unavailable"] == 1  # Liebert "Unavailable"
    assert not any(
        k in got for k in [("pdu_power_watts", "pdu:1"), ("ups_battery_charge_percent", "")]
    )


def test_silent_port_is_a_target_error_while_the_others_succeed(sim):
    dead_port = free_udp_port()
    dead = SnmpTarget(
        "127.0.0.1",
        SnmpCredentials(community="counters"),
        ("if_mib",),
        port=dead_port,
        timeout=0.3,
        retries=1,
    )
    results = poll_many([target(sim, "counters"), dead, target(sim, "garbage")])
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error.startswith(
        f"no SNMP answer from 127.0.0.1:{dead_port} within 0.3 s after 1 retries"
    )
    assert results[1].readings == [] and results[1].latency_s >= 0.6
    assert results[0].readings and results[2].readings


def test_wrong_community_is_an_error_that_names_the_community(sim):
    [result] = poll_many([target(sim, "not-a-community", timeout=0.3, retries=0)])
    assert not result.ok
    assert "no SNMP answer" in result.error and "community" in result.error


def v3(sim, **overrides):
    fields = {
        "user": DEMO_V3_USER.name,
        "auth_protocol": "sha",
        "auth_key": DEMO_V3_USER.auth_key,
        "priv_protocol": "aes128",
        "priv_key": DEMO_V3_USER.priv_key,
        "context": "counters",
    }
    fields.update(overrides)
    creds = SnmpCredentials("3", **fields)
    return SnmpTarget("127.0.0.1", creds, ("if_mib",), port=sim.port, timeout=0.5, retries=0)


def test_v3_refusals_are_errors_an_operator_can_act_on(sim):
    good, bad_key, bad_user = poll_many(
        [v3(sim), v3(sim, auth_key="not-the-key"), v3(sim, user="nobody-here")]
    )
    assert good.ok, good.error
    assert "wrong authentication key" in bad_key.error
    assert "user is unknown" in bad_user.error and "nobody-here" in bad_user.error


def test_unknown_profile_key_is_a_target_error_not_an_exception(sim):
    [result] = poll_many([target(sim, "counters", ("if_mib", "no_such_profile"))])
    assert "unknown SNMP profile" in result.error and "no_such_profile" in result.error


def test_profiles_may_come_as_the_comma_separated_string_a_collection_target_holds(sim):
    [result] = poll_many([target(sim, "counters", "if_mib, entity_sensor")])
    assert result.ok, result.error
    assert {r.metric for r in result.readings} >= {"if_in_bytes_total", "snmp_sys_uptime_seconds"}


def test_credentials_never_show_their_secrets():
    creds = SnmpCredentials(
        "3",
        user="ops",
        auth_protocol="sha",
        auth_key="s3cret-auth",
        priv_protocol="aes128",
        priv_key="s3cret-priv",
    )
    assert "s3cret" not in repr(creds) and "s3cret" not in repr(SnmpTarget("10.0.0.1", creds))
    assert "public" not in repr(SnmpCredentials(community="public"))
