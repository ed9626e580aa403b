"""Windows from recurring schedules, ``lead_days`` ahead: idempotent and DST-correct.

Each occurrence becomes at most one window: the (schedule, occurrence) pair is unique in
the database, so a second run, or two runs at once, create nothing new. Occurrences are
expanded in the site's zone (``dcim.maintenance.recurrence``). A window an operator edited
or cancelled stays as it is; an occurrence later put in the EXDATE list is not created
(one already created is left for the operator to cancel: it may have been prepared).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from dcim.maintenance.models import MaintenanceWindow, Schedule, WorkOrder
from dcim.maintenance.recurrence import RecurrenceError, occurrences


@dataclass
class GenerationReport:
    created: int = 0
    existing: int = 0
    errors: list[str] = field(default_factory=list)


def generate(now: datetime | None = None, schedules=None) -> GenerationReport:
    """Create the missing windows of every enabled schedule up to ``lead_days`` ahead. One
    bad schedule is reported and skipped; the others still run."""
    now = now or timezone.now()
    report = GenerationReport()
    qs = schedules if schedules is not None else Schedule.objects.filter(enabled=True)
    for schedule in qs.select_related("site", "template"):
        try:
            _generate_one(schedule, now, report)
        except RecurrenceError as exc:
            report.errors.append(f"{schedule.title}: {exc}")
    return report


def _generate_one(schedule: Schedule, now: datetime, report: GenerationReport) -> None:
    tz = schedule.tz
    start = schedule.first_start.astimezone(tz)
    until = now + timedelta(days=schedule.lead_days)
    have = set(
        MaintenanceWindow.objects.filter(schedule=schedule).values_list("occurrence", flat=True)
    )
    for at in occurrences(schedule.rrule, start, until, schedule.exdates):
        if at + schedule.duration <= now:
            continue  # the past is not planned after the fact
        if at in have:
            report.existing += 1
            continue
        try:
            with transaction.atomic():
                _create(schedule, at)
        except IntegrityError:  # another run made it meanwhile
            report.existing += 1
            continue
        report.created += 1


def _create(schedule: Schedule, at: datetime) -> MaintenanceWindow:
    window = MaintenanceWindow.objects.create(
        site=schedule.site,
        title=schedule.title,
        kind=schedule.kind,
        starts_at=at,
        ends_at=at.astimezone(UTC) + schedule.duration,  # elapsed time, across DST too
        vendor=schedule.vendor,
        contact=schedule.contact,
        schedule=schedule,
        occurrence=at,
    )
    schedule.copy_assets_to(window)
    order = WorkOrder.objects.create(window=window)
    order.fill_from(schedule.template)
    return window
