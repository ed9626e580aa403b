"""One UDP socket per event loop, many SNMP requests in flight, v2c and v3 (USM).

``SnmpEngine`` owns the socket and the table of outstanding requests; answers are matched
by request-id (v2c) or msgID (v3) and by the address they came from. It keeps what v3
discovery learns about each agent (engine ID, boots, time) and the keys localized to it,
so that only the first poll of an agent pays for discovery and key hashing.

Errors come out as ``SnmpError`` with a sentence an operator can act on; the collector turns
them into ``PollResult.error``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import os
import socket
import time
from dataclasses import dataclass, field

from telemetry.collectors import snmp_ber as ber
from telemetry.collectors import snmp_usm as usm


class SnmpError(Exception):
    """The whole request failed; the message is for an operator."""


@dataclass(frozen=True, slots=True)
class SnmpCredentials:
    """How to talk to an agent: v2c community, or a v3 USM user.

    Protocol names are those of ``dcim.inventory.choices`` (``SnmpAuthProtocol`` /
    ``SnmpPrivProtocol``): "none", "md5", "sha", "sha224" ... and "none", "des", "aes128",
    "aes192", "aes256". ``context`` is the v3 context name (most agents want "").
    """

    version: str = "2c"
    community: str = "public"
    user: str = ""
    auth_protocol: str = "none"
    auth_key: str = ""
    priv_protocol: str = "none"
    priv_key: str = ""
    context: str = ""

    def __post_init__(self) -> None:
        if self.version not in ("2c", "3"):
            raise ValueError(f"SNMP version must be '2c' or '3', not {self.version!r}")
        if self.version == "3":
            if self.auth_protocol != "none" and self.auth_protocol not in usm.AUTH:
                raise ValueError(f"unknown SNMPv3 auth protocol {self.auth_protocol!r}")
            if self.priv_protocol != "none" and self.priv_protocol not in usm.PRIV:
                raise ValueError(f"unknown SNMPv3 privacy protocol {self.priv_protocol!r}")
            if self.priv_protocol != "none" and self.auth_protocol == "none":
                raise ValueError("SNMPv3 privacy needs authentication too")

    def __repr__(self) -> str:  # never show secrets in logs or tracebacks
        who = f"user={self.user!r}" if self.version == "3" else "community=***"
        return f"SnmpCredentials(v{self.version}, {who})"

    @classmethod
    def from_mapping(cls, data: dict) -> SnmpCredentials:
        """From a plain dict shaped like ``inventory.Credential`` (kind, snmp_community ...)."""
        kind = str(data.get("kind", "")).lower()
        v3 = kind.endswith("v3") or data.get("version") == "3" or bool(data.get("snmp_user"))
        if not v3:
            return cls("2c", community=data.get("snmp_community") or data.get("community", ""))
        return cls(
            "3",
            user=data.get("snmp_user") or data.get("user", ""),
            auth_protocol=str(data.get("auth_protocol") or "none"),
            auth_key=data.get("auth_key") or "",
            priv_protocol=str(data.get("priv_protocol") or "none"),
            priv_key=data.get("priv_key") or "",
            context=data.get("context") or "",
        )


@dataclass(slots=True)
class _Agent:
    """What v3 discovery learned about one agent."""

    engine_id: bytes
    boots: int
    etime: int
    at: float  # monotonic time when etime was read
    users: dict = field(default_factory=dict)  # SnmpCredentials -> UsmUser

    def now(self) -> int:
        return self.etime + int(time.monotonic() - self.at)


# Discovery results outlive an engine: a Celery task runs a fresh event loop per batch, and
# re-discovering every v3 agent each time would add a round trip per agent per poll.
_AGENTS: dict[tuple, _Agent] = {}


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, engine: SnmpEngine) -> None:
        self.engine = engine

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        self.engine._received(data, addr)

    def error_received(self, exc: Exception) -> None:  # ICMP port unreachable and such
        pass


class SnmpEngine:
    """Socket, request table and v3 agent cache for one event loop; cheap to create."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._transports: dict[int, asyncio.DatagramTransport] = {}
        self._pending: dict[int, tuple[asyncio.Future, tuple]] = {}
        self._ids = itertools.count(int.from_bytes(os.urandom(3), "big") + 1)
        self._agents = _AGENTS
        self._discovery_locks: dict[tuple, asyncio.Lock] = {}
        self._addresses: dict[tuple[str, int], tuple] = {}

    async def _transport(self, family: int) -> asyncio.DatagramTransport:
        if family not in self._transports:
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            anywhere = "0.0.0.0" if family == socket.AF_INET else "::"  # noqa: S104
            sock.bind((anywhere, 0))  # an ephemeral client port; agents may be anywhere
            sock.setblocking(False)
            transport, _ = await self._loop.create_datagram_endpoint(
                lambda: _Protocol(self), sock=sock
            )
            self._transports[family] = transport
        return self._transports[family]

    def close(self) -> None:
        for transport in self._transports.values():
            transport.close()
        self._transports.clear()
        for future, _ in self._pending.values():
            future.cancel()
        self._pending.clear()

    def _next_id(self) -> int:
        return next(self._ids) & 0x7FFFFFFF or next(self._ids)

    def _received(self, data: bytes, addr: tuple) -> None:
        try:
            _version, rid = ber.peek_version_and_id(data)
        except ber.BerError:
            return
        entry = self._pending.get(rid)
        if entry is None or entry[1][:2] != addr[:2] or entry[0].done():
            return
        entry[0].set_result(data)

    async def resolve(self, host: str, port: int) -> tuple:
        key = (host, port)
        if key not in self._addresses:
            try:
                ip = ipaddress.ip_address(host)
                self._addresses[key] = (str(ip), port)
            except ValueError:
                infos = await self._loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
                if not infos:
                    raise SnmpError(f"cannot resolve {host}") from None
                self._addresses[key] = infos[0][4][:2]
        return self._addresses[key]

    async def _exchange(self, addr: tuple, build, timeout: float, retries: int) -> bytes:
        """Send what ``build(id)`` makes, wait ``timeout``; retry; raise on silence."""
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        transport = await self._transport(family)
        for _attempt in range(retries + 1):
            rid = self._next_id()
            future = self._loop.create_future()
            self._pending[rid] = (future, addr)
            try:
                transport.sendto(build(rid), addr)
                return await asyncio.wait_for(future, timeout)
            except TimeoutError:
                continue
            finally:
                self._pending.pop(rid, None)
        raise SnmpError(
            f"no SNMP answer from {addr[0]}:{addr[1]} within {timeout:g} s after {retries} retries"
        )

    async def request(
        self,
        addr: tuple,
        creds: SnmpCredentials,
        pdu_tag: int,
        a: int,
        b: int,
        oids: list[bytes],
        timeout: float,
        retries: int,
    ) -> tuple[int, int, int, int, list[ber.Varbind]]:
        """One GET/GETBULK to ``addr``; returns the response PDU (tag, id, status, index, vbs)."""
        varbinds = ber.varbind_list(oids)
        if creds.version == "2c":
            community = creds.community.encode()

            def build_v2c(rid: int) -> bytes:
                return ber.v2c_message(community, ber.pdu(pdu_tag, rid, a, b, varbinds))

            try:
                data = await self._exchange(addr, build_v2c, timeout, retries)
            except SnmpError as exc:
                raise SnmpError(f"{exc} (agent down, or wrong community?)") from None
            return ber.parse_v2c(data)[1]
        return await self._request_v3(addr, creds, pdu_tag, a, b, varbinds, timeout, retries)

    async def _discover(self, addr: tuple, timeout: float, retries: int) -> _Agent:
        anonymous = usm.UsmUser(b"", "", "")

        def build(rid: int) -> bytes:
            return usm.build(rid, anonymous, b"", 0, 0, b"", ber.pdu(ber.GET, rid, 0, 0, b"0\x00"))

        data = await self._exchange(addr, build, timeout, retries)
        resp = usm.parse(data, None)
        if not resp.engine_id:
            raise SnmpError(f"SNMPv3 discovery of {addr[0]}:{addr[1]} returned no engine ID")
        agent = _Agent(resp.engine_id, resp.boots, resp.etime, time.monotonic())
        self._agents[addr] = agent
        return agent

    async def _request_v3(self, addr, creds, pdu_tag, a, b, varbinds, timeout, retries):
        where = f"{addr[0]}:{addr[1]}"
        agent = self._agents.get(addr)
        if agent is None:
            async with self._discovery_locks.setdefault(addr, asyncio.Lock()):
                agent = self._agents.get(addr) or await self._discover(addr, timeout, retries)
        context = creds.context.encode()
        for _round in range(3):  # resync the clock or rediscover, then give up
            user = agent.users.get(creds)
            if user is None:
                user = usm.UsmUser.localize(
                    creds.user,
                    "" if creds.auth_protocol == "none" else creds.auth_protocol,
                    creds.auth_key,
                    "" if creds.priv_protocol == "none" else creds.priv_protocol,
                    creds.priv_key,
                    agent.engine_id,
                )
                agent.users[creds] = user

            def build(rid: int, user=user, agent=agent) -> bytes:
                return usm.build(
                    rid,
                    user,
                    agent.engine_id,
                    agent.boots,
                    agent.now(),
                    context,
                    ber.pdu(pdu_tag, rid, a, b, varbinds),
                )

            data = await self._exchange(addr, build, timeout, retries)
            try:
                resp = usm.parse(data, user)
            except usm.UsmError as exc:
                raise SnmpError(f"SNMPv3 answer from {where} rejected: {exc}") from None
            tag, _rid, _status, _index, vbs = resp.pdu
            if tag != ber.REPORT:
                if resp.engine_id == agent.engine_id and resp.boots >= agent.boots:
                    agent.boots, agent.etime, agent.at = resp.boots, resp.etime, time.monotonic()
                return resp.pdu
            report = ber.oid_str(vbs[0][0]) if vbs else ""
            if report == usm.NOT_IN_TIME_WINDOW and user.auth and not resp.authenticated:
                # RFC 3414 3.2 7b: only an authenticated report may move our clock for it.
                raise SnmpError(f"SNMPv3 agent {where} sent an unauthenticated time report")
            if report == usm.NOT_IN_TIME_WINDOW:
                agent.boots, agent.etime, agent.at = resp.boots, resp.etime, time.monotonic()
                continue
            if report == usm.UNKNOWN_ENGINE_ID:
                agent = await self._discover(addr, timeout, retries)
                continue
            reason = usm.REPORTS.get(report, f"the agent reported {report or 'an error'}")
            raise SnmpError(f"SNMPv3 request to {where} refused: {reason} (user {creds.user!r})")
        raise SnmpError(f"SNMPv3 agent {where} keeps rejecting our engine time (clock sync)")
