"""Live redundancy: group states from members' statuses, state rows and staleness; the
one-feed check of 2N racks just under and just over the limit; the maintenance safety
check "both members of an HA group"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.availability.models import MemberState
from dcim.availability.redundancy import both_members_warning, feed_checks, group_states
from dcim.availability.tests.conftest import flip, write_power
from dcim.inventory.choices import DeviceStatus
from dcim.maintenance import safety
from telemetry.models import CollectionTarget, Protocol


def state_of(group, now=None):
    return group_states([group], now or timezone.now())[0]


def test_all_members_up_is_healthy(ha):
    g = state_of(ha.ups)
    assert (g.value, g.label, g.lost) == (0, "Healthy", 0)


def test_one_of_a_2n_pair_lost_is_degraded_both_is_failed(ha):
    now = timezone.now()
    flip(ha.ups_a, now - timedelta(minutes=1), MemberState.DOWN)
    g = state_of(ha.ups, now)
    assert (g.value, g.label) == (1, "Degraded: lost its spare")
    ha.ups_b.device.status = DeviceStatus.FAILED
    ha.ups_b.device.save()
    g = state_of(ha.ups, now)
    assert g.value == 2 and g.label == "Failed"
    assert {m.device: m.lost for m in g.members} == {
        "UPS-A": "down",
        "UPS-B": "failed (inventory)",
    }


def test_a_ups_on_battery_still_carries_the_load(ha):
    flip(ha.ups_a, timezone.now(), MemberState.DEGRADED)
    assert state_of(ha.ups).value == 0


def test_a_member_whose_data_is_stale_counts_as_lost(ha):
    now = timezone.now()
    CollectionTarget.objects.create(
        device=ha.lb_2.device, protocol=Protocol.SNMP, address="127.0.0.1", interval_s=30,
        last_success_at=now - timedelta(seconds=91),
    )  # fmt: skip
    g = state_of(ha.lb, now)
    assert g.value == 1
    assert [m.lost for m in g.members if m.device == "LB-02"] == ["stale data"]
    CollectionTarget.objects.filter(device=ha.lb_2.device).update(
        last_success_at=now - timedelta(seconds=89)
    )  # within 3 × 30 s
    assert state_of(ha.lb, now).value == 0


def test_the_active_member_is_named(ha):
    flip(ha.lb_1, timezone.now(), MemberState.ACTIVE)
    flip(ha.lb_2, timezone.now(), MemberState.STANDBY)
    assert state_of(ha.lb).active == "LB-01"


@pytest.mark.parametrize(
    ("a_w", "b_w", "survives"),
    [
        # 2,940 + 2,940 = 5,880 W ≤ 5,888 W (230 V × 32 A × 80 %): ratio 0.99864, survives.
        (2940, 2940, True),
        # 2,950 + 2,950 = 5,900 W > 5,888 W: ratio 1.00204, would not survive.
        (2950, 2950, False),
    ],
)
def test_a_2n_rack_against_one_feed(ha, rack_2n, a_w, b_w, survives):
    now = timezone.now()
    write_power(rack_2n.pdu_a, a_w, now)
    write_power(rack_2n.pdu_b, b_w, now)
    (check,) = feed_checks(ha.site.pk)
    assert check.side_w == {"A": 5888, "B": 5888}
    assert check.draw_w == a_w + b_w
    assert check.ratio == pytest.approx((a_w + b_w) / 5888)
    assert check.survives is survives


def test_the_smaller_side_decides(ha, rack_2n):
    # Side B downsized to 16 A: 230 × 16 × 0.8 = 2,944 W. Draw 1,500 + 1,500 = 3,000 W
    # fits side A (5,888 W) but not side B: the rack would not survive losing A.
    feed_b = rack_2n.pdu_b.power_ports.get().feed
    feed_b.amperage = 16
    feed_b.save()
    now = timezone.now()
    write_power(rack_2n.pdu_a, 1500, now)
    write_power(rack_2n.pdu_b, 1500, now)
    (check,) = feed_checks(ha.site.pk)
    assert check.one_side_w == 2944
    assert check.survives is False


def test_a_rack_without_pdu_data_has_no_verdict(ha, rack_2n):
    (check,) = feed_checks(ha.site.pk)
    assert check.draw_w is None and check.survives is None


def test_the_safety_check_warns_when_a_window_takes_both_members(ha):
    assert both_members_warning({ha.ups_a.device_id}) == []
    (warning,) = both_members_warning({ha.ups_a.device_id, ha.ups_b.device_id})
    assert "UPS pair" in warning and "UPS-A, UPS-B" in warning
    assert both_members_warning in safety._checks  # registered by AvailabilityConfig.ready


def test_the_safety_check_counts_a_member_already_failed(ha):
    ha.ups_b.device.status = DeviceStatus.FAILED
    ha.ups_b.device.save()
    (warning,) = both_members_warning({ha.ups_a.device_id})
    assert "UPS-B (already failed)" in warning
