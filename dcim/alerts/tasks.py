"""Celery tasks: notifications on the "notify" queue, and the alerting beat tick."""

from __future__ import annotations

from celery import shared_task

from dcim.alerts import engine, notify


# Time limits: each route's send has its own network timeout; a notice still going after
# two minutes is stuck, and the next tick's repeat will try again.
@shared_task(name=notify.NOTIFY_TASK, acks_late=True, soft_time_limit=120, time_limit=150)
def notify_alert(alert_id: int, kind: str) -> int:
    """Send one alert's notice (firing, repeat or resolved) on every matching route."""
    return len(notify.process(alert_id, kind))


# Beat sends one every 15 s: a tick past a minute would have four more queued behind it.
@shared_task(name="dcim.alerts.tasks.tick", soft_time_limit=60, time_limit=90)
def tick() -> dict:
    """Durations, keep-firing periods, absence rules and repeats (every 15 s by default)."""
    r = engine.tick()
    return {"fired": r.fired, "resolved": r.resolved, "absent": r.absent, "repeats": r.repeats}
