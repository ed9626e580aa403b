"""High-availability pairs over SNMP: keepalived (KEEPALIVED-MIB), VRRP-MIB (RFC 2787) and
VRRPv3-MIB (RFC 6527).

One state per virtual router, as the device itself reports it: which member is master is
what a failover changes, so the availability app detects failovers from these readings
(``telemetry.signals.poll_stored``). The codes are the MIBs' own, never remapped: keepalived
counts from 0 (init) and says master with 2, both VRRP MIBs count from 1 (initialize) and
say master with 3.

Components name the virtual router the way each MIB indexes it: keepalived by instance name
(``vrrpInstanceName``, e.g. ``VI_API``; the row index only if the name is empty), VRRP-MIB
by ``<ifIndex>.<vrId>``, VRRPv3-MIB by ``<ifIndex>.<vrId>.<inetAddrType>`` (1 IPv4, 2 IPv6).
"""

from __future__ import annotations

from telemetry.collectors.profiles.snmp_shapes import Metric, Profile, Table

# KEEPALIVED-MIB vrrpInstanceEntry (keepalived's doc/KEEPALIVED-MIB.txt).
KEEPALIVED_INSTANCE = "1.3.6.1.4.1.9586.100.5.2.3.1"
KEEPALIVED_NAME = f"{KEEPALIVED_INSTANCE}.2"  # vrrpInstanceName
KEEPALIVED_STATE = f"{KEEPALIVED_INSTANCE}.4"  # vrrpInstanceState
# VRRP-MIB vrrpOperEntry, index ifIndex.vrrpOperVrId.
VRRP_OPER = "1.3.6.1.2.1.68.1.3.1"
VRRP_OPER_STATE = f"{VRRP_OPER}.3"  # vrrpOperState
# VRRPv3-MIB vrrpv3OperationsEntry, index ifIndex.vrId.inetAddrType.
VRRPV3_OPERATIONS = "1.3.6.1.2.1.207.1.1.1.1"
VRRPV3_STATUS = f"{VRRPV3_OPERATIONS}.6"  # vrrpv3OperationsStatus

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
MEANINGS = {
    "keepalived_vrrp_instance_state": (
        "State of a keepalived VRRP instance (KEEPALIVED-MIB vrrpInstanceState): 0 init, "
        "1 backup, 2 master, 3 fault, 4 unknown. The member in state 2 holds the virtual "
        "address; a change of master is a failover."
    ),
    "vrrp_oper_state": (
        "State of a VRRP virtual router (VRRP-MIB vrrpOperState): 1 initialize, 2 backup, "
        "3 master. A change of master is a failover."
    ),
    "vrrpv3_oper_state": (
        "State of a VRRPv3 virtual router (VRRPv3-MIB vrrpv3OperationsStatus): 1 initialize, "
        "2 backup, 3 master. A change of master is a failover."
    ),
}


def _state(name: str, oid: str, low: int, high: int) -> Metric:
    return Metric(name, "", oid, low=low, high=high, state=True)


KEEPALIVED = Profile(
    "keepalived",
    "KEEPALIVED-MIB (keepalived's SNMP subagent): the state of each VRRP instance, by name.",
    tables=(
        Table(
            component="{name|index}",
            text={"name": KEEPALIVED_NAME},
            metrics=(_state("keepalived_vrrp_instance_state", KEEPALIVED_STATE, 0, 4),),
        ),
    ),
    meanings=MEANINGS,
)

VRRP_MIB = Profile(
    "vrrp_mib",
    "VRRP-MIB (RFC 2787, VRRPv2): the state of each virtual router, by ifIndex.vrId.",
    tables=(
        Table(
            component="{index}",
            metrics=(_state("vrrp_oper_state", VRRP_OPER_STATE, 1, 3),),
        ),
    ),
    meanings=MEANINGS,
)

VRRPV3_MIB = Profile(
    "vrrpv3_mib",
    "VRRPv3-MIB (RFC 6527): the state of each virtual router, by ifIndex.vrId.inetAddrType.",
    tables=(
        Table(
            component="{index}",
            metrics=(_state("vrrpv3_oper_state", VRRPV3_STATUS, 1, 3),),
        ),
    ),
    meanings=MEANINGS,
)

PROFILES = (KEEPALIVED, VRRP_MIB, VRRPV3_MIB)
