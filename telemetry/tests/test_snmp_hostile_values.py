"""Issue 15 (low): one absurd value from an agent is skipped and counted, never the whole
target. A 200-byte INTEGER (no SMIv2 type is over 64 bits) used to overflow float() and
fail the UPS's poll, losing its battery status with it."""

from telemetry.collectors import snmp_ber as ber
from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many
from telemetry.tests.hostile_snmp import HostileAgent, varbinds

SYS_UPTIME = ber.enc_oid_body("1.3.6.1.2.1.1.3.0")
BATTERY_STATUS = ber.enc_oid_body("1.3.6.1.2.1.33.1.2.1.0")
HUGE = b"\x7f" + b"\xff" * 199  # 2**1599: past float range


def ups_with_one_huge_integer(request: bytes) -> bytes:
    community, (tag, rid, _a, _b, vbs) = ber.parse_v2c(request)
    answer = []
    for oid, _tag, _value in vbs:
        dotted = ber.oid_str(oid)
        if tag == ber.GETBULK:
            answer.append((dotted, ber.END_OF_MIB_VIEW, b""))
        elif oid == SYS_UPTIME:
            answer.append((dotted, ber.TIMETICKS, (123_400).to_bytes(3, "big")))
        elif oid == BATTERY_STATUS:
            answer.append((dotted, ber.INTEGER, b"\x02"))  # normal
        else:
            answer.append((dotted, ber.INTEGER, HUGE))
    return ber.v2c_message(community, ber.pdu(ber.RESPONSE, rid, 0, 0, varbinds(answer)))


def test_a_huge_integer_is_skipped_and_the_other_values_kept():
    with HostileAgent(ups_with_one_huge_integer) as agent:
        [result] = poll_many(
            [SnmpTarget("127.0.0.1", SnmpCredentials(), ("ups_mib",), port=agent.port)]
        )
    assert result.ok, result.error
    got = {r.metric: r.value for r in result.readings}
    assert got["ups_battery_status"] == 2
    assert got["snmp_sys_uptime_seconds"] == 1234
    assert result.skipped["out_of_range"] >= 1
