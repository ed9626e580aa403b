"""SNMP data of the demo's devices, read from the building model instead of sine waves.

Same MIBs and OIDs as ``fleet``'s stand-alone kinds, but each moving value is a ``:model``
record naming a key of ``telemetry.simulators.building`` (the agent evaluates it per
request), so a rack's PDUs follow its servers' GPUs and a UPS follows its PDUs.
"""

from __future__ import annotations

import random
import zlib

from telemetry.simulators.snmp import ha
from telemetry.simulators.snmp.fleet import SimDevice
from telemetry.simulators.snmp.netbotz import netbotz_rack_monitor
from telemetry.simulators.snmp.records import (
    ENT_NAME,
    ENT_SENSOR,
    IF,
    IFX,
    RARITAN,
    UPS,
    Record,
    counter,
    model,
    rec,
    seeded,
    uptime,
    wave,
)

# PDU2-MIB inlet sensor types: (key in the model, decimal digits).
_INLET = {
    1: ("current_a", 3),  # the highest pole current: what the inlet breaker sees
    4: ("voltage", 0),
    5: ("power_w", 0),
    6: ("apparent_va", 0),
    7: ("pf", 2),
    8: ("energy_wh", 0),
    23: ("frequency", 1),
}
_POLE = {1: ("a", 3), 4: ("v", 0)}  # rmsCurrent, rmsVoltage (line to neutral)
_OUTLET = {1: ("a", 3), 4: ("v", 0), 5: ("w", 0)}


def _sensor(
    config: str, values: str, index: str, key: str, digits: int, tag: str = "66"
) -> list[Record]:
    """One PDU2-MIB sensor: its decimal digits (``<config>.1.7``) and its value
    (``<values>.1.4``, scaled by 10^digits) under ``index``."""
    return [
        rec(f"{RARITAN}.{config}.1.7.{index}", "66", digits),
        rec(f"{RARITAN}.{values}.1.4.{index}", model(key, 10**digits, tag)),
    ]


def raritan_pdu2(device: str, outlets: int = 36, rng: random.Random | None = None) -> list[Record]:
    """A Raritan PX3 on a 3-phase inlet: inlet, its three poles, and every outlet."""
    key = f"pdu/{device}"
    out = [uptime()]
    for typ, (name, digits) in _INLET.items():
        tag = "65" if typ == 8 else "66"  # activeEnergy is a counter; others gauges
        out += _sensor("3.3.4", "5.2.3", f"1.1.{typ}", f"{key}/{name}", digits, tag)
    for pole in (1, 2, 3):
        for typ, (name, digits) in _POLE.items():
            index, value = f"1.1.{pole}.{typ}", f"{key}/pole{pole}_{name}"
            out += _sensor("3.3.6", "5.2.4", index, value, digits)
    for o in range(1, outlets + 1):
        for typ, (name, digits) in _OUTLET.items():
            out += _sensor("3.5.4", "5.4.3", f"1.{o}.{typ}", f"{key}/outlet{o}_{name}", digits)
    return out


def ups(device: str, lines: int = 3, rng: random.Random | None = None) -> list[Record]:
    """An RFC 1628 UPS whose output is what its PDUs draw plus losses; on battery when the
    model's schedule says a mains transfer is under way."""
    key = f"ups/{device}"
    out = [uptime()]
    out += [
        rec(f"{UPS}.2.1.0", model(f"{key}/battery_status", 1, "2")),
        rec(f"{UPS}.2.2.0", model(f"{key}/on_battery_s", 1, "2")),
        rec(f"{UPS}.2.3.0", model(f"{key}/runtime_s", 1 / 60, "2")),  # minutes
        rec(f"{UPS}.2.4.0", model(f"{key}/charge_pct", 1, "2")),
        rec(f"{UPS}.2.5.0", "2", 5450),
        rec(f"{UPS}.2.7.0", "2", 24),
        rec(f"{UPS}.3.1.0", "65", 3),
        rec(f"{UPS}.4.1.0", model(f"{key}/source", 1, "2")),
        rec(f"{UPS}.4.2.0", "2", 500),
        rec(f"{UPS}.6.1.0", "66", 0),
    ]
    for n in range(1, lines + 1):
        out += [
            rec(f"{UPS}.3.3.1.2.{n}", "2", 500),
            rec(f"{UPS}.3.3.1.3.{n}", "2", 400),
            rec(f"{UPS}.3.3.1.5.{n}", model(f"{key}/input_w", 1 / lines, "2")),
            rec(f"{UPS}.4.4.1.2.{n}", "2", 400),
            rec(f"{UPS}.4.4.1.3.{n}", model(f"{key}/out{n}_a", 10, "2")),
            rec(f"{UPS}.4.4.1.4.{n}", model(f"{key}/out{n}_w", 1, "2")),
            rec(f"{UPS}.4.4.1.5.{n}", model(f"{key}/load{n}_pct", 1, "2")),
        ]
    return out


