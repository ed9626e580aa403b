"""The hand-written SNMP codec and USM keys against published vectors (no agent needed)."""

from telemetry.collectors import snmp_ber as ber
from telemetry.collectors import snmp_usm as usm

ENGINE = bytes.fromhex("000000000000000000000002")


def test_rfc3414_key_localization_vectors():
    # RFC 3414 A.3.1 and A.3.2: password "maplesyrup", engine ID 00..02.
    assert usm.localized_key("maplesyrup", "md5", ENGINE).hex() == (
        "526f5eed9fcce26f8964c2930787d82b"
    )
    assert usm.localized_key("maplesyrup", "sha1", ENGINE).hex() == (
        "6695febc9288e36282235fc7151f128497b38f3f"
    )


def test_aes256_key_is_extended_to_32_bytes_and_differs_by_draft():
    reeder = usm.priv_key("maplesyrup", "sha1", "aes256", ENGINE)
    blumenthal = usm.priv_key("maplesyrup", "sha1", "aes256-blumenthal", ENGINE)
    assert len(reeder) == len(blumenthal) == 32
    assert reeder[:20] == blumenthal[:20] == usm.localized_key("maplesyrup", "sha1", ENGINE)
    assert reeder != blumenthal


def test_oid_encoding_round_trips_and_column_prefix_is_a_byte_prefix():
    column = ber.enc_oid_body("1.3.6.1.2.1.31.1.1.1.6")
    instance = ber.enc_oid_body("1.3.6.1.2.1.31.1.1.1.6.16384.200")
    assert ber.dec_oid_body(instance) == (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 16384, 200)
    assert instance.startswith(column)
    assert ber.index_of(instance, len(column)) == (16384, 200)


def test_v3_message_authenticates_and_decrypts_with_the_same_user():
    user = usm.UsmUser.localize("ops", "sha256", "auth-secret", "aes128", "priv-secret", ENGINE)
    pdu = ber.pdu(ber.RESPONSE, 7, 0, 0, ber.varbind_list([ber.enc_oid_body("1.3.6.1.2.1.1.3.0")]))
    wire = usm.build(7, user, ENGINE, 3, 1234, b"ctx", pdu)
    parsed = usm.parse(wire, user)
    assert (parsed.msg_id, parsed.boots, parsed.etime) == (7, 3, 1234)
    assert parsed.pdu[1] == 7
    tampered = wire[:-1] + bytes([wire[-1] ^ 1])
    try:
        usm.parse(tampered, user)
    except usm.UsmError as exc:
        assert "authentication" in str(exc)
    else:
        raise AssertionError("a tampered message passed the HMAC check")
