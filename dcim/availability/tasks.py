"""Celery task of availability: publish the HA alert readings (group states, 2N racks'
feed check, overdue drills and actions). Beat runs it every minute (an entry created by
migration 0002, editable in admin); the work is ``dcim.availability.alerting.publish``."""

from __future__ import annotations

from celery import shared_task

from dcim.availability import alerting


# Every minute: one still running after 45 s would overlap the next.
@shared_task(name="availability.publish_alerts", soft_time_limit=45, time_limit=60)
def publish_alerts() -> dict:
    r = alerting.publish()
    return {"readings": r.readings, "opened": r.opened, "fired": r.fired, "resolved": r.resolved}
