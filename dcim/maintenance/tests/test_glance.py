"""Device and rack pages show their current and next windows; the Overview a tile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dcim.maintenance.tests.conftest import window

pytestmark = pytest.mark.django_db


def test_device_and_rack_pages_show_current_and_next(viewer_client, hall):
    window(hall, power_feeds=[hall.feed_a], title="Feed A breaker test")
    window(hall, start=timezone.now() + timedelta(days=3), racks=[hall.rack], title="Rack next")
    device = viewer_client.get(reverse("dashboard:device_api", args=[hall.servers[0].pk])).json()
    m = device["maintenance"]
    assert [w["title"] for w in m["current"]] == ["Feed A breaker test"]
    assert m["next"]["title"] == "Rack next"
    html = viewer_client.get(reverse("dashboard:rack", args=[hall.rack.pk])).content.decode()
    assert "Feed A breaker test" in html and "Rack next" in html
    lonely = viewer_client.get(reverse("dashboard:device", args=[hall.lonely.pk])).content.decode()
    assert "Not in maintenance now." in lonely and "Schedule maintenance" not in lonely


def test_the_overview_tile(viewer_client, hall):
    window(hall, devices=[hall.lonely], title="Now work")
    window(hall, start=timezone.now() + timedelta(days=1), devices=[hall.lonely], title="Soon")
    tiles = viewer_client.get(reverse("dashboard:overview_api")).json()["tiles"]
    assert tiles["maintenance_now"] == "1 in maintenance now"
    assert tiles["maintenance_note"].startswith("Next: Soon, ")
    assert tiles["maintenance_note"].endswith("0 overdue · 0 open work orders")
