"""HA alerts through the ordinary engine: derived readings for group states, 2N racks
against one feed and DR plans, judged by the built-in rules of migration 0002."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dcim.alerts import catalog
from dcim.alerts.models import Alert, Rule, State
from dcim.availability import alerting
from dcim.availability.models import DrillRecord, FollowUpAction, MemberState, Outcome
from dcim.availability.tests.conftest import flip, write_power
from dcim.inventory.choices import DeviceStatus
from telemetry import store


def test_the_derived_metrics_are_declared_and_the_rules_shipped(db):
    assert Rule.objects.filter(metric__startswith="ha_", builtin=True).count() == 5
    for metric in (alerting.GROUP_METRIC, alerting.FEED_METRIC, alerting.DRILL_METRIC,
                   alerting.ACTIONS_METRIC):  # fmt: skip
        assert catalog.declared(metric) is not None
        for rule in Rule.objects.filter(metric=metric, builtin=True):
            rule.full_clean()  # metric known, template renders
            assert rule.description


def test_a_failed_group_fires_at_once(ha):
    now = timezone.now()
    flip(ha.ups_a, now - timedelta(minutes=5), MemberState.DOWN)
    ha.ups_b.device.status = DeviceStatus.FAILED
    ha.ups_b.device.save()
    report = alerting.publish(now)
    assert report.fired >= 1
    (alert,) = Alert.objects.filter(rule__name="HA group failed")
    assert alert.state == State.FIRING and alert.component == "group:ups-pair"
    (value,) = store.latest(metric=alerting.GROUP_METRIC, component="group:ups-pair")
    assert value.value == 2


def test_a_degraded_group_is_pending_until_held(ha):
    now = timezone.now()
    flip(ha.ups_a, now - timedelta(minutes=5), MemberState.DOWN)
    alerting.publish(now)
    (alert,) = Alert.objects.filter(rule__name="HA group degraded: lost its spare")
    assert alert.state == State.PENDING
    alerting.publish(now + timedelta(minutes=3))
    alert.refresh_from_db()
    assert alert.state == State.FIRING


def test_a_2n_rack_over_one_feed_is_measured(ha, rack_2n):
    now = timezone.now()
    write_power(rack_2n.pdu_a, 3000, now)
    write_power(rack_2n.pdu_b, 3000, now)
    alerting.publish(now)
    (value,) = store.latest(metric=alerting.FEED_METRIC, component="rack:R01")
    assert value.value == round(6000 / 5888, 4)
    (alert,) = Alert.objects.filter(rule__name="2N rack would not survive losing a feed")
    assert alert.state == State.PENDING  # held 15 minutes before it fires


def test_overdue_drills_and_actions_are_notified_through_the_engine(ha, plan):
    now = timezone.now()
    d = DrillRecord.objects.create(
        plan=plan, started_at=now - timedelta(days=200), led_by="x", outcome=Outcome.FAILED
    )
    FollowUpAction.objects.create(
        drill=d, title="t", owner="o", due=(now - timedelta(days=5)).date()
    )
    alerting.publish(now)
    names = set(Alert.objects.values_list("rule__name", flat=True))
    assert {"DR drill overdue", "DR follow-up actions overdue"} <= names
    assert Alert.objects.get(rule__name="DR drill overdue").component == "plan:API failover"
