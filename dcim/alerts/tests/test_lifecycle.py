"""The alert lifecycle driven by readings: pending → firing → resolved, each step a history
row with its value and time; durations, flapping, absence, counters, relative thresholds."""

from __future__ import annotations

import pytest

from dcim.alerts import engine
from dcim.alerts.models import Alert, AlertEvent, CounterMark, Rule, State
from dcim.alerts.tests.conftest import T0, at, rule, temp
from dcim.inventory.tests.factories import make_pdu, make_power_feed, make_power_port
from telemetry import polling, store
from telemetry.models import CollectionTarget
from telemetry.readings import PollResult, Reading

pytestmark = pytest.mark.django_db


def history(alert: Alert) -> list[tuple[str, float | None, int]]:
    """(kind, value, seconds after T0) of every history row."""
    return [
        (e.kind, e.value, int((e.at - T0).total_seconds()))
        for e in AlertEvent.objects.filter(alert=alert)
    ]


def test_without_duration_a_breach_fires_at_once_and_resolves_when_clear(gpu_server):
    r = rule(threshold=80)
    engine.evaluate(gpu_server.pk, [temp(70)], at(0))
    assert not Alert.objects.exists()
    engine.evaluate(gpu_server.pk, [temp(85), temp(60, "gpu1")], at(30))
    alert = Alert.objects.get()
    assert (alert.rule, alert.state, alert.value, alert.fired_at) == (r, State.FIRING, 85, at(30))
    assert alert.subject_key == f"{gpu_server.pk}/gpu0"
    assert alert.subject_label == f"{gpu_server.name} gpu0"
    engine.evaluate(gpu_server.pk, [temp(87)], at(60))  # still firing: no new row, no event
    engine.evaluate(gpu_server.pk, [temp(75)], at(90))
    alert.refresh_from_db()
    assert alert.state == State.RESOLVED and alert.resolved_at == at(90)
    assert history(alert) == [("pending", 85, 30), ("firing", 85, 30), ("resolved", 75, 90)]
    engine.evaluate(gpu_server.pk, [temp(90)], at(120))  # a new episode is a new alert
    assert Alert.objects.filter(state=State.FIRING).count() == 1
    assert Alert.objects.count() == 2


def test_for_duration_keeps_it_pending_until_it_elapses(gpu_server):
    rule(threshold=80, for_s=120)
    engine.evaluate(gpu_server.pk, [temp(85)], at(0))
    alert = Alert.objects.get()
    assert alert.state == State.PENDING
    engine.evaluate(gpu_server.pk, [temp(86)], at(60))
    alert.refresh_from_db()
    assert alert.state == State.PENDING and alert.value == 86
    engine.evaluate(gpu_server.pk, [temp(88)], at(120))
    alert.refresh_from_db()
    assert alert.state == State.FIRING and alert.fired_at == at(120)
    assert history(alert) == [("pending", 85, 0), ("firing", 88, 120)]


def test_the_beat_tick_fires_a_pending_alert_when_no_batch_comes(gpu_server):
    rule(threshold=80, for_s=120)
    engine.evaluate(gpu_server.pk, [temp(85)], at(0))
    assert engine.tick(at(60)).fired == 0
    assert engine.tick(at(121)).fired == 1
    assert Alert.objects.get().state == State.FIRING


def test_a_pending_alert_that_clears_never_fires(gpu_server):
    rule(threshold=80, for_s=120)
    engine.evaluate(gpu_server.pk, [temp(85)], at(0))
    engine.evaluate(gpu_server.pk, [temp(70)], at(30))
    alert = Alert.objects.get()
    assert alert.state == State.RESOLVED and alert.fired_at is None
    assert [k for k, _, _ in history(alert)] == ["pending", "resolved"]


def test_flapping_keeps_one_firing_alert_with_keep_firing_for(gpu_server):
    rule(threshold=80, keep_firing_for_s=120)
    for i, value in enumerate([85, 70, 86, 71, 88, 72, 90]):  # every 30 s across the line
        engine.evaluate(gpu_server.pk, [temp(value)], at(30 * i))
    alert = Alert.objects.get()
    assert alert.state == State.FIRING
    assert [k for k, _, _ in history(alert)] == ["pending", "firing"]  # one firing, no spam
    engine.evaluate(gpu_server.pk, [temp(60)], at(240))
    engine.evaluate(gpu_server.pk, [temp(60)], at(330))
    alert.refresh_from_db()
    assert alert.state == State.FIRING and alert.cleared_since == at(240)
    engine.evaluate(gpu_server.pk, [temp(60)], at(360))  # false for 120 s: now resolved
    alert.refresh_from_db()
    assert alert.state == State.RESOLVED and alert.resolved_at == at(360)


def test_keep_firing_for_also_ends_on_the_beat_tick(gpu_server):
    rule(threshold=80, keep_firing_for_s=60)
    engine.evaluate(gpu_server.pk, [temp(85)], at(0))
    engine.evaluate(gpu_server.pk, [temp(70)], at(10))
    assert engine.tick(at(69)).resolved == 0
    assert engine.tick(at(71)).resolved == 1


