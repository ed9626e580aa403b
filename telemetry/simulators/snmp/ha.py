"""SNMP data of HA pairs: a keepalived load balancer, a VRRP (v2) router, a VRRPv3 router.

Each answers the state of one virtual router. Stand-alone (snmpsim, the profile tests) the
state is a static value the test rewrites between polls; modelled (the demo's agent) it is
a ``:model`` record, ``ha/<device>/keepalived`` or ``ha/<device>/vrrp``, that the building
model computes per request from the failover schedule and the injected failovers
(``telemetry.simulators.building.ha``), so both members of a pair always agree.

The demo's virtual routers: keepalived instance ``VI_API`` (virtual router id 51) on the
load-balancer pair, VRRP group 10 on interface 1 of the edge routers.
"""

from __future__ import annotations

import random

from telemetry.collectors.profiles.snmp_ha import (
    KEEPALIVED_INSTANCE,
    VRRP_OPER,
    VRRPV3_OPERATIONS,
)
from telemetry.simulators.snmp.records import IF, IFX, Record, counter, model, rec, uptime

KEEPALIVED_NAME = "VI_API"
KEEPALIVED_VRID = 51
VRRP_IFINDEX, VRRP_VRID = 1, 10
IPV4 = 1  # InetAddressType ipv4(1)
# Codes as each MIB has them (KEEPALIVED-MIB VrrpState; VRRP-MIB and VRRPv3-MIB).
KEEPALIVED_MASTER, KEEPALIVED_BACKUP, KEEPALIVED_FAULT = 2, 1, 3
VRRP_MASTER, VRRP_BACKUP, VRRP_INITIALIZE = 3, 2, 1


def _keepalived(state: tuple[str, str]) -> list[Record]:
    """One instance (row 1): name, virtual router id, state and wanted state."""
    row = f"{KEEPALIVED_INSTANCE}.{{}}.1"
    return [
        uptime(),
        rec(row.format(2), "4", KEEPALIVED_NAME),  # vrrpInstanceName
        rec(row.format(3), "66", KEEPALIVED_VRID),  # vrrpInstanceVirtualRouterId
        rec(row.format(4), state),  # vrrpInstanceState
        rec(row.format(6), state),  # vrrpInstanceWantedState: no transition under way
    ]


# An MX204's four 100GbE ports as Junos names them: (ifDescr, ifAlias, Gb/s of traffic in,
# out); ifIndex 1 carries the VRRP gateway. The fourth is a spare, shut.
EDGE_PORTS = (
    ("et-0/0/0", "gateway VLAN 10 (VRRP 10)", 18.0, 21.0),
    ("et-0/0/1", "core uplink", 20.0, 17.0),
    ("et-0/0/2", "transit ISP", 6.0, 4.5),
    ("et-0/0/3", "spare", 0.0, 0.0),
)


def _edge_ports() -> list[Record]:
    """IF-MIB of the router's ports, so that the Network page shows its links."""
    out: list[Record] = []
    for i, (name, alias, gbps_in, gbps_out) in enumerate(EDGE_PORTS, start=1):
        up = gbps_in > 0
        out += [
            rec(f"{IF}.2.{i}", "4", name),
            rec(f"{IF}.7.{i}", "2", 1 if up else 2),
            rec(f"{IF}.8.{i}", "2", 1 if up else 2),
            rec(f"{IF}.13.{i}", "65", 0),
            rec(f"{IF}.14.{i}", "65", 0),
            rec(f"{IF}.19.{i}", "65", 0),
            rec(f"{IF}.20.{i}", "65", 0),
            rec(f"{IFX}.1.{i}", "4", name),
            rec(f"{IFX}.6.{i}", counter(10**12 * i, gbps_in * 1.25e8)),
            rec(f"{IFX}.10.{i}", counter(10**12 * i, gbps_out * 1.25e8)),
            rec(f"{IFX}.15.{i}", "66", 100_000 if up else 0),
            rec(f"{IFX}.18.{i}", "4", alias),
        ]
    return out


def _vrrp(state: tuple[str, str]) -> list[Record]:
    """VRRP-MIB: one virtual router on ifIndex 1, its virtual MAC 00-00-5E-00-01-<vrid>;
    and the router's ports."""
    row = f"{VRRP_OPER}.{{}}.{VRRP_IFINDEX}.{VRRP_VRID}"
    return [
        uptime(),
        *_edge_ports(),
        rec(row.format(2), "4x", f"00005e0001{VRRP_VRID:02x}"),  # vrrpOperVirtualMacAddr
        rec(row.format(3), state),  # vrrpOperState
        rec(row.format(4), "2", 1),  # vrrpOperAdminState: up(1)
        rec(row.format(6), "2", 1),  # vrrpOperIpAddrCount
    ]


def _vrrpv3(state: tuple[str, str]) -> list[Record]:
    """VRRPv3-MIB: the same router, IPv4, indexed ifIndex.vrId.inetAddrType."""
    row = f"{VRRPV3_OPERATIONS}.{{}}.{VRRP_IFINDEX}.{VRRP_VRID}.{IPV4}"
    return [
        uptime(),
        rec(row.format(5), "4x", f"00005e0001{VRRP_VRID:02x}"),  # ...VirtualMacAddr
        rec(row.format(6), state),  # vrrpv3OperationsStatus
        rec(row.format(7), "66", 100),  # vrrpv3OperationsPriority
    ]


# Stand-alone kinds (``fleet.KINDS``): a static state, master unless told otherwise.


def keepalived(rng: random.Random | None = None, state: int = KEEPALIVED_MASTER) -> list[Record]:
    return _keepalived(("2", str(state)))


def vrrp_router(rng: random.Random | None = None, state: int = VRRP_MASTER) -> list[Record]:
    return _vrrp(("2", str(state)))


def vrrpv3_router(rng: random.Random | None = None, state: int = VRRP_MASTER) -> list[Record]:
    return _vrrpv3(("2", str(state)))


# Modelled kinds (``modelled.MODELLED``): the state from the building model's pairs.


def keepalived_modelled(device: str, rng: random.Random | None = None) -> list[Record]:
    return _keepalived(model(f"ha/{device}/keepalived", 1, "2"))


def vrrp_router_modelled(device: str, rng: random.Random | None = None) -> list[Record]:
    return _vrrp(model(f"ha/{device}/vrrp", 1, "2"))
