"""Webhooks against hostile or broken receivers (issue 15): the URL is a secret, redirects
are not followed, one deadline covers the whole exchange, and internal addresses are refused
before any connection.
"""

from __future__ import annotations

import socket
import time

import pytest
from django.test import Client

from dcim.alerts import engine
from dcim.alerts.models import Alert, AlertEvent, Channel, ChannelKind, Notification, Route
from dcim.alerts.target_policy import TargetRefused, check_address, redact
from dcim.alerts.tests.conftest import at, rule, temp
from dcim.alerts.tests.servers import Receiver, Trickler, free_port
from dcim.inventory.tests.factories import make_user

pytestmark = pytest.mark.django_db
SECRET = "T000/B000/XXXXsecretXXXX"


@pytest.fixture(autouse=True)
def _sync(settings):
    settings.ALERTS_NOTIFY_SYNC = True
    settings.ALERTS_WEBHOOK_BACKOFF_S = 0.05
    settings.ALERTS_WEBHOOK_ALLOW_LOOPBACK = True
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def fire(django_capture_on_commit_callbacks):
    def fire(device, value=92):
        with django_capture_on_commit_callbacks(execute=True):
            engine.evaluate(device.pk, [temp(value)], at(0))

    return fire


@pytest.fixture
def tripwire(monkeypatch):
    """Any outgoing TCP connection is recorded and refused: a refused target must be
    refused before one is tried."""
    tried: list = []

    def refuse(address, *args, **kwargs):
        tried.append(address)
        raise ConnectionRefusedError(111, "tripwire: no connection allowed in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return tried


def webhook(url: str, **fields) -> Channel:
    fields.setdefault("timeout_s", 1.0)
    fields.setdefault("max_retries", 0)
    channel = Channel.objects.create(
        name="hook", kind=ChannelKind.WEBHOOK, webhook_url=url, **fields
    )
    Route.objects.create(channel=channel, min_severity="info")
    return channel


def everything_shown(alert: Alert) -> str:
    """Error texts, history notes, and the alert page a Viewer sees."""
    viewer = Client()
    viewer.force_login(make_user("Viewer"))
    page = viewer.get(f"/alerts/{alert.pk}/").content.decode()
    notes = " ".join(AlertEvent.objects.filter(alert=alert).values_list("note", flat=True))
    errors = " ".join(Notification.objects.values_list("error", flat=True))
    return f"{page} {notes} {errors}"


def test_redact_keeps_scheme_and_host_only():
    assert redact(f"https://hooks.slack.com/services/{SECRET}") == "https://hooks.slack.com/…"
    assert redact("http://[fe80::1]:8080/x?token=1") == "http://[fe80::1]:8080/…"
    assert redact("https://example.com") == "https://example.com/"


def test_the_url_never_appears_when_the_receiver_is_unreachable(gpu_server, fire):
    port = free_port()  # nothing listens there
    webhook(f"http://127.0.0.1:{port}/services/{SECRET}", max_retries=1)
    rule(threshold=80)
    fire(gpu_server)
    notice = Notification.objects.get()
    assert (notice.status, notice.attempts) == ("failed", 2)
    assert notice.error == f"cannot reach http://127.0.0.1:{port}/…: Connection refused"
    shown = everything_shown(Alert.objects.get())
    assert "cannot reach" in shown and SECRET not in shown


def test_a_redirect_is_not_followed_and_the_notice_is_not_sent(gpu_server, fire):
    elsewhere = Receiver([200])
    first = Receiver([302], location=f"{elsewhere.url.replace('/hook', '')}/collect/{SECRET}")
    try:
        webhook(first.url, header_name="Authorization", header_value="Bearer s3cret")
        rule(threshold=80)
        fire(gpu_server)
    finally:
        first.stop()
        elsewhere.stop()
    notice = Notification.objects.get()
    assert notice.status == "failed" and notice.attempts == 1
    port = elsewhere.server_address[1]
    assert notice.error == (f"HTTP 302 Found: redirect to http://127.0.0.1:{port}/… not followed")
    assert first.headers_seen[0]["Authorization"] == "Bearer s3cret"
    assert elsewhere.gets == [] and elsewhere.bodies == []  # nothing went to the other origin
    assert SECRET not in everything_shown(Alert.objects.get())


def test_a_trickling_receiver_cannot_hold_the_worker_past_the_deadline(gpu_server, fire):
    slow = Trickler(gap=0.05, lasts=6.0)
    try:
        webhook(slow.url, timeout_s=0.5, max_retries=1)
        rule(threshold=80)
        started = time.monotonic()
        fire(gpu_server)
        took = time.monotonic() - started
    finally:
        slow.stop()
    notice = Notification.objects.get()
    assert (notice.status, notice.attempts) == ("failed", 2)
    assert notice.error == "no answer within 0.5 s"
    assert slow.connections == 2
    assert took < 2.5, f"two attempts of 0.5 s (and a 0.05 s back-off) took {took:.1f} s"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "cloud metadata"),
        ("http://169.254.10.20/hook", "link-local"),
        ("http://[fe80::1]/hook", "link-local"),
        ("http://10.1.2.3/hook", "private"),
        ("http://192.168.0.10:8080/hook", "private"),
        ("http://[fd12:3456::1]/hook", "private"),
        ("http://[::ffff:169.254.169.254]/hook", "cloud metadata"),
    ],
)
def test_internal_targets_are_refused_before_any_connection(gpu_server, fire, tripwire, url, why):
    webhook(url, max_retries=3)
    rule(threshold=80)
    fire(gpu_server)
    notice = Notification.objects.get()
    assert notice.status == "failed" and notice.attempts == 1  # a refusal is not retried
    assert notice.error.startswith(f"refused to send to {redact(url)}: ")
    assert f"is a {why} address" in notice.error
    assert tripwire == []


def test_loopback_by_name_is_refused_unless_allowed(gpu_server, fire, tripwire, settings):
    settings.ALERTS_WEBHOOK_ALLOW_LOOPBACK = False
    webhook("http://localhost:9/hook")
    rule(threshold=80)
    fire(gpu_server)
    notice = Notification.objects.get()
    assert "is a loopback address" in notice.error and tripwire == []


def test_private_targets_are_reached_when_the_admin_allows_them(
    gpu_server, fire, tripwire, settings
):
    settings.ALERTS_WEBHOOK_ALLOW_PRIVATE = True
    webhook("http://10.1.2.3:8080/hook")
    rule(threshold=80)
    fire(gpu_server)
    assert tripwire == [("10.1.2.3", 8080)]  # the policy let it through to the connection
    assert Notification.objects.get().error == (
        "cannot reach http://10.1.2.3:8080/…: tripwire: no connection allowed in this test"
    )


def test_metadata_and_link_local_stay_refused_even_with_private_allowed():
    for address in ("169.254.169.254", "fd00:ec2::254", "169.254.1.1", "fe80::1%eth0"):
        with pytest.raises(TargetRefused):
            check_address(address, allow_private=True, allow_loopback=True)
    check_address("8.8.8.8", allow_private=False, allow_loopback=False)
