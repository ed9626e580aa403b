"""Celery tasks of maintenance. Beat runs them from django-celery-beat entries created by
migration 0002 (editable in admin); the work is in plain functions."""

from __future__ import annotations

from celery import shared_task

from dcim.maintenance import generate, lifecycle


@shared_task(name="maintenance.generate_windows", soft_time_limit=240, time_limit=300)
def generate_windows() -> dict:
    """Create the windows of recurring schedules up to their lead time (hourly)."""
    r = generate.generate()
    return {"created": r.created, "existing": r.existing, "errors": r.errors}


@shared_task(name="maintenance.lifecycle_notices", soft_time_limit=240, time_limit=300)
def lifecycle_notices() -> dict:
    """Warranty and end-of-life readings for the alert rules (daily)."""
    return {"readings": lifecycle.publish()}
