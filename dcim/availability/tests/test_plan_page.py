"""A DR plan's page and its JSON twin: steps, last / due / next drill, drills with their
timed steps, follow-up actions (past due flagged)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dcim.availability.models import DrillRecord, DrillStepRun, FollowUpAction, Outcome
from dcim.ui.tables import unpooled


def test_the_plan_page(viewer_client, plan):
    now = timezone.now()
    drill = DrillRecord.objects.create(
        plan=plan, started_at=now - timedelta(days=10), ended_at=now - timedelta(days=10) +
        timedelta(minutes=12), led_by="Ana", outcome=Outcome.PASSED, findings="DNS slow",
    )  # fmt: skip
    DrillStepRun.objects.create(
        drill=drill, step=plan.steps.get(order=1), started_at=drill.started_at,
        ended_at=drill.started_at + timedelta(minutes=4),
    )  # fmt: skip
    FollowUpAction.objects.create(drill=drill, title="Lower TTL", owner="SRE",
                                  due=(now - timedelta(days=1)).date())  # fmt: skip
    r = viewer_client.get(reverse("availability:plan", args=[plan.pk]))
    assert r.status_code == 200 and "API failover" in r.content.decode()
    data = viewer_client.get(reverse("availability:plan_api", args=[plan.pk])).json()
    assert data["tiles"]["overdue"] == "No"
    (row,) = unpooled(data["tables"]["drills"])
    assert row[2]["t"] == "Passed (within RTO and RPO)"
    assert row[3]["t"] == "12.0 min" and row[4]["t"] == "1. 4.0 min"
    (action,) = unpooled(data["tables"]["actions"])
    assert action[3]["t"] == "Past due"
    assert [s[1]["t"] for s in unpooled(data["tables"]["steps"])] == [
        "Fail LB-01",
        "Check traffic on LB-02",
    ]


def test_an_unknown_plan_is_404(viewer_client, db):
    assert viewer_client.get(reverse("availability:plan", args=[999])).status_code == 404
