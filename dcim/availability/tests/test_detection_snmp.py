"""Failovers read over SNMP from the simulator (snmpsim on loopback, the telemetry side's
``keepalived``, ``vrrp_mib`` and ``apc_ats`` profiles), stored through the real storing
path: one failover record per master change or transfer, none on repeated polls, none
after a poller restart."""

from __future__ import annotations

import pytest

from dcim.availability.models import Failover, FailoverSource
from telemetry import polling
from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators.snmp import ha, start_snmpsim
from telemetry.simulators.snmp.fleet import ATS_SOURCE_A, ATS_SOURCE_B, apc_ats, write_snmprec

START = {
    "lb-01": ha.keepalived(state=ha.KEEPALIVED_MASTER),
    "lb-02": ha.keepalived(state=ha.KEEPALIVED_BACKUP),
    "edge-01": ha.vrrp_router(state=ha.VRRP_MASTER),
    "edge-02": ha.vrrp_router(state=ha.VRRP_BACKUP),
}
PROFILE = {"lb": ("keepalived",), "edge": ("vrrp_mib",), "ats": ("apc_ats",)}


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    data = tmp_path_factory.mktemp("ha-detect")
    for name, records in START.items():
        write_snmprec(data / f"{name}.snmprec", records)
    write_snmprec(data / "ats-b07.snmprec", apc_ats())  # snmpsim knows the files it started with
    handle = start_snmpsim(data)
    yield handle
    handle.stop()


@pytest.fixture
def pairs(ha, sim):
    """The conftest's LB pair, and an EDGE pair built like it; a target per member."""
    from dcim.availability.models import GroupKind, Member, MemberRole, RedundancyGroup
    from dcim.inventory.tests.factories import make_device

    edge = RedundancyGroup.objects.create(
        name="Edge", slug="edge", site=ha.site, kind=GroupKind.ACTIVE_STANDBY, may_fail=1
    )
    members = {"lb-01": ha.lb_1, "lb-02": ha.lb_2}
    for n, role in (("01", MemberRole.ACTIVE), ("02", MemberRole.STANDBY)):
        device = make_device(site=ha.site, name=f"EDGE-{n}")
        members[f"edge-{n}"] = Member.objects.create(group=edge, device=device, role=role)
    for name, records in START.items():
        write_snmprec(sim.data_dir / f"{name}.snmprec", records)
    return {
        name: CollectionTarget.objects.create(
            device=m.device,
            protocol=Protocol.SNMP,
            address="127.0.0.1",
            port=sim.port,
            interval_s=30,
        )  # fmt: skip
        for name, m in members.items()
    }


def poll_and_store(sim, targets: dict, names=tuple(START)) -> None:
    """One poll of each member over SNMP, stored as the poller stores it."""
    snmp = [
        SnmpTarget(
            "127.0.0.1",
            SnmpCredentials(community=n),
            PROFILE[n.rsplit("-", 1)[0]],
            port=sim.port,
            name=n,
        )  # fmt: skip
        for n in names
    ]
    for name, result in zip(names, poll_many(snmp), strict=True):
        assert result.ok, result.error
        polling.store_result(targets[name], result)


def failover(sim, lb: bool = True, edge: bool = True) -> None:
    """The masters fail (fault / initialize), the backups take over."""
    if lb:
        write_snmprec(sim.data_dir / "lb-01.snmprec", ha.keepalived(state=ha.KEEPALIVED_FAULT))
        write_snmprec(sim.data_dir / "lb-02.snmprec", ha.keepalived(state=ha.KEEPALIVED_MASTER))
    if edge:
        write_snmprec(sim.data_dir / "edge-01.snmprec", ha.vrrp_router(state=ha.VRRP_INITIALIZE))
        write_snmprec(sim.data_dir / "edge-02.snmprec", ha.vrrp_router(state=ha.VRRP_MASTER))


