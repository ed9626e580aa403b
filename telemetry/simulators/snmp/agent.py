"""A small SNMP v2c agent serving .snmprec files, cheap enough for the demo fleet.

Why not snmpsim for the demo: it is built on pysnmp and spends hundreds of µs of CPU per
varbind, so 202 agents polled every 30 s kept it busy most of a core and slow to answer
(docs/decisions/0011-demo-snmp-agent.md). This agent reads the same data files (the file
stem is the community, as snmpsim has it) and answers what the demo asks for: v2c GET,
GETNEXT and GETBULK over every snmprec tag the fleet writes, and snmpsim's ``numeric``
variation in the form ``counter()`` and ``wave()`` write it, computed the way snmpsim does.
Everything that can be is encoded at load time, so an answer is a bisect and a join of
ready varbinds; only moving values are encoded per request, with the poller's BER codec.

A third kind of moving value, ``TAG:model``, reads the demo building's model
(``telemetry.simulators.building``): the record's value is ``key[,scale=N]`` and the agent
sends ``int(model.value(key, now) * N)``, so PDUs, UPSes and sensors follow the same GPU
load the NVML stand-in reports. It needs ``--building PLAN.json``.

Left out on purpose: v1, v3 and SET (the collector tests keep snmpsim as their independent
peer), other variation modules (refused at load), re-reading files that change.

    python -m telemetry.simulators.snmp.agent --data-dir DIR --port 16100 [--host 127.0.0.1]

    agent = start_agent(data_dir)   # a free port; returns once it answers; agent.stop()
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import math
import os
import signal
import socket
import sys
import tempfile
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from telemetry.collectors import snmp_ber as ber
from telemetry.simulators.building import Building, Plan
from telemetry.simulators.snmp import SnmpSim, free_udp_port, launch

MAX_VAR_BINDS = 64  # per GETBULK answer: snmpsim's --max-var-binds (pysnmp's default)
MAX_MESSAGE = 65_000  # bytes; one UDP datagram holds 65,507
NUMBER_TAGS = {"2": 0x02, "65": 0x41, "66": 0x42, "67": 0x43, "70": 0x46}  # snmprec -> BER
NUMERIC_KEYS = {"initial", "rate", "min", "max", "wrap", "function", "atime", "scale", "offset"}
Moving = Callable[[float], bytes]  # epoch seconds -> encoded varbind


def numeric(tag: str, spec: str, booted: float) -> Callable[[float], int]:
    """snmpsim's ``numeric`` variation (snmpsim/variation/numeric.py): value at ``now``.

    Only the keys ``counter()`` and ``wave()`` write; anything else (cumulative, deviation,
    function arguments) is refused rather than served differently. Same floats, same order
    of operations, so the same rounding: t = seconds since the agent started (epoch seconds
    with ``atime``); v = f(t * rate) [* scale] [+ offset] + initial (min if none); below min
    is min; above max wraps to ``v % max + min`` or sticks at max; the integer part is sent
    (snmpsim's pyasn1 types truncate the float).
    """
    items = dict(item.split("=", 1) for item in spec.split(","))
    bad = sorted(set(items) - NUMERIC_KEYS) + ["function %"] * ("%" in items.get("function", ""))
    if bad:
        raise ValueError(f"numeric settings not supported here: {', '.join(bad)}")
    num = {k: float(v) for k, v in items.items() if k != "function"}
    fn = getattr(math, items["function"]) if "function" in items else None
    lo = num.get("min", 0)
    hi = num.get("max", 0xFFFFFFFFFFFFFFFF if tag == "70" else 0xFFFFFFFF)
    rate, scale, offset = num.get("rate", 1), num.get("scale"), num.get("offset")
    start, since, wrap = num.get("initial", lo), 0.0 if "atime" in num else booted, "wrap" in num

    def value(now: float) -> int:
        v = (now - since) * rate
        if fn is not None:
            v = fn(v)
        if scale is not None:
            v *= scale
        if offset is not None:
            v += offset
        v += start
        if v < lo:
            v = lo
        elif v > hi:
            v = v % hi + lo if wrap else hi
        return int(v)

    return value


def model_value(tag: str, spec: str, model: Building | None) -> Callable[[float], int]:
    """A ``TAG:model`` record: ``key[,scale=N]`` read from the building model at ``now``."""
    if model is None:
        raise ValueError("a :model record needs the building model (--building)")
    key, _, rest = spec.partition(",")
    if not model.knows(key):  # a typo would otherwise serve zeros for ever
        raise ValueError(f"the building model has no value {key!r}")
    scale = float(rest.split("=", 1)[1]) if rest.startswith("scale=") else 1.0
    top = 0xFFFFFFFFFFFFFFFF if tag == "70" else 0xFFFFFFFF

    def value(now: float) -> int:
        v = int(model.value(key, now) * scale)
        if tag in ("65", "70"):  # counters wrap, as real ones do
            return v % (top + 1)
        return max(-(2**31), min(top, v))

    return value


def encode_value(tag: str, text: str) -> bytes:
    """The value TLV of a static snmprec record (``x``: hex, ``e``: escaped, as snmpsim)."""
    base, form = (tag[:-1], tag[-1]) if tag.endswith(("x", "e")) else (tag, "")
    if base in NUMBER_TAGS:
        return ber.enc_int(int(text), NUMBER_TAGS[base])
    raw = text.encode("iso-8859-1")
    if form == "x":
        raw = bytes.fromhex(text)
    elif form == "e":
        raw = raw.decode("unicode_escape").encode("iso-8859-1")
    if base == "4" or base == "68":
        return ber.tlv(ber.OCTET_STRING if base == "4" else ber.OPAQUE, raw)
    if base == "64":
        return ber.tlv(ber.IP_ADDRESS, raw if form else ipaddress.IPv4Address(text).packed)
    if base == "6":
        return ber.tlv(ber.OID, ber.enc_oid_body(text))
    if base in ("5", "128", "129", "130"):
        return bytes((int(base) if base != "5" else ber.NULL, 0))
    raise ValueError(f"unknown snmprec tag {tag!r}")


def _moving(oid_tlv: bytes, tag: int, value: Callable[[float], int]) -> Moving:
    return lambda now: ber.tlv(ber.SEQUENCE, oid_tlv + ber.enc_int(value(now), tag))


def _exception(oid_body: bytes, tag: int) -> bytes:
    return ber.tlv(ber.SEQUENCE, ber.tlv(ber.OID, oid_body) + bytes((tag, 0)))


class Device:
    """One agent: OIDs in order and, per OID, its encoded varbind or a function of time."""

    def __init__(self, path: Path, booted: float, model: Building | None = None) -> None:
        rows: dict[tuple[int, ...], bytes | Moving] = {}
        lines = path.read_bytes().decode("iso-8859-1").splitlines()
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                oid, tag, text = line.strip().split("|", 2)
                arcs = tuple(int(x) for x in oid.strip(".").split("."))
                oid_tlv = ber.tlv(ber.OID, ber.enc_oid_body(arcs))
                if tag.endswith(":numeric") and tag[:-8] in NUMBER_TAGS:
                    value = numeric(tag[:-8], text, booted)
                    entry: bytes | Moving = _moving(oid_tlv, NUMBER_TAGS[tag[:-8]], value)
                elif tag.endswith(":model") and tag[:-6] in NUMBER_TAGS:
                    value = model_value(tag[:-6], text, model)
                    entry = _moving(oid_tlv, NUMBER_TAGS[tag[:-6]], value)
                else:
                    entry = ber.tlv(ber.SEQUENCE, oid_tlv + encode_value(tag, text))
            except (ValueError, AttributeError) as exc:
                raise ValueError(f"{path}:{n}: {exc}") from None
            rows.setdefault(arcs, entry)
        self.oids = sorted(rows)
        self.vbs = [rows[oid] for oid in self.oids]
        self.last = ber.enc_oid_body(self.oids[-1]) if self.oids else b""

    def at(self, i: int, now: float) -> bytes:
        vb = self.vbs[i]
        return vb if type(vb) is bytes else vb(now)

    def get(self, body: bytes, now: float) -> bytes:
        oid, oids = ber.dec_oid_body(body), self.oids
        i = bisect_left(oids, oid)
        if i < len(oids) and oids[i] == oid:
            return self.at(i, now)
        # A neighbour under the same parent: the object exists, this instance does not.
        parent = oid[:-1]
        near = any(oids[j][: len(parent)] == parent for j in (i - 1, i) if 0 <= j < len(oids))
        return _exception(body, ber.NO_SUCH_INSTANCE if near else ber.NO_SUCH_OBJECT)

    def bulk(
        self, asked: list[bytes], non_rep: int, max_rep: int, now: float, room: int
    ) -> tuple[list[bytes], bool]:
        """Successors, RFC 3416 4.2.3: the non-repeaters once, then rows of the others until
        ``max_rep``, MAX_VAR_BINDS or a row all past the end. Returns (varbinds, cut short
        because ``room`` bytes were used up)."""
        end = len(self.oids)
        n = min(max(non_rep, 0), len(asked))
        starts = [bisect_right(self.oids, ber.dec_oid_body(body)) for body in asked]
        plan = list(zip(starts[:n], starts[:n], asked[:n], strict=True))  # (i, first i, OID)
        if n < len(asked) and max_rep > 0:
            reps = list(zip(starts[n:], asked[n:], strict=True))
            rows = min(max_rep, max(1, MAX_VAR_BINDS // len(reps)), end - min(starts[n:]) + 1)
            plan += [(i + r, i, body) for r in range(rows) for i, body in reps]
            del plan[n + MAX_VAR_BINDS :]  # more than 64 columns: the first 64, once
        out: list[bytes] = []
        for i, first, body in plan:
            if i < end:
                vb = self.at(i, now)
            else:  # named by the last OID this column saw: the file's last, or the request's
                vb = _exception(self.last if first < end else body, ber.END_OF_MIB_VIEW)
            room -= len(vb)
            if room < 0:
                return out, True
            out.append(vb)
        return out, False


class Agent(asyncio.DatagramProtocol):
    """The UDP side: one datagram in, at most one out; nothing a peer sends stops it.

    ``clock`` (epoch seconds) is the time moving values are computed for: the wall clock,
    or a test's, to poll the building at any instant of its fault schedule.
    """

    def __init__(
        self, devices: dict[bytes, Device], clock: Callable[[], float] = time.time
    ) -> None:
        self.devices = devices
        self.clock = clock
        self.stats: Counter[str] = Counter()
        self.transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        try:
            reply = self.answer(data)
        except Exception:  # malformed (BerError, IndexError ...): drop it, keep serving
            self.stats["malformed"] += 1
            return
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)

    def answer(self, data: bytes) -> bytes | None:
        start, _ = ber.expect(data, 0, ber.SEQUENCE)
        version, pos = ber.read_int(data, start)
        community, pos = ber.read_octets(data, pos)
        device = self.devices.get(community)
        if version != 1 or device is None:  # not v2c, or nobody by that name: silence
            self.stats["not_v2c" if version != 1 else "unknown_community"] += 1
            return None
        tag, rid, a, b, varbinds = ber.parse_pdu(data, pos)
        asked = [oid for oid, _, _ in varbinds]
        now, room = self.clock(), MAX_MESSAGE - 64 - len(community)
        if tag == ber.GET:
            out = [device.get(oid, now) for oid in asked]
            cut = sum(map(len, out)) > room
        elif tag in (ber.GETNEXT, ber.GETBULK):
            n, m = (len(asked), 0) if tag == ber.GETNEXT else (a, b)
            out, cut = device.bulk(asked, n, m, now, room)
        else:
            self.stats["unsupported_pdu"] += 1
            return None
        status = 0
        if cut and (tag != ber.GETBULK or not out):  # GETBULK may drop trailing varbinds
            status, out = 1, []  # tooBig: the manager asks for less
        self.stats["requests"] += 1
        self.stats["varbinds"] += len(out)
        vbl = ber.tlv(ber.SEQUENCE, b"".join(out))
        return ber.v2c_message(community, ber.pdu(ber.RESPONSE, rid, status, 0, vbl))


def load_model(plan_path: str | os.PathLike | None) -> Building | None:
    """The building model, when a plan is given."""
    if not plan_path:
        return None
    return Building(Plan.load(plan_path))


async def serve(
    data_dir: str | os.PathLike,
    port: int,
    host: str = "127.0.0.1",
    building: str | os.PathLike | None = None,
) -> Counter:
    """Answer on ``host:port`` until SIGINT/SIGTERM; returns the request counts."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the SNMP agent listens on loopback only, not {host}")
    booted = time.time()  # counters count from here, as from snmpsim's start
    model = load_model(building)
    files = sorted(Path(data_dir).glob("*.snmprec"))
    devices = {p.stem.encode(): Device(p, booted, model) for p in files}
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)  # 64 polls land at once
    sock.bind((host, port))
    transport, agent = await loop.create_datagram_endpoint(lambda: Agent(devices), sock=sock)
    stopped = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    print(f"snmp agent: {len(devices)} agents on {host}:{port}/udp", file=sys.stderr, flush=True)
    await stopped.wait()
    transport.close()
    print(f"snmp agent: stopped; {dict(sorted(agent.stats.items()))}", file=sys.stderr)
    return agent.stats


