"""Editing a subscription on the Reports page: the subscription form filled in, saved with
its next run planned again in the site's zone and a change-history row naming the user;
a bad form is shown again with its errors (400) and changes nothing; a Viewer gets 403."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from dcim.reports.models import Subscription

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def form(sub: Subscription, **changes) -> dict:
    data = {
        "name": sub.name,
        "report": sub.report,
        "site": sub.site_id,
        "addresses": sub.addresses,
        "rule": sub.rule,
        "starts_on": sub.starts_on.isoformat(),
    }
    return {**data, **changes}


def test_the_form_comes_filled_in(operator_client, sub):
    page = operator_client.get(f"/reports/subscriptions/{sub.pk}/edit/")
    assert page.status_code == 200
    assert b'value="Morning report"' in page.content
    assert b"FREQ=DAILY;BYHOUR=7;BYMINUTE=0" in page.content
    assert b"csrfmiddlewaretoken" in page.content


def test_a_new_schedule_moves_the_next_run(operator_client, sub):
    assert sub.next_run_at.astimezone(BERLIN).strftime("%H:%M") == "07:00"
    rule = "FREQ=DAILY;BYHOUR=18;BYMINUTE=30"
    answer = operator_client.post(f"/reports/subscriptions/{sub.pk}/edit/", form(sub, rule=rule))
    assert answer.status_code == 302
    sub.refresh_from_db()
    assert sub.rule == rule
    assert sub.next_run_at.astimezone(BERLIN).strftime("%H:%M") == "18:30"
    last = sub.history.first()
    assert last.history_type == "~" and last.rule == rule
    assert last.history_user.username == "otto"
    assert sub.history.count() == 2  # created, then edited


def test_admin_edits_too(admin_role_client, sub):
    answer = admin_role_client.post(
        f"/reports/subscriptions/{sub.pk}/edit/", form(sub, name="Early report")
    )
    assert answer.status_code == 302
    sub.refresh_from_db()
    assert sub.name == "Early report"


def test_bad_form_is_a_400_with_the_reasons_and_changes_nothing(operator_client, sub):
    before = (sub.rule, sub.addresses, sub.next_run_at)
    bad = form(sub, rule="FREQ=SECONDLY", addresses="not-an-address")
    answer = operator_client.post(f"/reports/subscriptions/{sub.pk}/edit/", bad)
    assert answer.status_code == 400
    assert b"Not an e-mail address: not-an-address" in answer.content
    assert b"FREQ=SECONDLY" in answer.content  # shown again as typed, to be corrected
    sub.refresh_from_db()
    assert (sub.rule, sub.addresses, sub.next_run_at) == before
    assert sub.history.count() == 1


def test_no_recipient_is_refused(operator_client, sub):
    answer = operator_client.post(f"/reports/subscriptions/{sub.pk}/edit/", form(sub, addresses=""))
    assert answer.status_code == 400
    assert b"Give at least one recipient" in answer.content
    sub.refresh_from_db()
    assert sub.addresses == "ops@example.net"


def test_viewer_gets_403_and_nothing_changes(viewer_client, sub):
    url = f"/reports/subscriptions/{sub.pk}/edit/"
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, form(sub, name="Hijacked")).status_code == 403
    sub.refresh_from_db()
    assert sub.name == "Morning report"


def test_unknown_subscription_is_a_404(operator_client):
    assert operator_client.get("/reports/subscriptions/999999/edit/").status_code == 404


def test_login_required(client, sub):
    assert client.get(f"/reports/subscriptions/{sub.pk}/edit/").status_code == 302
