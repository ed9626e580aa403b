"""A hostile SNMP peer on loopback: a UDP socket that answers each request with whatever
bytes a test's ``reply(request) -> bytes | None`` makes (forged, downgraded, oversized).

The real agents (snmpsim) answer correctly; this one answers as an attacker on the path or
a broken firmware would, so the manager's checks meet real datagrams on a real socket.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from telemetry.collectors import snmp_ber as ber
from telemetry.collectors import snmp_usm as usm


class HostileAgent:
    def __init__(self, reply: Callable[[bytes], bytes | None]) -> None:
        self.reply = reply
        self.requests: list[bytes] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HostileAgent:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            self.requests.append(data)
            answer = self.reply(data)
            if answer is not None:
                self.sock.sendto(answer, addr)


def varbinds(items: list[tuple[str, int, bytes]]) -> bytes:
    """A VarBindList of (OID, value tag, value content bytes)."""
    parts = [
        ber.tlv(ber.SEQUENCE, ber.tlv(ber.OID, ber.enc_oid_body(oid)) + ber.tlv(tag, raw))
        for oid, tag, raw in items
    ]
    return ber.tlv(ber.SEQUENCE, b"".join(parts))


def v3_reply(
    request: bytes,
    user: usm.UsmUser,
    engine_id: bytes,
    pdu_tag: int,
    items: list[tuple[str, int, bytes]],
    boots: int = 1,
    etime: int = 100,
) -> bytes:
    """A v3 message answering ``request`` (same msgID), secured as ``user`` says."""
    _version, msg_id = ber.peek_version_and_id(request)
    pdu = ber.pdu(pdu_tag, msg_id, 0, 0, varbinds(items))
    return usm.build(msg_id, user, engine_id, boots, etime, b"", pdu, reportable=False)


ANONYMOUS = usm.UsmUser(b"", "", "")
