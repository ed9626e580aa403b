"""Alerts say their value as the device page does ("down", not "2.00") and their times in
the site's zone with the zone named: the list, the detail, the e-mail and the Silences page,
and the history filter reads the time typed in that zone."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from dcim.alerts import engine
from dcim.alerts.models import Alert, Silence
from dcim.alerts.tests.conftest import T0, at, email_route, rule
from dcim.inventory.choices import DeviceRole
from dcim.inventory.tests.factories import make_device, make_device_type, make_rack, make_user
from telemetry.readings import Reading

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def viewer() -> Client:
    client = Client()
    client.force_login(make_user("Viewer"))
    return client


@pytest.fixture
def port_down(settings, django_capture_on_commit_callbacks) -> Alert:
    """A leaf whose Ethernet1 is down while administratively up: the pack's rule, firing,
    e-mailed."""
    settings.ALERTS_NOTIFY_SYNC = True
    switch = make_device(
        device_type=make_device_type(default_role=DeviceRole.SWITCH), rack=make_rack()
    )
    switch.site.timezone = "Europe/Amsterdam"
    switch.site.save()
    rule(
        name="Port down",
        metric="if_oper_status",
        condition="gt",
        threshold=0,
        reference="sibling",
        reference_metric="if_admin_status",
        summary_template="{{ subject }} is {{ shown }}",
    )
    email_route()
    readings = [
        Reading("if_oper_status", 2, "", "if:Ethernet1"),
        Reading("if_admin_status", 1, "", "if:Ethernet1"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        engine.evaluate(switch.pk, readings, at(0))
    return Alert.objects.get()


def test_a_port_that_is_down_reads_down_everywhere(viewer, port_down):
    assert port_down.value == 2 and port_down.summary.endswith("Ethernet1 is down")
    html = viewer.get("/alerts/").content.decode()
    assert '<td class="num" title="2">down</td>' in html  # firing table and history
    assert "2.00" not in html
    detail = viewer.get(f"/alerts/{port_down.pk}/").content.decode()
    assert '<span title="2">down</span> at' in detail
    assert '<td class="num" title="2">down</td>' in detail  # the history rows
    [email] = mail.outbox
    assert "Value:     down\n" in email.body
    started = T0.astimezone(ZONE)
    assert f"Started:   {started:%Y-%m-%d %H:%M:%S} CET\n" in email.body
    assert "UTC" not in email.body


def test_silences_show_the_sites_zone(viewer, port_down):
    ends = T0 + timedelta(days=400)
    Silence.objects.create(
        matchers={"rule": "Port down"}, starts_at=T0, ends_at=ends, reason="swap optics"
    )
    html = viewer.get("/alerts/silences/").content.decode()
    assert "UTC" not in html
    assert "times in Europe/Amsterdam" in html
    assert f"{ends.astimezone(ZONE):%Y-%m-%d %H:%M %Z}" in html


def test_the_history_filter_reads_iso_times_in_the_sites_zone(viewer, port_down):
    """The alert started 09:00 UTC, 10:00 in Amsterdam: "since 09:30" (site time) finds it,
    "since 10:30" does not. The input asks for ISO, not the browser's mm/dd/yyyy."""
    html = viewer.get("/alerts/").content.decode()
    assert 'placeholder="YYYY-MM-DD HH:MM"' in html and 'type="datetime-local"' not in html
    found = viewer.get("/alerts/?since=2026-03-02 09:30").content.decode()
    assert "No alerts match." not in found
    assert "No alerts match." in viewer.get("/alerts/?since=2026-03-02 10:30").content.decode()
