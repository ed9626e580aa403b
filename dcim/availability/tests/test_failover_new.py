"""Recording a failover (Operator): times in site time, RTO and RPO met computed, bad
input shown again with its error and nothing written; CSRF enforced."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from dcim.availability.models import Failover, FailoverSource
from dcim.availability.tests.conftest import berlin


def form(ha, **extra) -> dict:
    return {
        "group": ha.lb.pk, "kind": "switchover", "old_active": ha.lb_1.pk,
        "new_active": ha.lb_2.pk, "detected_at": "2026-11-20T10:00",
        "started_at": "2026-11-20T10:00", "restored_at": "2026-11-20T10:04",
        "data_loss": "00:00:40", "cause": "Kernel upgrade on LB-01", **extra,
    }  # fmt: skip


def test_an_operator_records_a_failover(operator_client, ha):
    assert operator_client.get(reverse("availability:failover_new")).status_code == 200
    prefilled = operator_client.get(reverse("availability:failover_new"), {"group": "lb"})
    assert f'<option value="{ha.lb.pk}" selected>' in prefilled.content.decode()
    r = operator_client.post(reverse("availability:failover_new"), form(ha))
    f = Failover.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("availability:failover", args=[f.pk])
    assert f.detected_at == berlin(2026, 11, 20, 10)  # entered in site time (Berlin)
    assert f.source == FailoverSource.OPERATOR and not f.needs_annotation
    # 4 min ≤ RTO 5 min: met; 40 s > RPO 30 s: missed.
    assert f.time_to_restore == timedelta(minutes=4)
    assert f.rto_met is True and f.rpo_met is False


def test_restored_before_started_is_refused(operator_client, ha):
    r = operator_client.post(
        reverse("availability:failover_new"), form(ha, restored_at="2026-11-20T09:00")
    )
    assert r.status_code == 200 and "Restored cannot be before started" in r.content.decode()
    assert not Failover.objects.exists()


def test_a_member_of_another_group_is_refused(operator_client, ha):
    r = operator_client.post(reverse("availability:failover_new"), form(ha, old_active=ha.ups_a.pk))
    assert r.status_code == 200 and "is not a member of this group" in r.content.decode()
    assert not Failover.objects.exists()


def test_csrf_is_enforced(make_user, ha):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role="Operator"))
    assert client.post(reverse("availability:failover_new"), form(ha)).status_code == 403
    assert not Failover.objects.exists()
