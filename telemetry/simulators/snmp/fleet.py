"""The simulated fleet's SNMP data: .snmprec files generated from device descriptions.

Each device becomes one data file; snmpsim serves it under the file's name as the v2c
community and as the v3 context name. Values move with time through snmpsim's ``numeric``
variation module: counters grow at a steady rate from the responder's start (traffic, energy,
sysUpTime), gauges swing on slow sine waves (power, current, temperature), so that pages and
rates show life. Fault files for the tests hold static values chosen to hit one case each.

snmprec lines are ``OID|TAG|VALUE``; tags: 2 Integer32, 4 OCTET STRING, 65 Counter32,
66 Gauge32, 67 TimeTicks, 70 Counter64, 128/129/130 noSuchObject/noSuchInstance/
endOfMibView; ``TAG:numeric`` hands the value to the variation module.
"""

from __future__ import annotations

import os
import random
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from telemetry.collectors.profiles.snmp_power import APC_ATS_ROOT
from telemetry.simulators.snmp import ha
from telemetry.simulators.snmp.netbotz import netbotz_rack_monitor
from telemetry.simulators.snmp.records import (
    APC,
    ENT_NAME,
    ENT_SENSOR,
    IF,
    IFX,
    LIEBERT,
    RARITAN,
    ST4,
    UPS,
    Record,
    counter,
    rec,
    seeded,
    uptime,
    wave,
)


def leaf_switch(ports: int = 48, rng: random.Random | None = None):
    """A leaf switch: IF-MIB ports with traffic, spares shut, plus ENTITY-SENSOR probes.

    Every twelfth port is a spare, administratively down (which alerts nothing); about one
    switch in ten has one cabled port down while administratively up (a real fault).
    """
    rng = rng or seeded(1)
    out = [uptime()]
    broken = rng.randrange(1, ports + 1) if rng.random() < 0.1 else None
    for i in range(1, ports + 1):
        spare = i % 12 == 0
        up = not spare and i != broken
        gbps = rng.uniform(5, 200) if up else 0.0
        out += [
            rec(f"{IF}.2.{i}", "4", f"Ethernet1/{i}"),
            rec(f"{IF}.7.{i}", "2", 2 if spare else 1),
            rec(f"{IF}.8.{i}", "2", 1 if up else 2),
            rec(f"{IF}.13.{i}", counter(rng.randrange(100), 0.01 if up else 0, "65")),
            rec(f"{IF}.14.{i}", counter(rng.randrange(10), 0.001 if up else 0, "65")),
            rec(f"{IF}.19.{i}", counter(rng.randrange(100), 0.02 if up else 0, "65")),
            rec(f"{IF}.20.{i}", counter(0, 0, "65")),
            rec(f"{IFX}.1.{i}", "4", f"Eth1/{i}"),
            rec(f"{IFX}.6.{i}", counter(rng.randrange(10**15), gbps * 1.25e8)),
            rec(f"{IFX}.10.{i}", counter(rng.randrange(10**15), gbps * 1.1e8)),
            rec(f"{IFX}.15.{i}", "66", 400_000),
            rec(f"{IFX}.18.{i}", "4", "spare" if spare else f"gpu-node-{i:02d} rail {(i - 1) % 8}"),
        ]
    # (index, name, type, scale, precision, (mean, swing)): 8 celsius, 10 rpm, 4 voltsDC.
    sensors = [
        (1, "Inlet", 8, 9, 1, (24.0, 1.5)),
        (2, "ASIC", 8, 9, 1, (61.0, 4.0)),
        (3, "PSU1 Fan", 10, 9, 0, (11500, 800)),
        (4, "PSU1 Vout", 4, 8, 0, (12000, 40)),  # scale 8 = milli: 12.000 V
    ]
    for idx, name, typ, scale, prec, (mean, swing) in sensors:
        value = wave(mean * 10**prec, swing * 10**prec, 900 + 60 * idx)
        out += [
            rec(f"{ENT_NAME}.{idx}", "4", name),
            rec(f"{ENT_SENSOR}.1.{idx}", "2", typ),
            rec(f"{ENT_SENSOR}.2.{idx}", "2", scale),
            rec(f"{ENT_SENSOR}.3.{idx}", "2", prec),
            rec(f"{ENT_SENSOR}.4.{idx}", value),
            rec(f"{ENT_SENSOR}.5.{idx}", "2", 1),
        ]
    return out


