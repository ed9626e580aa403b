"""The HA profiles (``keepalived``, ``vrrp_mib``, ``vrrpv3_mib``) against snmpsim on loopback.

Each pair member is one data file; a failover is the files rewritten between two polls
(snmpsim re-reads a file whose mtime changed), as the members' states change on a real pair.
Metric names, components and codes are the ones the availability app detects failovers
from: they must not drift.
"""

from __future__ import annotations

import pytest

from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many
from telemetry.simulators.snmp import ha, start_snmpsim
from telemetry.simulators.snmp.fleet import write_snmprec

FILES = {
    "lb-01": ha.keepalived(state=ha.KEEPALIVED_MASTER),
    "lb-02": ha.keepalived(state=ha.KEEPALIVED_BACKUP),
    "edge-01": ha.vrrp_router(state=ha.VRRP_MASTER),
    "edge-02": ha.vrrp_router(state=ha.VRRP_BACKUP),
    "edge-v3-01": ha.vrrpv3_router(state=ha.VRRP_MASTER),
    "edge-v3-02": ha.vrrpv3_router(state=ha.VRRP_BACKUP),
}
PROFILE = {"lb": ("keepalived",), "edge": ("vrrp_mib",), "edge-v3": ("vrrpv3_mib",)}


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    data = tmp_path_factory.mktemp("snmp-ha")
    for name, records in FILES.items():
        write_snmprec(data / f"{name}.snmprec", records)
    handle = start_snmpsim(data)
    yield handle
    handle.stop()


@pytest.fixture
def restore(sim):
    yield
    for name, records in FILES.items():
        write_snmprec(sim.data_dir / f"{name}.snmprec", records)


def target(sim, name: str) -> SnmpTarget:
    kind = name.rsplit("-", 1)[0]
    return SnmpTarget(
        "127.0.0.1", SnmpCredentials(community=name), PROFILE[kind], port=sim.port, name=name
    )


def states(sim, *names: str) -> dict[str, dict[tuple[str, str], float]]:
    """{member: {(metric, component): value}} of the HA metrics, from one poll each."""
    out = {}
    for name, result in zip(names, poll_many([target(sim, n) for n in names]), strict=True):
        assert result.ok, result.error
        assert result.skipped == {}, result.skipped
        ha_readings = [r for r in result.readings if r.metric != "snmp_sys_uptime_seconds"]
        assert all(r.unit == "" and r.labels == {} for r in ha_readings)
        out[name] = {(r.metric, r.component): r.value for r in ha_readings}
    return out


def test_keepalived_instance_state_by_instance_name(sim):
    got = states(sim, "lb-01", "lb-02")
    assert got == {
        "lb-01": {("keepalived_vrrp_instance_state", "VI_API"): 2},  # master
        "lb-02": {("keepalived_vrrp_instance_state", "VI_API"): 1},  # backup
    }


def test_vrrp_oper_state_by_ifindex_and_vrid(sim):
    got = states(sim, "edge-01", "edge-02")
    assert got == {
        "edge-01": {("vrrp_oper_state", "1.10"): 3},  # master
        "edge-02": {("vrrp_oper_state", "1.10"): 2},  # backup
    }


def test_vrrpv3_status_by_ifindex_vrid_and_address_type(sim):
    got = states(sim, "edge-v3-01", "edge-v3-02")
    assert got == {
        "edge-v3-01": {("vrrpv3_oper_state", "1.10.1"): 3},  # master, IPv4
        "edge-v3-02": {("vrrpv3_oper_state", "1.10.1"): 2},
    }


def test_a_failover_between_two_polls_reads_as_the_new_states(sim, restore):
    """The master goes to fault, the backup takes over; then the old master comes back as
    backup. Each poll reads exactly what the devices say at that moment."""
    data = sim.data_dir
    key = ("keepalived_vrrp_instance_state", "VI_API")
    assert {n: s[key] for n, s in states(sim, "lb-01", "lb-02").items()} == {
        "lb-01": 2,
        "lb-02": 1,
    }
    write_snmprec(data / "lb-01.snmprec", ha.keepalived(state=ha.KEEPALIVED_FAULT))
    write_snmprec(data / "lb-02.snmprec", ha.keepalived(state=ha.KEEPALIVED_MASTER))
    assert {n: s[key] for n, s in states(sim, "lb-01", "lb-02").items()} == {
        "lb-01": 3,
        "lb-02": 2,
    }
    write_snmprec(data / "lb-01.snmprec", ha.keepalived(state=ha.KEEPALIVED_BACKUP))
    assert {n: s[key] for n, s in states(sim, "lb-01", "lb-02").items()} == {
        "lb-01": 1,
        "lb-02": 2,
    }
    for v2, v3 in (("edge-01", "edge-v3-01"), ("edge-02", "edge-v3-02")):
        master = v2.endswith("02")  # the backups take over
        state = ha.VRRP_MASTER if master else ha.VRRP_INITIALIZE
        write_snmprec(data / f"{v2}.snmprec", ha.vrrp_router(state=state))
        write_snmprec(data / f"{v3}.snmprec", ha.vrrpv3_router(state=state))
    got = states(sim, "edge-01", "edge-02", "edge-v3-01", "edge-v3-02")
    assert got["edge-01"] == {("vrrp_oper_state", "1.10"): 1}  # initialize
    assert got["edge-02"] == {("vrrp_oper_state", "1.10"): 3}
    assert got["edge-v3-01"] == {("vrrpv3_oper_state", "1.10.1"): 1}
    assert got["edge-v3-02"] == {("vrrpv3_oper_state", "1.10.1"): 3}


def test_the_edge_router_also_answers_its_ports(sim):
    """The demo polls the routers with ``if_mib`` too: their links on the Network page."""
    [result] = poll_many(
        [
            SnmpTarget(
                "127.0.0.1",
                SnmpCredentials(community="edge-01"),
                ("if_mib", "vrrp_mib"),
                port=sim.port,
            )
        ]
    )
    assert result.ok and result.skipped == {}, (result.error, result.skipped)
    got = {(r.metric, r.component): r for r in result.readings}
    assert got[("vrrp_oper_state", "1.10")].value == 3
    assert got[("if_oper_status", "if:et-0/0/0")].value == 1  # ifIndex 1: the VRRP gateway
    assert got[("if_oper_status", "if:et-0/0/0")].labels == {"alias": "gateway VLAN 10 (VRRP 10)"}
    assert got[("if_admin_status", "if:et-0/0/3")].value == 2  # the spare, shut
    assert got[("if_speed_bits_per_second", "if:et-0/0/1")].value == 100e9


def test_a_state_outside_the_mib_is_skipped_as_implausible(sim, restore):
    write_snmprec(sim.data_dir / "edge-01.snmprec", ha.vrrp_router(state=7))
    [result] = poll_many([target(sim, "edge-01")])
    assert result.ok, result.error
    assert [r.metric for r in result.readings] == ["snmp_sys_uptime_seconds"]
    assert result.skipped == {"implausible": 1}
