"""Where each DR plan stands: last drill, next drill, overdue, open follow-up actions.

A plan's drills are due at its schedule's occurrences (the maintenance app's RRULE
expansion, in the site's zone). The drill due is the first occurrence after the last
drill (after the first date when never drilled); it is overdue once that date plus the
schedule's grace has passed with no drill. An action is open until marked done, and
overdue after its due date (the site's date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dcim.availability.models import DrillRecord, DRPlan, FollowUpAction

LOOKAHEAD = timedelta(days=800)  # the next drill of a yearly schedule is within it


@dataclass
class PlanStatus:
    plan: DRPlan
    last: DrillRecord | None
    due: datetime | None  # the drill now expected (first occurrence after the last drill)
    next: datetime | None  # the next scheduled date after now
    overdue: bool
    open_actions: list[FollowUpAction]
    overdue_actions: list[FollowUpAction]


def plan_statuses(now: datetime) -> list[PlanStatus]:
    plans = list(
        DRPlan.objects.select_related("site", "schedule")
        .prefetch_related("groups")
        .order_by("name")
    )
    last = {}
    for d in DrillRecord.objects.order_by("plan_id", "-started_at").distinct("plan_id"):
        last[d.plan_id] = d
    actions: dict[int, list[FollowUpAction]] = {}
    for a in FollowUpAction.objects.filter(done_at__isnull=True).select_related("drill"):
        actions.setdefault(a.drill.plan_id, []).append(a)
    return [_status(p, last.get(p.pk), actions.get(p.pk, []), now) for p in plans]


def _status(plan: DRPlan, last: DrillRecord | None, actions, now: datetime) -> PlanStatus:
    tz = ZoneInfo(plan.site.timezone)
    today = now.astimezone(tz).date()
    overdue_actions = [a for a in actions if a.due < today]
    schedule = getattr(plan, "schedule", None)
    due = nxt = None
    if schedule is not None:
        dates = schedule.occurrences(now + LOOKAHEAD)
        since = last.started_at if last else None
        due = next((d for d in dates if since is None or d > since + schedule.grace), None)
        nxt = next((d for d in dates if d > now), None)
    overdue = bool(due and schedule and due + schedule.grace < now)
    return PlanStatus(plan, last, due, nxt, overdue, actions, overdue_actions)
