"""The Maintenance page and its JSON twin: now, upcoming, overdue, calendars, expiries."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from dcim.maintenance.tests.conftest import window
from dcim.ui.tables import unpooled

pytestmark = pytest.mark.django_db


def twin(client, **params) -> dict:
    r = client.get(reverse("maintenance:list_api"), params)
    assert r.status_code == 200
    return r.json()


def titles(data: dict, table: str) -> list[str]:
    return [row[0]["t"] for row in unpooled(data["tables"][table])]


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("maintenance:list"))
    assert r.status_code == 302 and "/login" in r["Location"]


def test_now_upcoming_overdue_and_the_calendars(viewer_client, hall):
    now = timezone.now()
    window(hall, devices=[hall.lonely], title="Now work")
    window(hall, start=now + timedelta(days=2), devices=[hall.lonely], title="Later work")
    window(hall, start=now - timedelta(hours=5), hours=1, devices=[hall.lonely], title="Late work")
    data = twin(viewer_client, site="maint")
    assert titles(data, "now") == ["Now work"]
    assert titles(data, "upcoming") == ["Later work"]
    assert titles(data, "overdue") == ["Late work"]
    assert data["tiles"]["now"] == "1" and data["tiles"]["overdue"] == "1"
    overdue_state = unpooled(data["tables"]["overdue"])[0][2]
    assert overdue_state["t"] == "Scheduled · overdue"
    month_items = [i["title"] for w in data["month"]["weeks"] for d in w for i in d["items"]]
    assert "Now work" in month_items
    assert data["can_act"] is False
    page = viewer_client.get(reverse("maintenance:list"), {"site": "maint"}).content.decode()
    assert "Now work" in page and "Schedule a window" not in page


def test_month_and_week_parameters_move_the_calendars(viewer_client, hall):
    data = twin(viewer_client, site="maint", month="2026-02", week="2026-02-11")
    assert data["month"]["title"] == "February 2026"
    assert data["week"]["days"][0]["date"] == "2026-02-09"  # its Monday
    bad = twin(viewer_client, site="maint", month="nope", week="x")
    assert bad["month"]["title"]  # falls back to this month


def test_warranty_and_end_of_life_lists(viewer_client, hall):
    # Days are counted from the site's date (an hour after midnight in Berlin it is still
    # yesterday in UTC).
    today = timezone.now().astimezone(ZoneInfo(hall.site.timezone)).date()
    hall.servers[0].warranty_end = today - timedelta(days=3)
    hall.servers[0].save()
    hall.servers[1].warranty_end = today + timedelta(days=20)
    hall.servers[1].save()
    dtype = hall.lonely.device_type
    dtype.end_of_life = today + timedelta(days=60)
    dtype.save()
    data = twin(viewer_client, site="maint")
    assert data["expiry_counts"] == {"expired": 1, "within 30 days": 1, "within 90 days": 1}
    rows = unpooled(data["tables"]["expiries"])
    assert [(r[0]["t"], r[1]["t"], r[3]["t"]) for r in rows] == [
        ("M01-SRV-1", "Warranty", "-3"),
        ("M01-SRV-2", "Warranty", "20"),
        ("M02-SRV-1", "End of life", "60"),
    ]
    assert isinstance(date.fromisoformat(rows[0][2]["t"]), date)


def test_unknown_site_is_404(viewer_client, hall):
    assert viewer_client.get(reverse("maintenance:list_api"), {"site": "nope"}).status_code == 404
