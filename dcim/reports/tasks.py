"""Celery tasks of reports: send one delivery (on the notify queue, retried with backoff on
SMTP failure), and the beat tick that fires due subscriptions and purges old archives.

Beat runs ``dcim.reports.tasks.tick`` every minute (a django-celery-beat entry created by
migration 0002, editable in admin), so a report scheduled for 07:00 leaves by 07:01.
"""

from __future__ import annotations

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction

from dcim.reports import delivery
from dcim.reports.models import Delivery

SEND_TASK = "dcim.reports.tasks.send_report"


# Rendering a month's PDF (charts) takes tens of seconds on a busy box, then SMTP.
@shared_task(
    name=SEND_TASK,
    bind=True,
    acks_late=True,
    max_retries=None,
    soft_time_limit=300,
    time_limit=360,
)
def send_report(self, delivery_id: int) -> str:
    """One attempt; on an SMTP failure, another after ``delivery.backoff_s`` until
    REPORTS_MAX_ATTEMPTS have been made (each attempt recorded on the delivery)."""
    d = Delivery.objects.select_related("site").get(pk=delivery_id)
    if not delivery.attempt(d):
        raise self.retry(countdown=delivery.backoff_s(d.attempts.count()))
    return d.status


def dispatch(delivery_id: int) -> None:
    """Hand a delivery to the notify queue once the transaction that created it commits;
    in-process when REPORTS_SEND_SYNC is set (tests, one-box demos)."""
    if getattr(settings, "REPORTS_SEND_SYNC", False):
        transaction.on_commit(lambda: send_report.apply(args=[delivery_id]))
        return
    queue = getattr(settings, "ALERTS_NOTIFY_QUEUE", "notify")
    transaction.on_commit(lambda: current_app.send_task(SEND_TASK, args=[delivery_id], queue=queue))


@shared_task(name="dcim.reports.tasks.tick", soft_time_limit=120, time_limit=150)
def tick() -> dict:
    """Fire the subscriptions whose next run has come; drop archived PDFs past retention."""
    ids = delivery.fire_due()
    for pk in ids:
        dispatch(pk)
    return {"fired": len(ids), "purged": delivery.purge_archive()}
