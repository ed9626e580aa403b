"""Recording a drill (Operator): the record, each step's start and end, follow-up actions
with owners and due dates, in one transaction; a bad step writes nothing."""

from __future__ import annotations

from django.urls import reverse

from dcim.availability.models import DrillRecord, DrillStepRun, FollowUpAction
from dcim.availability.tests.conftest import berlin


def management(prefix: str, total: int) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip


def data(plan, step_end: str = "2026-11-20T10:05") -> dict:
    step = plan.steps.get(order=1)
    return {
        "plan": plan.pk, "started_at": "2026-11-20T10:00", "ended_at": "2026-11-20T10:20",
        "led_by": "Ana and Ben", "outcome": "partial", "findings": "Step 2 slow",
        **management("steps", 1), "steps-0-step": step.pk,
        "steps-0-started_at": "2026-11-20T10:00", "steps-0-ended_at": step_end,
        **management("actions", 1), "actions-0-title": "Automate the health check",
        "actions-0-owner": "SRE", "actions-0-due": "2026-12-31",
    }  # fmt: skip


def test_an_operator_records_a_drill(operator_client, plan):
    url = reverse("availability:drill_new") + f"?plan={plan.pk}"
    assert operator_client.get(url).status_code == 200
    r = operator_client.post(url, data(plan))
    assert r.status_code == 302, r.content.decode()[:2000]
    drill = DrillRecord.objects.get()
    assert drill.started_at == berlin(2026, 11, 20, 10) and drill.recorded_by.username == "otto"
    (run,) = DrillStepRun.objects.all()
    assert (run.ended_at - run.started_at).total_seconds() == 300
    (action,) = FollowUpAction.objects.all()
    assert action.owner == "SRE" and str(action.due) == "2026-12-31"


def test_a_step_ending_before_it_starts_writes_nothing(operator_client, plan):
    url = reverse("availability:drill_new") + f"?plan={plan.pk}"
    r = operator_client.post(url, data(plan, step_end="2026-11-20T09:00"))
    assert r.status_code == 200 and "cannot end before it starts" in r.content.decode()
    assert not DrillRecord.objects.exists() and not FollowUpAction.objects.exists()
