"""Closing a follow-up action (Operator, POST): it leaves the open count."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from dcim.availability.drills import plan_statuses
from dcim.availability.models import DrillRecord, FollowUpAction, Outcome


def test_an_operator_closes_an_action(operator_client, plan):
    now = timezone.now()
    d = DrillRecord.objects.create(plan=plan, started_at=now, led_by="x", outcome=Outcome.PASSED)
    a = FollowUpAction.objects.create(drill=d, title="t", owner="o", due=now.date())
    (status,) = plan_statuses(now)
    assert len(status.open_actions) == 1
    url = reverse("availability:action_done", args=[a.pk])
    page = operator_client.get(reverse("availability:plan", args=[plan.pk])).content.decode()
    assert url in page  # the button on the plan's page
    assert operator_client.get(url).status_code == 405
    r = operator_client.post(url)
    assert r.status_code == 302 and r["Location"] == reverse("availability:plan", args=[plan.pk])
    a.refresh_from_db()
    assert a.done_at is not None
    (status,) = plan_statuses(timezone.now())
    assert status.open_actions == []
