"""Failovers detected from stored polls: the real storing path
(``telemetry.polling.store_result``) sends ``poll_stored``, availability's receiver turns
state readings into member state rows and failover records, deduplicated against what
is stored (repeated polls, a redelivered poll, a restarted poller)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dcim.availability.detection import on_poll_stored
from dcim.availability.models import Failover, FailoverSource, MemberState, MemberStateChange
from dcim.availability.tests.conftest import berlin
from telemetry import polling
from telemetry.models import CollectionTarget, Protocol
from telemetry.readings import PollResult, Reading
from telemetry.signals import poll_stored

T0 = berlin(2026, 11, 20, 10, 0)
STEP = timedelta(seconds=30)
MASTER, BACKUP, FAULT = 2, 1, 3  # KEEPALIVED-MIB vrrpInstanceState
V_MASTER, V_BACKUP = 3, 2  # VRRP-MIB vrrpOperState


def target_of(member) -> CollectionTarget:
    return CollectionTarget.objects.create(
        device=member.device, protocol=Protocol.SNMP, address="127.0.0.1", interval_s=30
    )


def poll(target, at, *readings: tuple[str, float, str]) -> None:
    result = PollResult(target=str(target.pk), started=at)
    for metric, value, component in readings:
        result.readings.append(Reading(metric, value, "", component))
    polling.store_result(target, result)


def keepalived(state: int) -> tuple[str, float, str]:
    return ("keepalived_vrrp_instance_state", state, "VI_API")


@pytest.fixture
def targets(ha):
    return {name: target_of(m) for name, m in (("lb1", ha.lb_1), ("lb2", ha.lb_2))}


def test_the_receiver_is_connected_to_poll_stored():
    assert on_poll_stored in poll_stored._live_receivers(CollectionTarget)[0]


def test_a_keepalived_master_change_is_one_failover_record(ha, targets):
    poll(targets["lb1"], T0, keepalived(MASTER))
    poll(targets["lb2"], T0, keepalived(BACKUP))
    assert Failover.objects.count() == 0  # the first states seen are a starting point
    # LB-01 faults, LB-02 takes over.
    poll(targets["lb1"], T0 + STEP, keepalived(FAULT))
    poll(targets["lb2"], T0 + STEP, keepalived(MASTER))
    (f,) = Failover.objects.all()
    assert f.group == ha.lb and f.source == FailoverSource.SNMP
    assert (f.old_active, f.new_active) == (ha.lb_1, ha.lb_2)
    assert f.detected_at == T0 + STEP and f.needs_annotation
    states = list(MemberStateChange.objects.filter(member=ha.lb_1).values_list("state", flat=True))
    assert states == [MemberState.ACTIVE, MemberState.DOWN]


def test_repeated_polls_and_a_redelivered_poll_add_nothing(ha, targets):
    poll(targets["lb1"], T0, keepalived(MASTER))
    poll(targets["lb2"], T0, keepalived(BACKUP))
    poll(targets["lb1"], T0 + STEP, keepalived(BACKUP))
    poll(targets["lb2"], T0 + STEP, keepalived(MASTER))
    rows = MemberStateChange.objects.count()
    for k in range(2, 6):  # the same states, poll after poll
        poll(targets["lb1"], T0 + k * STEP, keepalived(BACKUP))
        poll(targets["lb2"], T0 + k * STEP, keepalived(MASTER))
    poll(targets["lb2"], T0 + STEP, keepalived(MASTER))  # Celery redelivers a poll
    assert Failover.objects.count() == 1
    assert MemberStateChange.objects.count() == rows


def test_a_restarted_poller_compares_with_the_stored_state_not_memory(ha, targets):
    poll(targets["lb1"], T0, keepalived(MASTER))
    poll(targets["lb2"], T0, keepalived(BACKUP))
    # A new poller process: fresh target objects from the database, nothing in memory.
    fresh = {k: CollectionTarget.objects.get(pk=t.pk) for k, t in targets.items()}
    poll(fresh["lb1"], T0 + STEP, keepalived(MASTER))
    poll(fresh["lb2"], T0 + STEP, keepalived(BACKUP))
    assert Failover.objects.count() == 0
    poll(fresh["lb1"], T0 + 2 * STEP, keepalived(BACKUP))
    poll(fresh["lb2"], T0 + 2 * STEP, keepalived(MASTER))
    assert Failover.objects.count() == 1


def test_failing_back_is_a_second_record(ha, targets):
    poll(targets["lb1"], T0, keepalived(MASTER))
    poll(targets["lb2"], T0, keepalived(BACKUP))
    poll(targets["lb1"], T0 + STEP, keepalived(BACKUP))
    poll(targets["lb2"], T0 + STEP, keepalived(MASTER))
    poll(targets["lb2"], T0 + 2 * STEP, keepalived(BACKUP))
    poll(targets["lb1"], T0 + 2 * STEP, keepalived(MASTER))
    first, second = Failover.objects.order_by("detected_at", "pk")
    assert (first.old_active, first.new_active) == (ha.lb_1, ha.lb_2)
    assert (second.old_active, second.new_active) == (ha.lb_2, ha.lb_1)


def test_vrrp_mib_and_vrrpv3_states(ha, targets):
    ha.lb_1.signal = ha.lb_2.signal = "1.10"  # ifIndex 1, VRID 10
    ha.lb_1.save()
    ha.lb_2.save()
    poll(targets["lb1"], T0, ("vrrp_oper_state", V_MASTER, "1.10"), ("vrrp_oper_state", 2, "2.99"))
    poll(targets["lb2"], T0, ("vrrp_oper_state", V_BACKUP, "1.10"))
    poll(targets["lb1"], T0 + STEP, ("vrrp_oper_state", V_BACKUP, "1.10"))
    poll(targets["lb2"], T0 + STEP, ("vrrp_oper_state", V_MASTER, "1.10"))
    assert Failover.objects.count() == 1
    # Another router's VRID on the same box is not this group's signal.
    assert not MemberStateChange.objects.filter(source__endswith="/2.99").exists()


def test_vrrpv3_master_change(ha, targets):
    comp = "1.10.1"
    poll(targets["lb1"], T0, ("vrrpv3_oper_state", V_MASTER, comp))
    poll(targets["lb2"], T0, ("vrrpv3_oper_state", V_BACKUP, comp))
    poll(targets["lb2"], T0 + STEP, ("vrrpv3_oper_state", V_MASTER, comp))
    (f,) = Failover.objects.all()
    assert f.new_active == ha.lb_2


def test_a_ups_on_battery_is_one_record_restored_when_back_on_mains(ha):
    t = target_of(ha.ups_a)
    src = "ups_output_source"
    poll(t, T0, (src, 3, ""))  # normal
    poll(t, T0 + STEP, (src, 5, ""))  # battery
    poll(t, T0 + 2 * STEP, (src, 5, ""))  # still on battery: nothing new
    (f,) = Failover.objects.all()
    assert "on battery" in f.cause and f.restored_at is None
    poll(t, T0 + 3 * STEP, (src, 3, ""))  # mains back
    f.refresh_from_db()
    assert f.restored_at == T0 + 3 * STEP
    assert f.time_to_restore == 2 * STEP
    poll(t, T0 + 4 * STEP, (src, 4, ""))  # bypass: a second event
    assert Failover.objects.count() == 2
    assert "bypass" in Failover.objects.order_by("-detected_at").first().cause


def test_devices_outside_any_group_are_ignored(ha):
    from dcim.inventory.tests.factories import make_device

    other = CollectionTarget.objects.create(
        device=make_device(site=ha.site), protocol=Protocol.SNMP, address="127.0.0.1"
    )
    poll(other, T0, keepalived(MASTER))
    poll(other, T0 + STEP, keepalived(BACKUP))
    assert MemberStateChange.objects.count() == 0


def test_a_master_back_after_its_own_restart_is_not_a_failover(ha, targets):
    poll(targets["lb1"], T0, keepalived(MASTER))
    poll(targets["lb2"], T0, keepalived(BACKUP))
    poll(targets["lb1"], T0 + STEP, keepalived(FAULT))  # LB-01 restarts...
    poll(targets["lb1"], T0 + 2 * STEP, keepalived(MASTER))  # ...and is master again
    assert Failover.objects.count() == 0
