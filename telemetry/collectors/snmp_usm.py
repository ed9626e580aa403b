"""SNMPv3 User-based Security Model (RFC 3414, 3826, 7860) for the manager side.

Keys: a password becomes a master key by hashing 1 MB of it (RFC 3414 A.2), then a key
localized to the agent's engine ID. Both are cached: the 1 MB hash costs milliseconds and a
poller sees the same few passwords on thousands of agents. AES-192/256 keys are extended the
way Cisco and pysnmp's "AES192"/"AES256" do (draft-reeder, re-hashing the localized key);
the "-blumenthal" names select the other draft's extension, for agents that use it.

Messages are built and checked with ``snmp_ber``; the cryptography package does the AES,
DES and HMAC work in C.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.decrepit.ciphers.modes import CFB
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from telemetry.collectors import snmp_ber as ber

# name -> (hash constructor name, truncated MAC length in bytes)
AUTH = {
    "md5": ("md5", 12),
    "sha": ("sha1", 12),
    "sha224": ("sha224", 16),
    "sha256": ("sha256", 24),
    "sha384": ("sha384", 32),
    "sha512": ("sha512", 48),
}
# name -> (cipher, key length, key extension)
PRIV = {
    "des": ("des", 16, ""),
    "aes128": ("aes", 16, ""),
    "aes192": ("aes", 24, "reeder"),
    "aes256": ("aes", 32, "reeder"),
    "aes192-blumenthal": ("aes", 24, "blumenthal"),
    "aes256-blumenthal": ("aes", 32, "blumenthal"),
}
FLAG_AUTH, FLAG_PRIV, FLAG_REPORTABLE = 0x01, 0x02, 0x04
MAX_SIZE = 65507

# usmStats* and snmpUnknownContexts counters an agent names in a Report PDU.
REPORTS = {
    "1.3.6.1.6.3.15.1.1.1.0": "the agent does not support the requested security level",
    "1.3.6.1.6.3.15.1.1.2.0": "not in time window",
    "1.3.6.1.6.3.15.1.1.3.0": "the SNMPv3 user is unknown to the agent",
    "1.3.6.1.6.3.15.1.1.4.0": "unknown engine ID",
    "1.3.6.1.6.3.15.1.1.5.0": "wrong authentication key or protocol (bad digest)",
    "1.3.6.1.6.3.15.1.1.6.0": "wrong privacy key or protocol (decryption failed)",
    "1.3.6.1.6.3.12.1.4.0": "the SNMPv3 context is unavailable",
    "1.3.6.1.6.3.12.1.5.0": "the SNMPv3 context name is unknown to the agent",
}
NOT_IN_TIME_WINDOW = "1.3.6.1.6.3.15.1.1.2.0"
UNKNOWN_ENGINE_ID = "1.3.6.1.6.3.15.1.1.4.0"


class UsmError(Exception):
    """A response failed its authentication or decryption check, or is not a v3 message
    this manager can trust (wrong security level, fields out of their RFC ranges)."""


MAX_INT32 = 2**31 - 1  # msgID, snmpEngineBoots and snmpEngineTime: INTEGER (0..2147483647)
LEVELS = {0: "noAuthNoPriv", FLAG_AUTH: "authNoPriv", FLAG_AUTH | FLAG_PRIV: "authPriv"}


@lru_cache(maxsize=256)
def master_key(password: str, hash_name: str) -> bytes:
    """RFC 3414 A.2: hash the password repeated to 1 MiB."""
    pw = password.encode()
    if not pw:
        raise ValueError("an SNMPv3 key cannot be empty")
    reps = 1048576 // len(pw) + 1
    return hashlib.new(hash_name, (pw * reps)[:1048576]).digest()


@lru_cache(maxsize=4096)
def localized_key(password: str, hash_name: str, engine_id: bytes) -> bytes:
    key = master_key(password, hash_name)
    return hashlib.new(hash_name, key + engine_id + key).digest()


@lru_cache(maxsize=4096)
def priv_key(password: str, hash_name: str, priv: str, engine_id: bytes) -> bytes:
    _cipher, size, extension = PRIV[priv]
    key = localized_key(password, hash_name, engine_id)
    while len(key) < size:
        if extension == "reeder":
            inner = hashlib.new(hash_name, (key * (1048576 // len(key) + 1))[:1048576]).digest()
            key += hashlib.new(hash_name, inner + engine_id + inner).digest()
        else:
            key += hashlib.new(hash_name, key).digest()
    return key[:size]


@dataclass(slots=True)
class UsmUser:
    """A v3 user with keys localized to one agent's engine ID."""

    name: bytes
    auth: str  # "" for noAuthNoPriv
    priv: str  # "" for no privacy
    auth_key: bytes = b""
    priv_key: bytes = b""

    @classmethod
    def localize(
        cls, name: str, auth: str, auth_pw: str, priv: str, priv_pw: str, engine_id: bytes
    ) -> UsmUser:
        if not auth:
            return cls(name.encode(), "", "")
        hash_name = AUTH[auth][0]
        akey = localized_key(auth_pw, hash_name, engine_id)
        pkey = priv_key(priv_pw, hash_name, priv, engine_id) if priv else b""
        return cls(name.encode(), auth, priv, akey, pkey)

    @property
    def flags(self) -> int:
        return (FLAG_AUTH if self.auth else 0) | (FLAG_PRIV if self.priv else 0)


