"""Celery tasks: notifications on the "notify" queue, and the alerting beat tick."""

from __future__ import annotations

from celery import shared_task

from dcim.alerts import engine, notify


@shared_task(name=notify.NOTIFY_TASK, acks_late=True)
def notify_alert(alert_id: int, kind: str) -> int:
    """Send one alert's notice (firing, repeat or resolved) on every matching route."""
    return len(notify.process(alert_id, kind))


@shared_task(name="dcim.alerts.tasks.tick")
def tick() -> dict:
    """Durations, keep-firing periods, absence rules and repeats (every 15 s by default)."""
    r = engine.tick()
    return {"fired": r.fired, "resolved": r.resolved, "absent": r.absent, "repeats": r.repeats}
