"""Fuzz: the SNMP BER decoder and the USM (v3) decoder raise only their own errors.

Inputs are random bytes, and valid messages (v2c and v3 authPriv) with bytes flipped,
cut or spliced, which reach deeper than random bytes do. This found the OverflowError of
a huge engine boots value (now a UsmError) and an int-to-text limit on huge OID arcs.
"""

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from telemetry.collectors import snmp_ber as ber
from telemetry.collectors import snmp_usm as usm
from telemetry.tests.fuzz.budget import FUZZ

ENGINE = bytes.fromhex("80001f8880e9630000d61ff449")
USER = usm.UsmUser.localize("ops", "sha", "auth-secret-1", "aes128", "priv-secret-1", ENGINE)
DES_USER = usm.UsmUser.localize("ops", "md5", "auth-secret-1", "des", "priv-secret-1", ENGINE)
VARBINDS = ber.varbind_list(
    [ber.enc_oid_body("1.3.6.1.2.1.1.3.0"), ber.enc_oid_body("1.3.6.1.2.1.2.2.1.10.1")]
)
V2C = ber.v2c_message(b"public", ber.pdu(ber.RESPONSE, 42, 0, 0, VARBINDS))
V3 = usm.build(42, USER, ENGINE, 3, 1234, b"", ber.pdu(ber.RESPONSE, 42, 0, 0, VARBINDS))
V3_DES = usm.build(42, DES_USER, ENGINE, 3, 1234, b"", ber.pdu(ber.RESPONSE, 42, 0, 0, VARBINDS))
V3_PLAIN = usm.build(
    42, usm.UsmUser(b"", "", ""), ENGINE, 3, 1234, b"", ber.pdu(ber.REPORT, 42, 0, 0, VARBINDS)
)


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """A valid message with a few bytes changed, cut short, or with bytes spliced in."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "set", "cut", "splice"]))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            data[at] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0x81, 0x84, 0x88, 0xFF]))
        elif kind == "cut":
            del data[at:]
            if not data:
                break
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=300))
    return bytes(data)


INTS = st.integers(-(2**70), 2**70) | st.sampled_from([0, 2**31 - 1, 2**31, 2**32, -1])


@st.composite
def v3_fields(draw) -> bytes:
    """A well-formed v3 envelope with any field values: flags, boots, time, salt, data."""
    flags = draw(st.sampled_from([0, 1, 2, 3, 4, 6, 7]) | st.integers(0, 255))
    salt = draw(st.binary(min_size=8, max_size=8) | st.binary(max_size=12))
    mac = draw(st.binary(max_size=48))
    usm_params = ber.tlv(
        ber.SEQUENCE,
        ber.tlv(ber.OCTET_STRING, ENGINE)
        + ber.enc_int(draw(INTS))
        + ber.enc_int(draw(INTS))
        + ber.tlv(ber.OCTET_STRING, draw(st.sampled_from([b"ops", b"", b"x" * 40])))
        + ber.tlv(ber.OCTET_STRING, mac)
        + ber.tlv(ber.OCTET_STRING, salt),
    )
    head = ber.tlv(
        ber.SEQUENCE,
        ber.enc_int(draw(INTS))
        + ber.enc_int(65507)
        + ber.tlv(ber.OCTET_STRING, bytes([flags]))
        + b"\x02\x01\x03",
    )
    data = draw(st.binary(min_size=0, max_size=80))
    return ber.tlv(
        ber.SEQUENCE,
        b"\x02\x01\x03"
        + head
        + ber.tlv(ber.OCTET_STRING, usm_params)
        + ber.tlv(ber.OCTET_STRING, data),
    )


MESSAGES = st.one_of(
    v3_fields(),
    st.binary(max_size=600),
    mutated(V2C),
    mutated(V3),
    mutated(V3_DES),
    mutated(V3_PLAIN),
)


def read_all(vbs) -> None:
    """What the collector does with varbinds: names and indexes as text."""
    for oid, _tag, _value in vbs:
        ber.oid_str(oid)
        ber.index_of(oid, 0)


@FUZZ
@given(MESSAGES)
def test_ber_decoding_raises_only_ber_errors(data):
    try:
        ber.peek_version_and_id(data)
        _community, pdu = ber.parse_v2c(data)
        read_all(pdu[4])
    except ber.BerError:
        pass


@FUZZ
@given(MESSAGES, st.sampled_from([None, USER, DES_USER]))
def test_usm_decoding_raises_only_usm_or_ber_errors(data, user):
    try:
        response = usm.parse(data, user)
        read_all(response.pdu[4])
    except (usm.UsmError, ber.BerError):
        pass


@FUZZ
@given(st.binary(max_size=64))
def test_oid_bodies_decode_or_raise_ber_errors(body):
    try:
        ber.oid_str(body)
        ber.index_of(body, 0)
    except ber.BerError:
        pass


@FUZZ
@given(v3_fields(), st.sampled_from([USER, DES_USER]))
def test_usm_envelopes_with_any_field_values_raise_only_usm_or_ber_errors(data, user):
    # Found the OverflowError: an engine boots or time past 32 bits reached the IV.
    with contextlib.suppress(usm.UsmError, ber.BerError):
        usm.parse(data, user)