def start_agent(
    data_dir: str | os.PathLike,
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    log_path: str | os.PathLike | None = None,
    ready_timeout: float = 30.0,
    building: str | os.PathLike | None = None,
) -> SnmpSim:
    """Run the agent in a subprocess on ``host:port`` (0: a free port) and wait until it
    answers; the handle is ``start_snmpsim``'s (``.process``, ``.port``, ``.stop()``)."""
    data_dir = Path(data_dir).resolve()
    files = sorted(data_dir.glob("*.snmprec"))
    if not files:
        raise FileNotFoundError(f"no .snmprec files in {data_dir}")
    port = port or free_udp_port(host)
    own = log_path is None
    log = Path(log_path) if log_path else Path(tempfile.mkdtemp(prefix="snmp-agent-")) / "log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "telemetry.simulators.snmp.agent",
        f"--data-dir={data_dir}",
        f"--port={port}",
        f"--host={host}",
    ]
    if building:
        cmd.append(f"--building={Path(building).resolve()}")
    return launch(
        "snmp agent",
        cmd,
        host,
        port,
        data_dir,
        log.parent,
        log,
        own,
        community=files[0].stem,
        ready_timeout=ready_timeout,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True, help="directory of *.snmprec files")
    parser.add_argument("--port", type=int, default=16100)
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--building", default="", help="the building plan for :model values")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.data_dir, args.port, args.host, args.building or None))


if __name__ == "__main__":
    main()
