"""Where a DR plan stands: the drill due after the last one, overdue after its grace, the
next date (07:00 site time across DST, from the maintenance app's recurrence)."""

from __future__ import annotations

from datetime import timedelta

from dcim.availability.drills import plan_statuses
from dcim.availability.models import DrillRecord, Outcome
from dcim.availability.tests.conftest import berlin


def status_at(now):
    (s,) = plan_statuses(now)
    return s


def test_never_drilled_the_first_date_is_due(plan):
    # First drill 1 Jan 2026 07:00; on 5 Jan it is due, within the week's grace.
    s = status_at(berlin(2026, 1, 5))
    assert s.due == berlin(2026, 1, 1, 7) and not s.overdue
    assert s.next == berlin(2026, 4, 1, 7)
    # On 9 Jan 07:01 the grace (7 days) has passed.
    assert status_at(berlin(2026, 1, 8, 7, 1)).overdue


def test_a_drill_moves_the_due_date_to_the_next_occurrence(plan):
    DrillRecord.objects.create(
        plan=plan, started_at=berlin(2026, 1, 3, 9), led_by="Ana", outcome=Outcome.PASSED
    )
    s = status_at(berlin(2026, 2, 1))
    assert s.last.led_by == "Ana"
    # Next occurrence 1 Apr 07:00 CEST: still 07:00 site time after the DST change.
    assert s.due == berlin(2026, 4, 1, 7) and s.due.utcoffset() == timedelta(hours=2)
    assert not s.overdue
    assert status_at(berlin(2026, 4, 9)).overdue


def test_a_plan_without_schedule_is_never_overdue(plan):
    plan.schedule.delete()
    plan.refresh_from_db()
    s = status_at(berlin(2026, 6, 1))
    assert s.due is None and s.next is None and not s.overdue
