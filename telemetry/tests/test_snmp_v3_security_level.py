"""Issue 15 (high): a reply's security level must be the request's (RFC 3412 7.2.11,
RFC 3414 3.2). A forged noAuthNoPriv answer to an authPriv GET must be discarded with an
error, not read as the PDU's, UPS's or cooling unit's values."""

import asyncio

import pytest

from telemetry.collectors import snmp_ber as ber
from telemetry.collectors import snmp_usm as usm
from telemetry.collectors.snmp import SnmpTarget, poll_many
from telemetry.collectors.snmp_engine import SnmpCredentials, SnmpEngine, SnmpError
from telemetry.tests.hostile_snmp import ANONYMOUS, HostileAgent, v3_reply

ENGINE_ID = bytes.fromhex("80001f8880e9630000d61ff449")
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
CREDS = SnmpCredentials(
    "3",
    user="ops",
    auth_protocol="sha256",
    auth_key="auth-secret-1",
    priv_protocol="aes128",
    priv_key="priv-secret-1",
)


def real_user() -> usm.UsmUser:
    return usm.UsmUser.localize(
        "ops", "sha256", "auth-secret-1", "aes128", "priv-secret-1", ENGINE_ID
    )


def agent_answering(secured_as: usm.UsmUser, pdu_tag=ber.RESPONSE, items=None):
    """Discovery answered honestly (an unauthenticated report); every GET answered as
    ``secured_as`` with ``items`` (default: sysUpTime 4242 ticks)."""
    items = items or [(SYS_UPTIME, ber.TIMETICKS, (4242).to_bytes(2, "big"))]
    discovery = [("1.3.6.1.6.3.15.1.1.4.0", ber.COUNTER32, b"\x01")]

    def reply(request: bytes) -> bytes:
        if ENGINE_ID not in request:  # discovery: empty engine ID, no user
            return v3_reply(request, ANONYMOUS, ENGINE_ID, ber.REPORT, discovery)
        return v3_reply(request, secured_as, ENGINE_ID, pdu_tag, items)

    return HostileAgent(reply)


def get_uptime(port: int):
    async def go():
        engine = SnmpEngine()
        try:
            oid = ber.enc_oid_body(SYS_UPTIME)
            return await engine.request(
                ("127.0.0.1", port), CREDS, ber.GET, 0, 0, [oid], timeout=0.5, retries=0
            )
        finally:
            engine.close()

    return asyncio.run(go())


def test_an_authpriv_reply_from_the_right_user_is_read():
    with agent_answering(real_user()) as agent:
        _tag, _rid, status, _index, vbs = get_uptime(agent.port)
    assert status == 0 and vbs[0][2] == 4242


def test_an_unauthenticated_unencrypted_reply_to_an_authpriv_request_is_discarded():
    with agent_answering(ANONYMOUS) as agent, pytest.raises(SnmpError, match="authPriv"):
        get_uptime(agent.port)


def test_an_authenticated_but_unencrypted_reply_to_an_authpriv_request_is_discarded():
    user = real_user()
    auth_only = usm.UsmUser(user.name, user.auth, "", user.auth_key)
    with agent_answering(auth_only) as agent, pytest.raises(SnmpError, match="authNoPriv"):
        get_uptime(agent.port)


def test_a_reply_authenticated_as_another_user_is_discarded():
    other = usm.UsmUser.localize(
        "intruder", "sha256", "auth-secret-1", "aes128", "priv-secret-1", ENGINE_ID
    )
    with agent_answering(other) as agent, pytest.raises(SnmpError, match="another"):
        get_uptime(agent.port)


def test_an_unauthenticated_time_window_report_does_not_move_the_clock():
    report = [("1.3.6.1.6.3.15.1.1.2.0", ber.COUNTER32, b"\x01")]
    agent = agent_answering(ANONYMOUS, ber.REPORT, report)
    with agent, pytest.raises(SnmpError, match="unauthenticated time report"):
        get_uptime(agent.port)


def test_a_forged_reply_fails_the_poll_of_that_target_and_stores_nothing():
    with agent_answering(ANONYMOUS) as agent:
        [result] = poll_many([SnmpTarget("127.0.0.1", CREDS, (), port=agent.port, timeout=0.5)])
    assert not result.ok and "discarded" in result.error
    assert result.readings == []


@pytest.mark.parametrize("field", ["boots", "etime"])
def test_engine_boots_or_time_past_int32_is_a_usm_error_not_overflow(field, monkeypatch):
    # Found by fuzzing: a huge msgAuthoritativeEngineBoots reached int.to_bytes(4) in the
    # AES IV and raised OverflowError, which no caller expects. Our own encryptor cannot
    # make such a message either, so the ciphertext is filler: parse must stop before it.
    user = real_user()
    pdu = ber.pdu(ber.RESPONSE, 7, 0, 0, ber.varbind_list([ber.enc_oid_body(SYS_UPTIME)]))
    big = {"boots": 1, "etime": 1, field: 2**40}
    monkeypatch.setattr(usm, "_encrypt", lambda *a: (bytes(48), bytes(8)))
    wire = usm.build(7, user, ENGINE_ID, big["boots"], big["etime"], b"", pdu)
    monkeypatch.undo()
    with pytest.raises(usm.UsmError, match="out of range"):
        usm.parse(wire, user)
