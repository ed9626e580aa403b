"""Alerts on assets in a window are recorded but not notified: a device named, a device
under a rack named, a device fed by a feed named; and notified again after the end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dcim.alerts import engine
from dcim.alerts.models import Alert, Notification, NotificationStatus, State
from dcim.alerts.tests.conftest import email_route, rule, temp
from dcim.maintenance.suppression import window_reason
from dcim.maintenance.tests.conftest import window

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sync(settings):
    settings.ALERTS_NOTIFY_SYNC = True


@pytest.fixture
def fire(django_capture_on_commit_callbacks):
    def fire(device, value=95):
        rule(threshold=80)
        email_route()
        with django_capture_on_commit_callbacks(execute=True):
            engine.evaluate(device.pk, [temp(value)], timezone.now())
        return Alert.objects.get(device=device)

    return fire


def test_a_device_named_in_a_window_is_recorded_not_notified(hall, fire):
    window(hall, devices=[hall.servers[0]], title="PSU swap")
    alert = fire(hall.servers[0])
    assert alert.state == State.FIRING
    assert mail.outbox == []
    notice = Notification.objects.get()
    assert (notice.status, notice.reason) == (
        NotificationStatus.SUPPRESSED,
        "in maintenance: PSU swap",
    )


def test_a_device_under_a_rack_in_a_window_is_held(hall, fire, viewer_client):
    window(hall, racks=[hall.rack], title="Rack M01 rewiring")
    fire(hall.servers[1])
    assert mail.outbox == []
    assert Notification.objects.get().reason == "in maintenance: Rack M01 rewiring"
    page = viewer_client.get(reverse("alerts:list")).content.decode()
    assert "in maintenance: Rack M01 rewiring" in page  # the Alerts page says why


def test_a_device_fed_by_a_feed_in_a_window_is_held_down_the_pdu(hall, fire):
    window(hall, power_feeds=[hall.feed_a], title="Feed A breaker test")
    fire(hall.servers[0])  # feed A → PDU A → outlet → server
    assert mail.outbox == []
    assert Notification.objects.get().reason == "in maintenance: Feed A breaker test"


def test_a_panel_and_a_cooling_unit_carry_what_they_power_and_cool(hall):
    now = timezone.now()
    window(hall, power_panels=[hall.panel_b], title="Panel B")
    assert window_reason(hall.pdu_b, now) == "in maintenance: Panel B"
    assert window_reason(hall.lonely, now) == ""
    window(hall, cooling_units=[hall.crahs[0]], title="CRAH-1 filters")
    assert window_reason(hall.lonely, now) == "in maintenance: CRAH-1 filters"


def test_after_the_window_ends_the_device_is_notified_again(hall, fire):
    window(hall, start=timezone.now() - timedelta(hours=3), hours=2, devices=[hall.servers[0]])
    fire(hall.servers[0])
    assert len(mail.outbox) == 1
    assert Notification.objects.get().status == NotificationStatus.SENT


def test_a_cancelled_window_holds_nothing_and_other_devices_are_untouched(hall):
    now = timezone.now()
    w = window(hall, devices=[hall.servers[0]])
    assert window_reason(hall.servers[1], now) == ""
    w.cancel()
    assert window_reason(hall.servers[0], now) == ""
