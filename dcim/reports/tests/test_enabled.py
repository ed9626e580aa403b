"""Enabling and disabling a subscription on the Reports page: a disabled one has no next
run, is not sent by the beat task, and shows as disabled on the page and its JSON twin;
enabled again, its next run is planned from now. A Viewer gets 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.reports import delivery
from dcim.reports.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def url(sub: Subscription) -> str:
    return f"/reports/subscriptions/{sub.pk}/enabled/"


def test_disabled_is_not_sent_and_shows_disabled(operator_client, sub):
    assert operator_client.post(url(sub), {"enabled": "0"}).status_code == 302
    sub.refresh_from_db()
    assert sub.enabled is False and sub.next_run_at is None
    # The beat task a day later: nothing due.
    assert delivery.fire_due(timezone.now() + timedelta(days=1)) == []
    assert not Delivery.objects.exists()
    [row] = operator_client.get("/reports/api/").json()["subscriptions"]
    assert row["enabled"] is False and row["state"] == "disabled"
    assert row["next_run_text"] == "none: disabled"
    page = operator_client.get("/reports/").content.decode()
    assert 'data-state="disabled"' in page and ">Enable</button>" in page
    last = sub.history.first()
    assert last.enabled is False and last.history_user.username == "otto"


def test_enabled_again_it_is_planned_from_now_and_sent(operator_client, sub):
    operator_client.post(url(sub), {"enabled": "0"})
    assert operator_client.post(url(sub), {"enabled": "1"}).status_code == 302
    sub.refresh_from_db()
    assert sub.enabled is True and sub.next_run_at > timezone.now()
    assert len(delivery.fire_due(sub.next_run_at)) == 1
    [row] = operator_client.get("/reports/api/").json()["subscriptions"]
    assert row["enabled"] is True and row["state"] == "enabled"


def test_admin_disables_too(admin_role_client, sub):
    assert admin_role_client.post(url(sub), {"enabled": "0"}).status_code == 302
    sub.refresh_from_db()
    assert sub.enabled is False


@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_a_bad_value_is_a_400_and_changes_nothing(operator_client, sub, value):
    answer = operator_client.post(url(sub), {"enabled": value})
    assert answer.status_code == 400 and b"enabled must be 0 or 1" in answer.content
    sub.refresh_from_db()
    assert sub.enabled is True and sub.history.count() == 1


def test_viewer_gets_403_and_nothing_changes(viewer_client, sub):
    assert viewer_client.post(url(sub), {"enabled": "0"}).status_code == 403
    sub.refresh_from_db()
    assert sub.enabled is True
    assert viewer_client.get("/reports/api/").json()["subscriptions"][0]["enabled"] is True


def test_get_is_refused(operator_client, sub):
    assert operator_client.get(url(sub)).status_code == 405
