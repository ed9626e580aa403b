"""Creating and editing windows: Operators may, Viewers get 403; times in site time; the
safety check asks for a reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from dcim.maintenance.models import MaintenanceWindow
from dcim.maintenance.tests.conftest import window

pytestmark = pytest.mark.django_db


def post(client, hall, **extra):
    data = {
        "site": hall.site.pk,
        "title": "Rack rewiring",
        "kind": "corrective",
        "starts_at": "2026-07-01T07:00",
        "ends_at": "2026-07-01T09:30",
        "racks": [hall.rack.pk],
    }
    data.update(extra)
    return client.post(reverse("maintenance:create"), data)


def test_a_viewer_cannot_create_or_change_a_window(viewer_client, hall):
    assert viewer_client.get(reverse("maintenance:create")).status_code == 403
    assert post(viewer_client, hall).status_code == 403
    w = window(hall, devices=[hall.lonely])
    assert viewer_client.post(reverse("maintenance:edit", args=[w.pk]), {}).status_code == 403
    assert not MaintenanceWindow.objects.exclude(pk=w.pk).exists()


def test_an_operator_creates_a_window_in_site_time(operator_client, hall):
    assert (
        operator_client.get(reverse("maintenance:create"), {"rack": hall.rack.pk}).status_code
        == 200
    )
    r = post(operator_client, hall, device_names="M02-SRV-1", template="")
    w = MaintenanceWindow.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("maintenance:detail", args=[w.pk])
    # 07:00 CEST is 05:00 UTC.
    assert w.starts_at == datetime(2026, 7, 1, 5, tzinfo=UTC)
    assert w.ends_at == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    assert list(w.racks.all()) == [hall.rack] and list(w.devices.all()) == [hall.lonely]
    assert w.created_by.username == "otto"
    assert w.history.first().history_user.username == "otto"


def test_bad_input_is_refused_and_writes_nothing(operator_client, hall):
    r = post(operator_client, hall, device_names="NO-SUCH-BOX", ends_at="2026-07-01T06:00")
    body = r.content.decode()
    assert r.status_code == 200 and "No device named NO-SUCH-BOX." in body
    assert "A window must end after it starts." in body
    r = post(operator_client, hall, racks=[])
    assert "Name at least one asset" in r.content.decode()
    assert not MaintenanceWindow.objects.exists()


def test_the_ab_feed_warning_needs_a_reason_to_proceed(operator_client, hall):
    both = {"racks": [], "power_feeds": [hall.feed_a.pk, hall.feed_b.pk]}
    r = post(operator_client, hall, **both)
    body = r.content.decode()
    assert "Rack M01 loses both its A and its B feed" in body
    assert "give a reason to proceed" in body
    assert not MaintenanceWindow.objects.exists()
    r = post(operator_client, hall, safety_reason="Load moved to rack M02 beforehand.", **both)
    w = MaintenanceWindow.objects.get()
    assert w.safety_reason == "Load moved to rack M02 beforehand."
    assert w.safety_warnings.startswith("Rack M01 loses both")


def test_an_operator_edits_and_the_history_keeps_before_and_after(operator_client, hall):
    w = window(hall, devices=[hall.lonely], title="Old title")
    r = operator_client.post(
        reverse("maintenance:edit", args=[w.pk]),
        {
            "site": hall.site.pk,
            "title": "New title",
            "kind": "preventive",
            "starts_at": "2026-07-01T07:00",
            "ends_at": "2026-07-01T08:00",
            "device_names": "M02-SRV-1",
        },
    )
    assert r.status_code == 302
    page = operator_client.get(reverse("maintenance:detail", args=[w.pk])).content.decode()
    assert "title: Old title → New title" in page and "otto" in page
