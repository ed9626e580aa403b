"""Admins configure templates and schedules in Django admin; a bad RRULE is refused there
with a clear message; Operators have no admin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from dcim.maintenance.models import Schedule

pytestmark = pytest.mark.django_db


def form(hall, rule: str) -> dict:
    return {
        "site": hall.site.pk,
        "title": "Generator weekly",
        "kind": "preventive",
        "rrule": rule,
        "first_start_0": "2026-03-02",
        "first_start_1": "08:00",
        "duration_minutes": "30",
        "exdates": "",
        "lead_days": "60",
        "enabled": "on",
        "devices": [hall.lonely.pk],
    }


def test_an_admin_adds_a_schedule_and_a_bad_rule_is_refused(admin_role_client, hall):
    url = reverse("admin:maintenance_schedule_add")
    r = admin_role_client.post(url, form(hall, "FREQ=SOMETIMES"))
    assert r.status_code == 200 and "Not an RFC 5545 RRULE" in r.content.decode()
    assert not Schedule.objects.exists()
    r = admin_role_client.post(url, form(hall, "FREQ=WEEKLY;BYDAY=MO"))
    assert r.status_code == 302, r.content.decode()[:2000]
    s = Schedule.objects.get()
    assert list(s.devices.all()) == [hall.lonely] and s.rrule == "FREQ=WEEKLY;BYDAY=MO"
    # Typed in site time: 08:00 CET is 07:00 UTC.
    assert s.first_start == datetime(2026, 3, 2, 7, tzinfo=UTC)


def test_templates_list_in_admin_and_operators_have_no_admin(admin_role_client, operator_client):
    r = admin_role_client.get(reverse("admin:maintenance_checklisttemplate_changelist"))
    assert r.status_code == 200 and "CRAH filters" in r.content.decode()
    assert operator_client.get(reverse("admin:maintenance_schedule_changelist")).status_code == 302