def test_keepalived_and_vrrp_failovers_over_snmp_are_one_record_each(ha, sim, pairs):
    poll_and_store(sim, pairs)
    assert not Failover.objects.exists()
    failover(sim)
    poll_and_store(sim, pairs)
    records = {f.group.name: f for f in Failover.objects.select_related("group")}
    assert set(records) == {"Load balancers", "Edge"}
    assert records["Load balancers"].new_active == ha.lb_2
    assert records["Edge"].new_active.device.name == "EDGE-02"
    assert all(f.source == FailoverSource.SNMP for f in records.values())
    # Repeated polls of the same states: nothing more.
    poll_and_store(sim, pairs)
    poll_and_store(sim, pairs)
    assert Failover.objects.count() == 2


def test_a_restarted_poller_adds_no_record(ha, sim, pairs):
    poll_and_store(sim, pairs)
    failover(sim, edge=False)
    poll_and_store(sim, pairs)
    assert Failover.objects.count() == 1
    # A new poller process: targets read afresh, no memory of the last poll.
    fresh = {name: CollectionTarget.objects.get(pk=t.pk) for name, t in pairs.items()}
    poll_and_store(sim, fresh)
    assert Failover.objects.count() == 1


@pytest.fixture
def ats(ha, sim):
    """A rack transfer switch, the one member of its rack's 2N feed group; its target."""
    from dcim.availability.models import GroupKind, Member, MemberRole, RedundancyGroup
    from dcim.inventory.tests.factories import make_device

    group = RedundancyGroup.objects.create(
        name="Rack B07 feeds", slug="b07-feeds", site=ha.site, kind=GroupKind.TWO_N, may_fail=1
    )
    member = Member.objects.create(
        group=group, device=make_device(site=ha.site, name="ATS-B07"), role=MemberRole.ACTIVE
    )
    target = CollectionTarget.objects.create(
        device=member.device, protocol=Protocol.SNMP, address="127.0.0.1", port=sim.port
    )
    return member, target


def ats_reads(sim, target, selected: int, preferred: int = ATS_SOURCE_A) -> None:
    write_snmprec(sim.data_dir / "ats-b07.snmprec", apc_ats(selected=selected, preferred=preferred))
    poll_and_store(sim, {"ats-b07": target}, names=("ats-b07",))


def test_a_transfer_switch_leaving_its_preferred_source_is_one_event_until_it_returns(sim, ats):
    member, target = ats
    ats_reads(sim, target, ATS_SOURCE_A)
    assert not Failover.objects.exists()  # the first state seen is a starting point
    ats_reads(sim, target, ATS_SOURCE_B)
    event = Failover.objects.get()
    assert event.old_active == member and event.restored_at is None
    assert event.cause == "ATS-B07 transferred to source B (atsStatusSelectedSource 2)."
    assert event.source == FailoverSource.SNMP
    ats_reads(sim, target, ATS_SOURCE_B)  # still on B: nothing more
    ats_reads(sim, target, ATS_SOURCE_B)
    assert Failover.objects.count() == 1
    ats_reads(sim, target, ATS_SOURCE_A)  # back on the preferred input: restored
    event.refresh_from_db()
    assert Failover.objects.count() == 1 and event.restored_at is not None
    assert event.restored_at > event.detected_at


def test_a_transfer_switch_preferring_source_b_transfers_when_it_leaves_b(sim, ats):
    member, target = ats
    ats_reads(sim, target, ATS_SOURCE_B, preferred=ATS_SOURCE_B)
    ats_reads(sim, target, ATS_SOURCE_B, preferred=ATS_SOURCE_B)
    assert not Failover.objects.exists()  # on its preferred input: normal
    ats_reads(sim, target, ATS_SOURCE_A, preferred=ATS_SOURCE_B)
    assert Failover.objects.get().cause == (
        "ATS-B07 transferred to source A (atsStatusSelectedSource 1)."
    )
