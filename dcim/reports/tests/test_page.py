"""The Reports page and its JSON twin: Viewers read, Operators and Admins subscribe and
send now; a Viewer cannot create a subscription (403, nothing written)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from dcim.inventory.tests.factories import make_site
from dcim.reports.content import Table
from dcim.reports.csvfiles import table_csv
from dcim.reports.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Morning report",
    "report": "daily_operations",
    "addresses": "ops@example.net",
    "rule": "FREQ=DAILY;BYHOUR=7;BYMINUTE=0",
    "starts_on": "2026-10-01",
}


def test_viewer_reads_the_page_but_cannot_subscribe(viewer_client):
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    page = viewer_client.get("/reports/")
    assert page.status_code == 200 and b"Subscribe</button>" not in page.content
    assert viewer_client.get("/reports/api/").json()["can_subscribe"] is False
    answer = viewer_client.post("/reports/subscriptions/new/", {**FORM, "site": site.pk})
    assert answer.status_code == 403
    assert not Subscription.objects.exists()


def test_operator_subscribes_and_the_next_run_is_at_local_time(operator_client):
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    answer = operator_client.post("/reports/subscriptions/new/", {**FORM, "site": site.pk})
    assert answer.status_code == 302
    [sub] = Subscription.objects.all()
    assert sub.next_run_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "07:00"
    [row] = operator_client.get("/reports/api/").json()["subscriptions"]
    assert row["name"] == "Morning report" and row["next_run_text"].endswith(("CET", "CEST"))


def test_admin_subscribes_too(admin_role_client):
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    answer = admin_role_client.post("/reports/subscriptions/new/", {**FORM, "site": site.pk})
    assert answer.status_code == 302 and Subscription.objects.count() == 1


def test_bad_form_is_a_400_with_the_reason_and_writes_nothing(operator_client):
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    bad = {**FORM, "site": site.pk, "addresses": "not-an-address", "rule": "FREQ=SECONDLY"}
    answer = operator_client.post("/reports/subscriptions/new/", bad)
    assert answer.status_code == 400
    assert b"Not an e-mail address: not-an-address" in answer.content
    assert not Subscription.objects.exists()


def test_send_now_needs_an_operator(viewer_client, operator_client, settings):
    settings.REPORTS_SEND_SYNC = False  # only queued here: no broker needed for the check
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    sub = Subscription.objects.create(
        name="x", report="daily_operations", site=site, addresses="ops@example.net"
    )
    assert viewer_client.post(f"/reports/subscriptions/{sub.pk}/send/").status_code == 403
    assert not Delivery.objects.exists()
    assert operator_client.post(f"/reports/subscriptions/{sub.pk}/send/").status_code == 302
    [d] = Delivery.objects.all()
    assert d.trigger == "manual" and d.recipients == ["ops@example.net"]


def test_login_required(client):
    assert client.get("/reports/").status_code == 302
    assert client.get("/reports/api/").status_code == 302


def test_csv_cells_that_look_like_formulas_are_escaped():
    """The attachments' cells (a device or tenant name is free text)."""
    t = Table("t", "T", ["Name", "kWh"], [['=HYPERLINK("http://evil")', -3.5], ["R01", None]], "")
    assert table_csv(t).splitlines() == [
        "Name,kWh",
        '"\'=HYPERLINK(""http://evil"")",-3.5',
        "R01,",
    ]


def test_the_page_says_who_changed_which_subscription(operator_client, make_user):
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    olga = make_user("olga", role="Viewer")
    operator_client.post("/reports/subscriptions/new/", {**FORM, "site": site.pk})
    sub = Subscription.objects.get()
    operator_client.post(
        f"/reports/subscriptions/{sub.pk}/edit/",
        {**FORM, "site": site.pk, "rule": "FREQ=DAILY;BYHOUR=8;BYMINUTE=0", "users": [olga.pk]},
    )
    operator_client.post(f"/reports/subscriptions/{sub.pk}/enabled/", {"enabled": "0"})
    changes = operator_client.get("/reports/api/").json()["changes"]
    words = [(c["who"], c["subscription"], c["changes"]) for c in changes]
    who = words[0][0]
    assert words[-1] == (who, "Morning report", ["created"])
    assert (who, "Morning report", ["enabled: True → False"]) in words
    edits = [w for c in words for w in c[2]]
    assert "rule: FREQ=DAILY;BYHOUR=7;BYMINUTE=0 → FREQ=DAILY;BYHOUR=8;BYMINUTE=0" in edits
    assert "users: + olga" in edits
    assert changes[0]["at_text"].endswith(("CET", "CEST"))
    page = operator_client.get("/reports/").content.decode()
    assert 'id="subscription-changes"' in page and "users: + olga" in page
