"""The alert's own transitions: each writes exactly one history row with its kind, time and
value, in one place; a transition its state does not allow is refused and writes nothing."""

from __future__ import annotations

import pytest

from dcim.alerts.models import (
    Alert,
    AlertBatch,
    AlertEvent,
    Channel,
    ChannelKind,
    EventKind,
    Notification,
    NotificationStatus,
    Silence,
    State,
    TransitionError,
)
from dcim.alerts.tests.conftest import at, rule

pytestmark = pytest.mark.django_db


def rows(alert: Alert) -> list[tuple[str, float | None, object, str]]:
    """(kind, value, at, note) of the alert's history rows, oldest first."""
    return list(AlertEvent.objects.filter(alert=alert).values_list("kind", "value", "at", "note"))


def opened(value: float = 85, t: float = 0, **fields) -> Alert:
    r = fields.pop("rule", None) or rule(threshold=80)
    return Alert.open(
        at(t),
        value,
        rule_id=r.pk,
        subject_key="7/gpu0",
        subject_label="gpu-01 gpu0",
        severity=r.severity,
        component="gpu0",
        summary="hot",
        **fields,
    )


def firing(value: float = 85) -> Alert:
    alert = opened(value)
    alert.fire(at(30))
    return alert


def resolved() -> Alert:
    alert = firing()
    alert.resolve(at(90))
    return alert


def test_open_saves_a_pending_alert_and_its_pending_row():
    alert = opened(85, t=0)
    alert.refresh_from_db()
    assert (alert.state, alert.value, alert.value_at, alert.started_at) == (
        State.PENDING,
        85,
        at(0),
        at(0),
    )
    assert alert.summary == "hot" and alert.labels == {}
    assert rows(alert) == [(EventKind.PENDING, 85, at(0), "")]


def test_fire_moves_pending_to_firing_with_one_row_at_its_time_and_value():
    alert = opened(85)
    alert.observe(at(20), 88, holds=True)
    event = alert.fire(at(30), summary="hotter")
    alert.refresh_from_db()
    assert (alert.state, alert.fired_at, alert.summary) == (State.FIRING, at(30), "hotter")
    assert (event.kind, event.value, event.at) == (EventKind.FIRING, 88, at(30))
    assert rows(alert)[1:] == [(EventKind.FIRING, 88, at(30), "")]


def test_resolve_ends_a_firing_alert_with_one_row_and_its_reason():
    alert = firing(85)
    alert.resolve(at(90), note="rule disabled or removed")
    alert.refresh_from_db()
    assert (alert.state, alert.resolved_at, alert.fired_at) == (State.RESOLVED, at(90), at(30))
    assert [r[0] for r in rows(alert)] == ["pending", "firing", "resolved"]
    assert rows(alert)[-1] == (EventKind.RESOLVED, 85, at(90), "rule disabled or removed")


def test_a_pending_alert_resolves_without_ever_firing():
    alert = opened(85)
    alert.resolve(at(30), note="cleared before its duration elapsed")
    alert.refresh_from_db()
    assert alert.state == State.RESOLVED and alert.fired_at is None
    assert [r[0] for r in rows(alert)] == ["pending", "resolved"]


@pytest.mark.parametrize(
    ("make", "action", "message"),
    [
        (firing, lambda a: a.fire(at(60)), "cannot fire: it is firing, not pending"),
        (
            resolved,
            lambda a: a.resolve(at(120)),
            "cannot resolve: it is resolved, not pending or firing",
        ),
        (resolved, lambda a: a.fire(at(120)), "cannot fire: it is resolved"),
        (
            resolved,
            lambda a: a.observe(at(120), 90, holds=True),
            "cannot take a new value: it is resolved",
        ),
    ],
)
def test_a_transition_the_state_does_not_allow_is_refused_and_writes_nothing(make, action, message):
    alert = make()
    before = rows(alert)
    state = alert.state
    with pytest.raises(TransitionError, match=message):
        action(alert)
    assert rows(alert) == before
    assert alert.state == state
    alert.refresh_from_db()
    assert alert.state == state


def test_observe_keeps_the_value_and_the_keep_firing_clock_without_history():
    alert = firing(85)
    alert.observe(at(60), 70, holds=False)
    alert.observe(at(90), 69, holds=False)  # still false: the clock keeps its start
    alert.refresh_from_db()
    assert (alert.value, alert.value_at, alert.cleared_since) == (69, at(90), at(60))
    alert.observe(at(120), 86, holds=True)  # true again: the clock stops
    alert.refresh_from_db()
    assert alert.cleared_since is None and alert.state == State.FIRING
    assert [r[0] for r in rows(alert)] == ["pending", "firing"]


