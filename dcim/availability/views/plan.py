"""A DR plan's page: scope, RTO and RPO, steps with owners, schedule (last, due and next
drill), every drill with its timed steps, and the follow-up actions (open ones first).
Same builder for the page and its JSON twin."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dcim.availability.drills import plan_statuses
from dcim.availability.models import DRPlan, FollowUpAction
from dcim.availability.views import words
from dcim.ui.json_twin import page_and_api, stamp
from dcim.ui.tables import badge, cell


def build_plan(request: HttpRequest, pk: int) -> dict[str, Any]:
    plan = get_object_or_404(DRPlan.objects.select_related("site"), pk=pk)
    now = timezone.now()
    tz = ZoneInfo(plan.site.timezone)
    status = next(s for s in plan_statuses(now) if s.plan.pk == plan.pk)
    drills = list(plan.drills.prefetch_related("step_runs__step", "actions"))
    today = now.astimezone(tz).date()
    actions = FollowUpAction.objects.filter(drill__plan=plan).select_related("drill")
    return stamp(
        {
            "plan": {
                "pk": plan.pk,
                "name": plan.name,
                "scope": plan.scope,
                "rto": words.duration(plan.rto),
                "rpo": words.duration(plan.rpo),
                "groups": [g.name for g in plan.groups.order_by("name")],
            },
            "tiles": {
                "last": words.local(status.last.started_at, tz) if status.last else "never",
                "due": words.local(status.due, tz) if status.due else "no schedule",
                "next": words.local(status.next, tz) if status.next else "—",
                "overdue": "Overdue" if status.overdue else "No",
                "open_actions": str(len(status.open_actions)),
            },
            "tables": {
                "steps": [
                    [cell(s.order, num=True), cell(s.title), cell(s.owner)]
                    for s in plan.steps.all()
                ],
                "drills": [
                    [
                        cell(words.local(d.started_at, tz), sort=d.started_at.timestamp()),
                        cell(d.led_by),
                        badge(d.outcome, d.get_outcome_display()),
                        words.duration_cell(d.ended_at - d.started_at if d.ended_at else None),
                        cell(
                            "; ".join(
                                f"{r.step.order}. {words.duration(r.ended_at - r.started_at)}"
                                if r.ended_at
                                else f"{r.step.order}. not finished"
                                for r in d.step_runs.all()
                            )
                            or None
                        ),
                        cell(d.findings or None),
                    ]
                    for d in drills
                ],
                "actions": [
                    [
                        cell(a.title),
                        cell(a.owner),
                        cell(a.due.isoformat()),
                        badge("ok", "Done", "ok")
                        if a.done_at
                        else badge("failed", "Past due", "crit")
                        if a.due < today
                        else badge("warning", "Open", "warn"),
                        cell(f"{a.drill.started_at.astimezone(tz):%Y-%m-%d}"),
                    ]
                    for a in sorted(actions, key=lambda a: (a.done_at is not None, a.due))
                ],
            },
            "open_actions": [
                {"pk": a.pk, "title": a.title, "owner": a.owner, "due": a.due.isoformat()}
                for a in status.open_actions
            ],
            "headers": {
                "steps": "Step|n,What,Owner",
                "drills": "Started,Who,Outcome,Took|n,Steps,Findings",
                "actions": "Action,Owner,Due,State,From drill of",
            },
        },
        tz,
    )


plan_page, plan_api = page_and_api("availability/plan.html", build_plan, "availability:plan_api")
