"""The per-site .ics feed: parses with the icalendar library; a bad or revoked token is
refused; tokens are the user's own."""

from __future__ import annotations

import pytest
from django.urls import reverse
from icalendar import Calendar

from dcim.maintenance.models import CalendarToken
from dcim.maintenance.tests.conftest import window

pytestmark = pytest.mark.django_db


def feed(client, token: str, slug: str = "maint"):
    return client.get(reverse("maintenance:feed", args=[slug]), {"token": token})


def test_the_feed_parses_and_lists_the_sites_windows(client, make_user, hall):
    w = window(hall, racks=[hall.rack], title="Rack M01 work")
    cancelled = window(hall, devices=[hall.lonely], title="Called off")
    cancelled.cancel()
    _, token = CalendarToken.issue(make_user("cal", role="Viewer"))
    r = feed(client, token)  # no session: the token is the key
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    ev = events["Rack M01 work (Scheduled)"]
    whole = lambda t: t.replace(microsecond=0)  # noqa: E731 - RFC 5545 times have whole seconds
    assert ev.decoded("dtstart") == whole(w.starts_at) and ev.decoded("dtend") == whole(w.ends_at)
    assert "rack M01" in str(ev["description"])
    assert str(events["Called off (Cancelled)"]["status"]) == "CANCELLED"


def test_a_bad_or_revoked_token_is_refused(client, make_user, hall):
    assert feed(client, "not-a-token").status_code == 404
    assert feed(client, "").status_code == 404
    row, token = CalendarToken.issue(make_user("cal", role="Viewer"))
    assert feed(client, token).status_code == 200
    row.revoke()
    assert feed(client, token).status_code == 404
    _, nobody = CalendarToken.issue(make_user("norole"))  # no Viewer role: no calendar
    assert feed(client, nobody).status_code == 404


def test_issue_shows_the_url_once_and_revoke_is_per_user(viewer_client, operator_client, hall):
    r = viewer_client.post(reverse("maintenance:tokens"))
    body = r.content.decode()
    assert "maint.ics?token=" in body and "shown only once" in body
    row = CalendarToken.objects.get()
    assert row.token_sha256 not in body
    assert viewer_client.get(reverse("maintenance:tokens")).content.decode().count("token=") == 0
    assert operator_client.post(reverse("maintenance:revoke", args=[row.pk])).status_code == 404
    viewer_client.post(reverse("maintenance:revoke", args=[row.pk]))
    row.refresh_from_db()
    assert row.revoked_at is not None