def test_observe_on_a_pending_alert_starts_no_keep_firing_clock():
    alert = opened(85)
    alert.observe(at(10), 70, holds=False)
    alert.refresh_from_db()
    assert alert.cleared_since is None and alert.state == State.PENDING


def test_acknowledge_and_its_removal_are_one_row_each_and_refused_twice(django_user_model):
    ann = django_user_model.objects.create(username="ann")
    alert = firing()
    alert.acknowledge(ann, "on it", at=at(40))
    alert.refresh_from_db()
    assert (alert.acknowledged_at, alert.acknowledged_by, alert.ack_comment) == (
        at(40),
        ann,
        "on it",
    )
    with pytest.raises(TransitionError, match="already acknowledged"):
        alert.acknowledge(ann, "again")
    alert.unacknowledge(ann, at=at(50))
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.acknowledged_by is None
    with pytest.raises(TransitionError, match="not acknowledged"):
        alert.unacknowledge(ann)
    events = list(AlertEvent.objects.filter(alert=alert).values_list("kind", "at", "user", "note"))
    assert events[2:] == [
        (EventKind.ACKNOWLEDGED, at(40), ann.pk, "on it"),
        (EventKind.UNACKNOWLEDGED, at(50), ann.pk, ""),
    ]
    assert alert.state == State.FIRING  # people act on an alert; its state is the rule's


def test_a_silence_a_suppressed_notice_and_sent_notices_are_recorded(django_user_model):
    ann = django_user_model.objects.create(username="ann")
    alert = firing()
    silence = Silence.objects.create(
        matchers={"device": "gpu-01"}, starts_at=at(0), ends_at=at(3600), reason="fan swap"
    )
    alert.record_silence(silence, ann, at=at(40))
    alert.record_suppressed("repeat", "silenced", at(50))
    channel = Channel.objects.create(name="ops", kind=ChannelKind.EMAIL, email_to="a@b.example")
    sent = Notification(
        alert=alert,
        channel=channel,
        kind="firing",
        status=NotificationStatus.SENT,
        created_at=at(60),
        sent_at=at(61),
    )
    failed = Notification(
        alert=alert,
        channel=channel,
        kind="firing",
        status=NotificationStatus.FAILED,
        created_at=at(60),
        error="HTTP 500",
    )
    alert.record_notices([sent, failed], at(60))
    alert.refresh_from_db()
    assert alert.last_notified_at == at(60)
    assert rows(alert)[2:] == [
        (EventKind.SILENCED, None, at(40), f"{silence} — fan swap"),
        (EventKind.SUPPRESSED, None, at(50), "repeat: silenced"),
        (EventKind.NOTIFY_FAILED, None, at(60), "firing to ops: HTTP 500"),
        (EventKind.NOTIFIED, None, at(61), "firing to ops"),  # at when it went out
    ]


def test_only_failed_notices_leave_last_notified_at_alone():
    alert = firing()
    channel = Channel.objects.create(name="ops", kind=ChannelKind.EMAIL, email_to="a@b.example")
    failed = Notification(
        alert=alert,
        channel=channel,
        kind="firing",
        status=NotificationStatus.FAILED,
        created_at=at(60),
        error="refused",
    )
    alert.record_notices([failed], at(60))
    alert.refresh_from_db()
    assert alert.last_notified_at is None


def test_a_batch_writes_nothing_until_saved_then_everything_in_three_queries(
    django_assert_num_queries,
):
    r = rule(threshold=80)
    old = opened(85, rule=r)
    batch = AlertBatch()
    old.observe(at(30), 90, holds=True, batch=batch)
    old.fire(at(30), batch=batch)
    new = Alert.open(
        at(30),
        91,
        rule_id=r.pk,
        subject_key="7/gpu1",
        subject_label="gpu-01 gpu1",
        severity=r.severity,
        batch=batch,
    )
    new.fire(at(30), batch=batch)
    new.observe(at(30), 92, holds=True, batch=batch)  # still new: inserted once, whole
    assert new.pk is None and Alert.objects.get(pk=old.pk).state == State.PENDING
    assert len(batch.new) == 1 and list(batch.changed) == [old.pk]
    with django_assert_num_queries(3):  # INSERT alerts, UPDATE alerts, INSERT history
        batch.save()
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, old.value) == (State.FIRING, 90)
    assert (new.state, new.value) == (State.FIRING, 92)
    assert rows(old)[1:] == [(EventKind.FIRING, 90, at(30), "")]
    assert rows(new) == [(EventKind.PENDING, 91, at(30), ""), (EventKind.FIRING, 91, at(30), "")]


def test_an_empty_batch_costs_no_query(django_assert_num_queries):
    batch = AlertBatch()
    assert not batch
    with django_assert_num_queries(0):
        batch.save()