def apc_rpdu2(outlets: int = 24, rng: random.Random | None = None):
    """An APC rPDU2, 3 phases, metered outlets and one temperature/humidity probe."""
    rng = rng or seeded(2)
    loads = [rng.uniform(150, 450) for _ in range(outlets)]
    total = sum(loads)
    out = [uptime()]
    out += [
        rec(f"{APC}.4.3.1.4.1", "2", 2),
        rec(f"{APC}.4.3.1.5.1", wave(total / 10, total / 200, 600)),
        rec(f"{APC}.4.3.1.9.1", counter(123456, total / 360000, "2")),  # 0.1 kWh steps
    ]
    for p in (1, 2, 3):
        amps = total / 3 / 230
        out += [
            rec(f"{APC}.6.3.1.4.{p}", "2", 2),
            rec(f"{APC}.6.3.1.5.{p}", wave(amps * 10, amps / 2, 600 + p)),
            rec(f"{APC}.6.3.1.6.{p}", "2", 230),
            rec(f"{APC}.6.3.1.7.{p}", "2", int(total / 3 / 10)),
        ]
    for o in range(1, outlets + 1):
        watts = loads[o - 1]
        out += [
            rec(f"{APC}.9.4.3.1.3.{o}", "4", f"node-{o:02d}"),
            rec(f"{APC}.9.4.3.1.4.{o}", "2", o),
            rec(f"{APC}.9.4.3.1.6.{o}", "2", int(watts / 23)),
            rec(f"{APC}.9.4.3.1.7.{o}", wave(watts, watts / 10, 300 + o)),
        ]
    out += [
        rec(f"{APC}.10.2.2.1.3.1", "4", "Rack inlet"),
        rec(f"{APC}.10.2.2.1.8.1", wave(235, 10, 1200)),
        rec(f"{APC}.10.2.2.1.10.1", wave(42, 3, 1500)),
    ]
    return out


def raritan_pdu2(outlets: int = 36, rng: random.Random | None = None):
    """A Raritan PX3: inlet sensors (current, voltage, power, energy...) and outlets."""
    rng = rng or seeded(3)
    watts = 7400.0
    inlet = {
        1: (watts / 400 / 1.732, 3),
        4: (400.0, 0),
        5: (watts, 0),
        6: (watts * 1.03, 0),
        7: (0.97, 2),
        23: (50.0, 1),
    }
    out = [uptime()]
    for typ, (value, digits) in sorted(inlet.items()):
        raw = value * 10**digits
        mv = wave(raw, raw * 0.05, 700 + typ, "66") if typ in (1, 5) else ("66", int(raw))
        out += [
            rec(f"{RARITAN}.3.3.4.1.7.1.1.{typ}", "66", digits),
            rec(f"{RARITAN}.5.2.3.1.4.1.1.{typ}", mv),
        ]
    out += [
        rec(f"{RARITAN}.3.3.4.1.7.1.1.8", "66", 0),
        rec(f"{RARITAN}.5.2.3.1.4.1.1.8", counter(52_000_000, watts / 3600, "66")),
    ]
    for o in range(1, outlets + 1):
        w = rng.uniform(100, 300)
        for typ, value, digits in ((1, w / 230, 3), (4, 230.0, 0), (5, w, 0)):
            raw = value * 10**digits
            mv = wave(raw, raw * 0.1, 400 + o, "66") if typ == 5 else ("66", int(raw))
            out += [
                rec(f"{RARITAN}.3.5.4.1.7.1.{o}.{typ}", "66", digits),
                rec(f"{RARITAN}.5.4.3.1.4.1.{o}.{typ}", mv),
            ]
    return out


def servertech_sentry4(outlets: int = 24, rng: random.Random | None = None):
    """A ServerTech Sentry4 PRO2: one input cord, three phases, outlets, a temperature probe."""
    rng = rng or seeded(4)
    watts = 6900.0
    out = [uptime()]
    out += [
        rec(f"{ST4}.3.3.1.3.1.1", wave(watts, watts * 0.05, 650)),
        rec(f"{ST4}.3.3.1.7.1.1", "2", 431),  # 43.1 %
        rec(f"{ST4}.3.3.1.10.1.1", counter(98_765, watts / 360_000, "2")),
    ]
    for p in (1, 2, 3):
        out += [
            rec(f"{ST4}.5.3.1.3.1.1.{p}", "2", 2395 + 5 * p),
            rec(f"{ST4}.5.3.1.6.1.1.{p}", wave(960, 50, 500 + p)),
        ]
    for o in range(1, outlets + 1):
        w = rng.uniform(100, 350)
        out += [
            rec(f"{ST4}.8.3.1.3.1.1.{o}", "2", int(w / 2.4)),
            rec(f"{ST4}.8.3.1.7.1.1.{o}", wave(w, w / 10, 350 + o)),
        ]
    out += [rec(f"{ST4}.9.3.1.1.1.1", wave(245, 8, 1100)), rec(f"{ST4}.9.3.1.2.1.1", "2", 0)]
    return out


