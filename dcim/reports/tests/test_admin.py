"""Admin of reports: Admins edit subscriptions (history kept) and read deliveries with
their attempts; deliveries cannot be added or edited there (they are the record)."""

from __future__ import annotations

import pytest

from dcim.inventory.tests.factories import make_site
from dcim.reports import delivery
from dcim.reports.models import Subscription

pytestmark = pytest.mark.django_db


def test_admin_lists_and_edits_subscriptions_and_reads_deliveries(admin_role_client):
    site = make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin")
    sub = Subscription.objects.create(
        name="Morning", report="daily_operations", site=site, addresses="ops@example.net"
    )
    d = delivery.manual(sub, None)
    assert admin_role_client.get("/admin/reports/subscription/").status_code == 200
    assert admin_role_client.get(f"/admin/reports/subscription/{sub.pk}/change/").status_code == 200
    assert (
        admin_role_client.get(f"/admin/reports/subscription/{sub.pk}/history/").status_code == 200
    )
    assert admin_role_client.get("/admin/reports/delivery/").status_code == 200
    assert admin_role_client.get(f"/admin/reports/delivery/{d.pk}/change/").status_code == 200
    assert admin_role_client.get("/admin/reports/delivery/add/").status_code == 403


def test_operator_has_no_admin(operator_client):
    assert operator_client.get("/admin/reports/subscription/").status_code == 302