_salt = int.from_bytes(os.urandom(8), "big")


def _next_salt() -> int:
    global _salt
    _salt = (_salt + 1) & 0xFFFFFFFFFFFFFFFF
    return _salt


def _encrypt(user: UsmUser, boots: int, etime: int, plain: bytes) -> tuple[bytes, bytes]:
    if PRIV[user.priv][0] == "aes":
        salt = _next_salt().to_bytes(8, "big")
        iv = boots.to_bytes(4, "big") + etime.to_bytes(4, "big") + salt
        enc = Cipher(algorithms.AES(user.priv_key), CFB(iv)).encryptor()
        return enc.update(plain) + enc.finalize(), salt
    salt = boots.to_bytes(4, "big") + (_next_salt() & 0xFFFFFFFF).to_bytes(4, "big")
    iv = bytes(a ^ b for a, b in zip(salt, user.priv_key[8:16], strict=True))
    plain += b"\x00" * (-len(plain) % 8)
    enc = Cipher(TripleDES(user.priv_key[:8] * 3), modes.CBC(iv)).encryptor()
    return enc.update(plain) + enc.finalize(), salt


def _decrypt(user: UsmUser, boots: int, etime: int, salt: bytes, data: bytes) -> bytes:
    if len(salt) != 8:
        raise UsmError("response privacy parameters are not 8 bytes")
    if PRIV[user.priv][0] == "aes":
        iv = boots.to_bytes(4, "big") + etime.to_bytes(4, "big") + salt
        dec = Cipher(algorithms.AES(user.priv_key), CFB(iv)).decryptor()
        return dec.update(data) + dec.finalize()
    if len(data) % 8:
        raise UsmError("DES-encrypted data is not a multiple of 8 bytes")
    iv = bytes(a ^ b for a, b in zip(salt, user.priv_key[8:16], strict=True))
    dec = Cipher(TripleDES(user.priv_key[:8] * 3), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def _mac(user: UsmUser, whole: bytes) -> bytes:
    hash_name, length = AUTH[user.auth]
    return hmac.new(user.auth_key, whole, hash_name).digest()[:length]


def build(
    msg_id: int,
    user: UsmUser,
    engine_id: bytes,
    boots: int,
    etime: int,
    context_name: bytes,
    pdu_bytes: bytes,
    reportable: bool = True,
) -> bytes:
    """A v3 message carrying ``pdu_bytes``, authenticated and encrypted as ``user`` says."""
    scoped = ber.tlv(
        ber.SEQUENCE,
        ber.tlv(ber.OCTET_STRING, engine_id) + ber.tlv(ber.OCTET_STRING, context_name) + pdu_bytes,
    )
    salt = b""
    if user.priv:
        cipher_text, salt = _encrypt(user, boots, etime, scoped)
        msg_data = ber.tlv(ber.OCTET_STRING, cipher_text)
    else:
        msg_data = scoped
    flags = user.flags | (FLAG_REPORTABLE if reportable else 0)
    mac_len = AUTH[user.auth][1] if user.auth else 0
    head = (
        ber.tlv(ber.OCTET_STRING, engine_id)
        + ber.enc_int(boots)
        + ber.enc_int(etime)
        + ber.tlv(ber.OCTET_STRING, user.name)
    )
    usm_content = (
        head + ber.tlv(ber.OCTET_STRING, b"\x00" * mac_len) + ber.tlv(ber.OCTET_STRING, salt)
    )
    usm = ber.tlv(ber.SEQUENCE, usm_content)
    usm_octets = ber.tlv(ber.OCTET_STRING, usm)
    global_data = ber.tlv(
        ber.SEQUENCE,
        ber.enc_int(msg_id) + ber.enc_int(MAX_SIZE) + bytes((4, 1, flags)) + b"\x02\x01\x03",
    )
    body = b"\x02\x01\x03" + global_data + usm_octets + msg_data
    msg = ber.tlv(ber.SEQUENCE, body)
    if not user.auth:
        return msg
    # The zeroed MAC sits after the outer header, the version, the global data, the headers
    # of the security-parameters string and of its SEQUENCE, the fields before it, and the
    # MAC's own 2-byte header.
    at = (
        (len(msg) - len(body))
        + 3
        + len(global_data)
        + (len(usm_octets) - len(usm))
        + (len(usm) - len(usm_content))
        + len(head)
        + 2
    )
    return msg[:at] + _mac(user, msg) + msg[at + mac_len :]


@dataclass(slots=True)
class V3Response:
    msg_id: int
    engine_id: bytes
    boots: int
    etime: int
    pdu: tuple[int, int, int, int, list[ber.Varbind]]
    authenticated: bool = False  # the HMAC was checked with our user's key


def parse(data: bytes, user: UsmUser | None) -> V3Response:
    """Check and open a v3 message. ``user`` None: accept only unauthenticated (discovery).

    The security level comes from the request, never from the reply (RFC 3412 7.2.11,
    RFC 3414 3.2): a Response to an authNoPriv or authPriv request must carry that same
    level, for the same user, or it is refused, since anyone on the path can clear the
    flags of a forged reply. Only a Report may come at a lower level (an agent that does
    not know our user cannot authenticate to it); it is marked ``authenticated=False`` and
    the engine does not let it move the agent's clock.

    Raises ``UsmError`` (or ``ber.BerError`` for bytes that are not BER at all).
    """
    start, _ = ber.expect(data, 0, ber.SEQUENCE)
    _version, pos = ber.read_int(data, start)
    gstart, pos = ber.expect(data, pos, ber.SEQUENCE)
    msg_id, g = ber.read_int(data, gstart)
    _max_size, g = ber.read_int(data, g)
    flags_raw, g = ber.read_octets(data, g)
    flags = flags_raw[0] if flags_raw else 0
    ustart, pos = ber.expect(data, pos, ber.OCTET_STRING)
    u, _ = ber.expect(data, ustart, ber.SEQUENCE)
    engine_id, u = ber.read_octets(data, u)
    boots, u = ber.read_int(data, u)
    etime, u = ber.read_int(data, u)
    user_name, u = ber.read_octets(data, u)
    mac_start, mac_end = ber.expect(data, u, ber.OCTET_STRING)
    salt, u = ber.read_octets(data, mac_end)
    if not (0 <= msg_id <= MAX_INT32 and 0 <= boots <= MAX_INT32 and 0 <= etime <= MAX_INT32):
        raise UsmError("msgID, engine boots or engine time out of range (RFC 3414)")
    level = flags & (FLAG_AUTH | FLAG_PRIV)
    if level not in LEVELS:
        raise UsmError("response flags ask for privacy without authentication")
    wanted = user.flags if user is not None else 0
    if level > wanted:
        raise UsmError(f"response at {LEVELS[level]} to a {LEVELS[wanted]} request")
    if level and user is not None and user_name != user.name:
        raise UsmError("response names another SNMPv3 user")
    if flags & FLAG_AUTH:
        if user is None or not user.auth:
            raise UsmError("unexpected authenticated response")
        zeroed = data[:mac_start] + b"\x00" * (mac_end - mac_start) + data[mac_end:]
        if not hmac.compare_digest(_mac(user, zeroed), data[mac_start:mac_end]):
            raise UsmError("response failed its authentication check (wrong auth key?)")
    if flags & FLAG_PRIV:
        if user is None or not user.priv:
            raise UsmError("unexpected encrypted response")
        cstart, cend = ber.expect(data, pos, ber.OCTET_STRING)
        scoped = _decrypt(user, boots, etime, salt, data[cstart:cend])
        spos = 0
    else:
        scoped, spos = data, pos
    try:
        sstart, _ = ber.expect(scoped, spos, ber.SEQUENCE)
        _ctx_engine, p = ber.read_octets(scoped, sstart)
        _ctx_name, p = ber.read_octets(scoped, p)
        parsed = ber.parse_pdu(scoped, p)
    except ber.BerError as exc:
        raise UsmError(f"response did not decrypt to a PDU (wrong privacy key?): {exc}") from exc
    if level != wanted and parsed[0] != ber.REPORT:
        raise UsmError(
            f"unauthenticated or unencrypted response ({LEVELS[level]}) to a "
            f"{LEVELS[wanted]} request: discarded"
        )
    return V3Response(msg_id, engine_id, boots, etime, parsed, bool(level & FLAG_AUTH))