def ups(lines: int = 3, rng: random.Random | None = None):
    """An RFC 1628 UPS on mains: normal battery, per-line output."""
    out = [uptime()]
    out += [rec(f"{UPS}.2.{n}.0", "2", v) for n, v in ((1, 2), (2, 0), (3, 14), (4, 100), (7, 27))]
    out += [rec(f"{UPS}.2.5.0", "2", 5450), rec(f"{UPS}.3.1.0", "65", 3)]
    out += [
        rec(f"{UPS}.4.1.0", "2", 3),
        rec(f"{UPS}.4.2.0", "2", 500),
        rec(f"{UPS}.6.1.0", "66", 0),
    ]
    for n in range(1, lines + 1):
        kw = 410_000 + 5_000 * n
        out += [
            rec(f"{UPS}.3.3.1.2.{n}", "2", 500),
            rec(f"{UPS}.3.3.1.3.{n}", "2", 400),
            rec(f"{UPS}.4.4.1.2.{n}", "2", 400),
            rec(f"{UPS}.4.4.1.3.{n}", "2", kw // 40),
            rec(f"{UPS}.4.4.1.4.{n}", wave(kw, kw * 0.03, 800 + n)),
            rec(f"{UPS}.4.4.1.5.{n}", "2", 41),
        ]
    return out


ATS_SOURCE_A, ATS_SOURCE_B = 1, 2


def apc_ats(
    rng: random.Random | None = None, selected: int = ATS_SOURCE_A, preferred: int = ATS_SOURCE_A
):
    """An APC Rack ATS (PowerNet-MIB) with both inputs good, feeding its output from
    ``selected``; one output bank (the total) carrying about 1.9 kW."""
    redundant = 2  # atsFullyRedundant
    out = [uptime()]
    out += [
        rec(f"{APC_ATS_ROOT}.4.2.0", "2", preferred),  # atsConfigPreferredSource
        rec(f"{APC_ATS_ROOT}.5.1.2.0", "2", selected),  # atsStatusSelectedSource
        rec(f"{APC_ATS_ROOT}.5.1.3.0", "2", redundant),  # atsStatusRedundancyState
        rec(f"{APC_ATS_ROOT}.5.4.5.1.1.1", "2", 1),  # atsOutputBankTableIndex
        rec(f"{APC_ATS_ROOT}.5.4.5.1.4.1", "66", 84),  # atsOutputBankCurrent, 0.1 A
        rec(f"{APC_ATS_ROOT}.5.4.5.1.15.1", wave(1900, 60, 900)),  # atsOutputBankPower, W
    ]
    return out


def liebert_crah(rng: random.Random | None = None):
    """A Liebert CRAH speaking LIEBERT-GP-FLEXIBLE: labelled string values."""
    points = [
        (5002, "Return Air Temperature", "31.5", "deg C"),
        (5004, "Supply Air Temperature", "18.2", "deg C"),
        (5006, "Return Air Humidity", "38", "% RH"),
        (5008, "Air Temperature Set Point", "64.4", "deg F"),
        (5010, "Fan Speed", "72", "%"),
        (5012, "Chilled Water Valve Position", "Unavailable", "%"),
    ]
    out = [uptime()]
    for pid, label, value, unit in points:
        out += [
            rec(f"{LIEBERT}.10.1.{pid}", "4", label),
            rec(f"{LIEBERT}.20.1.{pid}", "4", value),
            rec(f"{LIEBERT}.30.1.{pid}", "4", unit),
        ]
    return out


KINDS: dict[str, tuple[Callable[..., list[Record]], tuple[str, ...]]] = {
    "leaf_switch": (leaf_switch, ("if_mib", "entity_sensor")),
    "apc_rpdu2": (apc_rpdu2, ("apc_rpdu2", "env_sensor")),
    "raritan_pdu2": (raritan_pdu2, ("raritan_pdu2",)),
    "servertech_sentry4": (servertech_sentry4, ("servertech_sentry4",)),
    "ups": (ups, ("ups_mib",)),
    "apc_ats": (apc_ats, ("apc_ats",)),
    "liebert_crah": (liebert_crah, ("liebert_gp",)),
    "netbotz": (netbotz_rack_monitor, ("netbotz_v2",)),
    "keepalived": (ha.keepalived, ("keepalived",)),
    "vrrp_router": (ha.vrrp_router, ("if_mib", "vrrp_mib")),
    "vrrpv3_router": (ha.vrrpv3_router, ("vrrpv3_mib",)),
}


@dataclass(frozen=True)
class SimDevice:
    """One simulated agent: its data file (= community = v3 context) and what it is."""

    name: str
    kind: str
    size: int | None = None  # ports, outlets or lines; None: the kind's default
    seed: int = 0
    rack: str = ""  # the rack it stands in, for kinds that take one (netbotz)
    # Values from the building model instead of waves: see ``modelled.records``; the
    # agent then needs the plan (``start_agent(..., building=...)``).
    modelled: bool = False
    fabric: str = ""  # switches: "infiniband" or "ethernet", which names the ports
    cabled: int | None = None  # switches: ports 1..cabled are linked, the rest spare

    @property
    def profiles(self) -> tuple[str, ...]:
        return KINDS[self.kind][1]

    def records(self, moving: bool = True) -> list[Record]:
        """The device's records; ``moving=False`` freezes every value at its mean/initial."""
        make = KINDS[self.kind][0]
        kwargs: dict = {"rng": seeded(self.seed or zlib.crc32(self.name.encode()))}
        if self.size is not None:
            kwargs[make.__code__.co_varnames[0]] = self.size
        if self.rack:
            kwargs["rack"] = self.rack
        records = make(**kwargs)
        return records if moving else freeze(records)


def freeze(records: Iterable[Record]) -> list[Record]:
    """Static copies of moving records: counters at their initial value, waves at their mean."""
    out = []
    for oid, tag, value in records:
        if tag.endswith(":numeric"):
            settings = dict(item.split("=", 1) for item in value.split(","))
            value = str(round(float(settings.get("initial", settings.get("offset", 0)))))
            tag = tag.split(":")[0]
        out.append((oid, tag, value))
    return out


DEMO_FLEET: tuple[SimDevice, ...] = (
    SimDevice("leaf-01", "leaf_switch", 48, seed=11),
    SimDevice("pdu-apc-01", "apc_rpdu2", 24, seed=12),
    SimDevice("pdu-raritan-01", "raritan_pdu2", 36, seed=13),
    SimDevice("pdu-servertech-01", "servertech_sentry4", 24, seed=14),
    SimDevice("ups-01", "ups", 3, seed=15),
    SimDevice("crah-01", "liebert_crah", seed=16),
    SimDevice("lb-01", "keepalived", seed=17),
    SimDevice("edge-01", "vrrp_router", seed=18),
    SimDevice("edge-v3-01", "vrrpv3_router", seed=19),
)


def _oid_key(record: Record) -> tuple[int, ...]:
    return tuple(int(x) for x in record[0].split("."))


def write_snmprec(path: str | os.PathLike, records: Iterable[Record]) -> Path:
    """Write records sorted by OID (snmpsim needs that) and make sure snmpsim re-reads them.

    snmpsim notices a changed data file by its whole-second mtime, so a rewrite within the
    same second as the last one would be missed: the mtime is moved past the old one.
    """
    path = Path(path)
    old = path.stat().st_mtime if path.exists() else None
    tmp = path.with_suffix(".tmp")
    lines = ["|".join(r) for r in sorted(records, key=_oid_key)]
    tmp.write_text("\n".join(lines) + "\n", encoding="iso-8859-1")
    os.replace(tmp, path)
    if old is not None:
        stamp = max(path.stat().st_mtime, int(old) + 2)
        os.utime(path, (stamp, stamp))
    return path


def write_fleet(data_dir: str | os.PathLike, devices: Iterable[SimDevice] = DEMO_FLEET) -> Path:
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    for device in devices:
        write_snmprec(data_dir / f"{device.name}.snmprec", device.records())
    return data_dir