def port_names(fabric: str, ports: int) -> list[tuple[str, str]]:
    """(ifDescr, ifName) as the switch's OS names its ports.

    A QM9700 (MLNX-OS / Onyx) names an InfiniBand port ``IB1/<cage>/<split>`` (32 OSFP cages
    split in two); an Ethernet switch under Cumulus Linux names them ``swp<n>``.
    """
    if fabric == "infiniband":
        return [(f"IB1/{(i - 1) // 2 + 1}/{(i - 1) % 2 + 1}",) * 2 for i in range(1, ports + 1)]
    return [(f"swp{i}", f"swp{i}") for i in range(1, ports + 1)]


def leaf_switch(
    device: str,
    ports: int = 64,
    rng: random.Random | None = None,
    fabric: str = "infiniband",
    cabled: int | None = None,
) -> list[Record]:
    """A switch whose ports' state and input errors come from the model's fault schedule
    (a port flaps now and then); traffic counts at each port's own rate; error and discard
    counters differ per port and mostly stay at zero."""
    rng = rng or random.Random(device)  # noqa: S311 - simulated traffic
    out = [uptime()]
    names = port_names(fabric, ports)
    speed = 400_000  # Mb/s: NDR InfiniBand, 400GbE
    linked = ports * 5 // 8 if cabled is None else cabled  # a leaf: 32 down, 8 up of 64
    for i, (descr, name) in enumerate(names, start=1):
        cabled_here = i <= linked
        gbps = rng.uniform(20, 180) if cabled_here else 0.0
        noisy = cabled_here and rng.random() < 0.08  # a few ports with a marginal optic
        discards = cabled_here and rng.random() < 0.05
        oper = model(f"port/{device}/{i}/oper", 1, "2")
        out += [
            rec(f"{IF}.2.{i}", "4", descr),
            rec(f"{IF}.3.{i}", "2", 199 if fabric == "infiniband" else 6),  # infiniband(199)
            rec(f"{IF}.7.{i}", "2", 1 if cabled_here else 2),
            rec(f"{IF}.8.{i}", oper) if cabled_here else rec(f"{IF}.8.{i}", "2", 2),
            rec(f"{IF}.13.{i}", counter(3 * discards, 0.002 * discards, "65")),
            rec(f"{IF}.14.{i}", model(f"port/{device}/{i}/in_errors", 1, "65")),
            rec(f"{IF}.19.{i}", counter(0, 0.001 * noisy, "65")),
            rec(f"{IF}.20.{i}", counter(rng.randrange(5) if noisy else 0, 0.0005 * noisy, "65")),
            rec(f"{IFX}.1.{i}", "4", name),
            rec(f"{IFX}.6.{i}", counter(rng.randrange(10**15), gbps * 1.25e8)),
            rec(f"{IFX}.10.{i}", counter(rng.randrange(10**15), gbps * 1.2e8)),
            rec(f"{IFX}.15.{i}", "66", speed if cabled_here else 0),
            rec(f"{IFX}.18.{i}", "4", f"link {i}" if cabled_here else "spare"),
        ]
    sensors = [
        (1, "Inlet", 8, 9, 1, (24.0, 1.0)),
        (2, "ASIC", 8, 9, 1, (58.0, 3.0)),
        (3, "PSU1 Fan", 10, 9, 0, (9800, 600)),
    ]
    for idx, label, typ, scale, prec, (mean, swing) in sensors:
        out += [
            rec(f"{ENT_NAME}.{idx}", "4", label),
            rec(f"{ENT_SENSOR}.1.{idx}", "2", typ),
            rec(f"{ENT_SENSOR}.2.{idx}", "2", scale),
            rec(f"{ENT_SENSOR}.3.{idx}", "2", prec),
            rec(f"{ENT_SENSOR}.4.{idx}", wave(mean * 10**prec, swing * 10**prec, 900 + 60 * idx)),
            rec(f"{ENT_SENSOR}.5.{idx}", "2", 1),
        ]
    return out


MODELLED = {
    "raritan_pdu2": raritan_pdu2,
    "ups": ups,
    "leaf_switch": leaf_switch,
    "netbotz": netbotz_rack_monitor,
    "keepalived": ha.keepalived_modelled,
    "vrrp_router": ha.vrrp_router_modelled,
}


def records(device: SimDevice) -> list[Record]:
    """A device's records: from the model where ``modelled`` is set and the kind has a
    modelled form, else the stand-alone kind's waves."""
    if not (device.modelled and device.kind in MODELLED):
        return device.records()
    rng = seeded(device.seed or zlib.crc32(device.name.encode()))
    if device.kind == "netbotz":
        return netbotz_rack_monitor(device.size or 3, rng, device.rack, modelled=True)
    if device.kind == "leaf_switch":
        return leaf_switch(
            device.name, device.size or 64, rng, device.fabric or "infiniband", device.cabled
        )
    make = MODELLED[device.kind]
    return make(device.name, device.size, rng) if device.size else make(device.name, rng=rng)