def test_a_late_batch_does_not_move_the_state_back(gpu_server):
    rule(threshold=80)
    engine.evaluate(gpu_server.pk, [temp(85)], at(60))
    engine.evaluate(gpu_server.pk, [temp(70)], at(30))  # older than what we know
    assert Alert.objects.get().state == State.FIRING


def test_scope_limits_a_rule_to_its_component_pattern_and_rack(gpu_server):
    rule(threshold=80, component="gpu1", rack=gpu_server.rack)
    engine.evaluate(gpu_server.pk, [temp(90, "gpu0"), temp(91, "gpu1")], at(0))
    assert list(Alert.objects.values_list("component", flat=True)) == ["gpu1"]


def test_sibling_reference_compares_with_the_same_gpus_own_threshold(gpu_server):
    rule(
        threshold=-5,
        condition="ge",
        reference="sibling",
        reference_metric="gpu_temperature_slowdown_celsius",
    )
    slowdown = [
        temp(89, "gpu0", "gpu_temperature_slowdown_celsius"),
        temp(95, "gpu1", "gpu_temperature_slowdown_celsius"),
    ]
    engine.evaluate(gpu_server.pk, [temp(85, "gpu0"), temp(85, "gpu1"), *slowdown], at(0))
    alert = Alert.objects.get()
    assert alert.component == "gpu0" and alert.value == 85  # 4 °C from 89; gpu1 is 10 away


def test_feed_reference_compares_pdu_power_with_available_feed_power(db):
    pdu = make_pdu()
    feed = make_power_feed(voltage=230, amperage=16)  # 2944 W available (80 %)
    make_power_port(device=pdu, feed=feed)
    rule(metric="pdu_power_watts", threshold=80, reference="feed")
    engine.evaluate(pdu.pk, [Reading("pdu_power_watts", 2300, "watts", "pdu:1")], at(0))
    assert not Alert.objects.exists()  # 78 %
    engine.evaluate(pdu.pk, [Reading("pdu_power_watts", 2400, "watts", "pdu:1")], at(30))
    assert Alert.objects.get().value == 2400  # 81.5 %


def test_counter_increase_and_rate_with_a_reset(gpu_server):
    rule(metric="gpu_ecc_uncorrected_volatile_total", condition="increase", threshold=None)
    ecc = lambda v: Reading("gpu_ecc_uncorrected_volatile_total", v, "count", "gpu0")  # noqa: E731
    engine.evaluate(gpu_server.pk, [ecc(3)], at(0))  # first sight: no verdict
    assert not Alert.objects.exists()
    assert CounterMark.objects.get().value == 3
    engine.evaluate(gpu_server.pk, [ecc(3)], at(30))
    assert not Alert.objects.exists()
    engine.evaluate(gpu_server.pk, [ecc(4)], at(60))
    alert = Alert.objects.get()
    assert alert.state == State.FIRING and alert.value == 1
    engine.evaluate(gpu_server.pk, [ecc(0)], at(90))  # driver reload: a reset, no verdict
    alert.refresh_from_db()
    assert alert.state == State.FIRING
    engine.evaluate(gpu_server.pk, [ecc(0)], at(120))
    alert.refresh_from_db()
    assert alert.state == State.RESOLVED


def test_rate_rule_fires_on_errors_per_second(gpu_server):
    rule(metric="if_in_errors_total", condition="rate_gt", threshold=1)
    err = lambda v: Reading("if_in_errors_total", v, "", "if:Eth1/1")  # noqa: E731
    engine.evaluate(gpu_server.pk, [err(100)], at(0))
    engine.evaluate(gpu_server.pk, [err(120)], at(30))  # 0.67/s
    assert not Alert.objects.exists()
    engine.evaluate(gpu_server.pk, [err(200)], at(60))  # 2.67/s
    assert Alert.objects.get().value == pytest.approx(80 / 30)


def test_absence_fires_on_the_tick_and_clears_when_data_returns(gpu_server):
    rule(condition="absent", threshold=None, absent_for_s=300)
    batch = store.Batch(batch_id="t")
    batch.add_readings(gpu_server.pk, [temp(60)], at(0))
    store.ingest(batch, now=at(0))
    assert engine.tick(at(200)).absent == 0
    report = engine.tick(at(301))
    assert report.fired == 1
    alert = Alert.objects.get()
    assert alert.state == State.FIRING and alert.value == pytest.approx(301)
    engine.evaluate(gpu_server.pk, [temp(61)], at(330))
    alert.refresh_from_db()
    assert alert.state == State.RESOLVED


def test_collector_rule_fires_after_n_failures_and_resolves_on_success(gpu_server):
    Rule.objects.filter(builtin=True).exclude(name="Collector failing").update(enabled=False)
    target = CollectionTarget.objects.create(
        device=gpu_server, protocol="prometheus", address="127.0.0.1"
    )
    for i in range(3):
        polling.store_result(target, PollResult("x", started=at(30 * i), error="timed out"))
        assert Alert.objects.filter(state=State.FIRING).count() == (1 if i == 2 else 0)
    alert = Alert.objects.get()
    assert alert.subject_key == f"target:{target.pk}" and alert.value == 3
    polling.store_result(target, PollResult("x", started=at(120), readings=[temp(50)]))
    alert.refresh_from_db()
    assert alert.state == State.RESOLVED
