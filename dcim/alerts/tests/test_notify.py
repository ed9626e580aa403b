"""Notifications through real peers: a local SMTP listener and local HTTP receivers.

Silences, acknowledgements and maintenance hold notices back while the alert is still
recorded; repeats come after the route's interval; a resolved notice ends the story.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from dcim.alerts import engine
from dcim.alerts.models import Alert, Channel, ChannelKind, Notification, Route, Silence, State
from dcim.alerts.notify import due_repeats, process
from dcim.alerts.tests.conftest import at, email_route, rule, temp
from dcim.alerts.tests.servers import Receiver
from dcim.inventory.choices import DeviceStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sync(settings):
    settings.ALERTS_NOTIFY_SYNC = True
    settings.ALERTS_WEBHOOK_BACKOFF_S = 0.05
    settings.DCIM_BASE_URL = "https://dcim.example.net"


@pytest.fixture
def fire(django_capture_on_commit_callbacks):
    """Evaluate one reading with on-commit callbacks run (as after a real commit)."""

    def fire(device, value=90, t=0):
        with django_capture_on_commit_callbacks(execute=True):
            engine.evaluate(device.pk, [temp(value)], at(t))

    return fire


def test_firing_email_reaches_a_real_smtp_listener_with_subject_and_links(
    gpu_server, real_smtp, fire
):
    rule(name="GPU hot", severity="critical", threshold=80)
    email_route()
    fire(gpu_server, 91)
    alert = Alert.objects.get()
    [msg] = real_smtp.messages
    assert msg["Subject"] == f"[FIRING] CRITICAL: GPU hot on {gpu_server.name} gpu0"
    assert msg["To"] == "oncall@example.com"
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in msg.walk()
        if not p.is_multipart()
    }
    text, html = parts["text/plain"], parts["text/html"]
    alert_url = f"https://dcim.example.net/alerts/{alert.pk}/"
    assert alert_url in text and f'href="{alert_url}"' in html
    assert f"https://dcim.example.net/devices/{gpu_server.pk}/#gpus" in text
    assert f'href="https://dcim.example.net/racks/{gpu_server.rack_id}/"' in html
    assert Notification.objects.get().status == "sent"


def test_resolved_notice_and_repeat_after_the_interval(gpu_server, fire):
    rule(threshold=80)
    email_route(repeat_interval_s=600)
    fire(gpu_server, 90, t=0)
    assert [m.subject[:8] for m in mail.outbox] == ["[FIRING]"]
    alert = Alert.objects.get()
    now = Notification.objects.get().created_at
    assert due_repeats(now + timedelta(seconds=300)) == []
    later = now + timedelta(seconds=601)
    assert due_repeats(later) == [(alert.pk, "repeat")]
    process(alert.pk, "repeat", now=later)
    assert mail.outbox[-1].subject.startswith("[STILL FIRING]")
    assert due_repeats(later + timedelta(seconds=10)) == []  # no second repeat at once
    fire(gpu_server, 70, t=60)
    assert mail.outbox[-1].subject.startswith("[RESOLVED]")
    assert [n.kind for n in Notification.objects.order_by("id")] == ["firing", "repeat", "resolved"]


def test_a_silence_stops_notifications_while_the_alert_is_recorded(gpu_server, fire):
    rule(name="GPU hot", threshold=80)
    email_route()
    now = timezone.now()
    Silence.objects.create(
        matchers={"rule": "GPU hot", "component": "gpu*"},
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        reason="fan swap",
    )
    fire(gpu_server, 90)
    assert mail.outbox == []
    alert = Alert.objects.get()
    assert alert.state == State.FIRING
    notice = Notification.objects.get()
    assert notice.status == "suppressed" and "fan swap" in notice.reason
    assert alert.events.filter(kind="suppressed").exists()


def test_an_acknowledgement_stops_repeats(gpu_server, django_user_model, fire):
    rule(threshold=80)
    email_route(repeat_interval_s=600)
    fire(gpu_server, 90)
    alert = Alert.objects.get()
    alert.acknowledge(django_user_model.objects.create(username="ann"), "on it")
    later = timezone.now() + timedelta(hours=2)
    assert due_repeats(later) == []  # acknowledged alerts are not even considered
    process(alert.pk, "repeat", now=later)  # and if asked anyway, held back
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind="repeat", status="suppressed").exists()
    assert alert.events.filter(kind="acknowledged", note="on it").exists()


def test_a_device_in_maintenance_is_recorded_but_not_notified(gpu_server, fire):
    gpu_server.status = DeviceStatus.MAINTENANCE
    gpu_server.save()
    rule(threshold=80)
    email_route()
    fire(gpu_server, 95)
    assert Alert.objects.get().state == State.FIRING
    assert mail.outbox == []
    assert Notification.objects.get().reason == "device in maintenance"


def test_routes_filter_by_severity_and_scope(gpu_server, fire):
    rule(threshold=80, severity="warning")
    email_route(min_severity="critical")
    email_route(device_role="switch")
    fire(gpu_server, 95)
    assert mail.outbox == [] and not Notification.objects.exists()


def webhook(url: str, **fields) -> Channel:
    fields.setdefault("timeout_s", 1.0)
    fields.setdefault("max_retries", 2)
    channel = Channel.objects.create(
        name="hook", kind=ChannelKind.WEBHOOK, webhook_url=url, **fields
    )
    Route.objects.create(channel=channel, min_severity="info")
    return channel


def test_webhook_retries_after_a_500_and_carries_the_secret_header(gpu_server, fire):
    receiver = Receiver([500, 200])
    try:
        webhook(receiver.url, header_name="X-Api-Key", header_value="s3cret")
        rule(name="GPU hot", threshold=80)
        fire(gpu_server, 92)
    finally:
        receiver.stop()
    notice = Notification.objects.get()
    assert (notice.status, notice.attempts) == ("sent", 2)
    assert len(receiver.bodies) == 2
    body = receiver.bodies[-1]
    assert body["status"] == "firing" and body["alert"]["rule"] == "GPU hot"
    assert body["alert"]["value"] == 92
    assert body["alert"]["url"].startswith("https://dcim.example.net/alerts/")
    assert receiver.headers_seen[-1]["X-Api-Key"] == "s3cret"


def test_webhook_that_does_not_answer_in_time_fails_after_its_retries(gpu_server, fire):
    receiver = Receiver([200], delay=1.0)
    try:
        webhook(receiver.url, timeout_s=0.3, max_retries=1)
        rule(threshold=80)
        fire(gpu_server, 92)
    finally:
        receiver.stop()
    notice = Notification.objects.get()
    assert notice.status == "failed" and notice.attempts == 2
    assert notice.error == "no answer within 0.3 s"
    assert Alert.objects.get().events.filter(kind="notify_failed").exists()


def test_webhook_4xx_is_not_retried(gpu_server, fire):
    receiver = Receiver([404])
    try:
        webhook(receiver.url)
        rule(threshold=80)
        fire(gpu_server, 92)
    finally:
        receiver.stop()
    notice = Notification.objects.get()
    assert (notice.status, notice.attempts, notice.error) == ("failed", 1, "HTTP 404 Not Found")
