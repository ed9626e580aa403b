"""Warranty and end of life: a notice through the alert channels before expiry, from the
built-in rules on the daily readings; resolved when the date is extended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from dcim.alerts.models import Alert, State
from dcim.alerts.tests.conftest import email_route
from dcim.maintenance import lifecycle
from dcim.maintenance.tests.conftest import BERLIN
from telemetry import store

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)
TODAY = NOW.astimezone(BERLIN).date()  # the site's date decides the days left


@pytest.fixture(autouse=True)
def _sync(settings):
    settings.ALERTS_NOTIFY_SYNC = True


def publish(capture, now=NOW) -> int:
    with capture(execute=True):
        return lifecycle.publish(now)


def test_a_warranty_ending_within_30_days_is_notified_by_email(
    hall, django_capture_on_commit_callbacks
):
    email_route()
    server = hall.servers[0]
    server.warranty_end = TODAY + timedelta(days=12)
    server.save()
    hall.servers[1].warranty_end = TODAY + timedelta(days=200)  # far: no notice
    hall.servers[1].save()
    assert publish(django_capture_on_commit_callbacks) == 2
    [alert] = Alert.objects.filter(state=State.FIRING)
    assert alert.device == server and alert.value == 12.0
    assert alert.summary == "M01-SRV-1: warranty ends in 12 days"
    [message] = mail.outbox
    assert "Warranty ends within 30 days" in message.subject and "M01-SRV-1" in message.subject
    [x] = store.latest(device_ids=[server.pk], metric=lifecycle.WARRANTY_METRIC)
    assert x.value == 12.0
    server.warranty_end = TODAY + timedelta(days=400)  # renewed
    server.save()
    publish(django_capture_on_commit_callbacks, NOW + timedelta(days=1))
    alert.refresh_from_db()
    assert alert.state == State.RESOLVED


def test_end_of_life_of_the_device_type_within_90_days(hall, django_capture_on_commit_callbacks):
    dtype = hall.lonely.device_type
    dtype.end_of_life = TODAY + timedelta(days=80)
    dtype.save()
    publish(django_capture_on_commit_callbacks)
    alert = Alert.objects.get(state=State.FIRING, rule__name="End of life within 90 days")
    assert alert.device == hall.lonely
    assert alert.summary == "M02-SRV-1: its type reaches end of life in 80 days"
