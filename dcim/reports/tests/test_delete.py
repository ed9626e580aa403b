"""Deleting a subscription on the Reports page: a confirmation page first (GET), deleted
on its POST, with a history row; the reports it sent stay in the archive. A Viewer gets
403 on both."""

from __future__ import annotations

import pytest
from django.test import Client

from dcim.inventory.tests.factories import PASSWORD
from dcim.reports.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def url(sub: Subscription) -> str:
    return f"/reports/subscriptions/{sub.pk}/delete/"


def test_confirmation_page_first_then_deleted(operator_client, sub):
    Delivery.objects.create(
        subscription=sub,
        report=sub.report,
        site=sub.site,
        trigger="manual",
        recipients=["ops@example.net"],
    )
    page = operator_client.get(url(sub))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Delete subscription: Morning report?" in text
    assert "the 1 report it sent stays in the archive" in text
    assert "csrfmiddlewaretoken" in text
    assert Subscription.objects.filter(pk=sub.pk).exists()  # GET deletes nothing
    answer = operator_client.post(url(sub))
    assert answer.status_code == 302
    assert not Subscription.objects.filter(pk=sub.pk).exists()
    [d] = Delivery.objects.all()
    assert d.subscription is None  # the archive keeps what was sent
    last = Subscription.history.filter(id=sub.pk).first()
    assert last.history_type == "-" and last.history_user.username == "otto"


def test_admin_deletes_too(admin_role_client, sub):
    assert admin_role_client.post(url(sub)).status_code == 302
    assert not Subscription.objects.exists()


def test_viewer_gets_403_and_nothing_is_deleted(viewer_client, sub):
    assert viewer_client.get(url(sub)).status_code == 403
    assert viewer_client.post(url(sub)).status_code == 403
    assert Subscription.objects.filter(pk=sub.pk).exists()


def test_unknown_subscription_is_a_404(operator_client):
    assert operator_client.post("/reports/subscriptions/999999/delete/").status_code == 404


def test_csrf_is_checked(make_user, sub):
    make_user("olga", role="Operator")
    strict = Client(enforce_csrf_checks=True)
    assert strict.login(username="olga", password=PASSWORD)
    assert strict.post(url(sub)).status_code == 403
    assert Subscription.objects.filter(pk=sub.pk).exists()
