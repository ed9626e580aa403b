"""Sending a report: render it, hand it to Django's email backend, record every attempt,
keep the PDF as the archive copy, and drop archived PDFs past their retention.

The report is built as of the delivery's occurrence (or the time "send now" was pressed),
so a retry an hour later sends the same figures as the first try would have.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dcim.inventory.models import Site
from dcim.reports import mail
from dcim.reports.build import build
from dcim.reports.choices import AttemptResult, DeliveryStatus, Trigger
from dcim.reports.models import Attempt, Delivery, Subscription

log = logging.getLogger(__name__)
# What a retry may cure: the server refused or dropped us, or could not be reached.
TRANSIENT = (smtplib.SMTPException, OSError)


def max_attempts() -> int:
    return int(getattr(settings, "REPORTS_MAX_ATTEMPTS", 4))


def backoff_s(attempts_made: int) -> float:
    """Seconds before the next try: REPORTS_RETRY_BACKOFF_S × 4^(n − 1), so 60 s, 4 min,
    16 min by default: long enough for a mail relay to come back."""
    return float(getattr(settings, "REPORTS_RETRY_BACKOFF_S", 60.0)) * 4 ** (attempts_made - 1)


def archive_days() -> int:
    return int(getattr(settings, "REPORTS_ARCHIVE_DAYS", 365))


def create(
    kind: str,
    site: Site,
    *,
    trigger: str,
    recipients: list[str],
    subscription: Subscription | None = None,
    occurrence: datetime | None = None,
    user=None,
) -> Delivery:
    return Delivery.objects.create(
        subscription=subscription,
        report=kind,
        site=site,
        trigger=trigger,
        occurrence=occurrence,
        requested_by=user,
        recipients=recipients,
    )


def manual(subscription: Subscription, user) -> Delivery:
    """A "send now" of a subscription: a delivery of its own, outside the schedule."""
    return create(
        subscription.report,
        subscription.site,
        trigger=Trigger.MANUAL,
        recipients=subscription.recipients(),
        subscription=subscription,
        user=user,
    )


def attempt(delivery: Delivery) -> bool:
    """One try: True when sent, or when there is nothing left to try (sent before, no
    recipient, a report that cannot be built); False when the SMTP side failed and a retry
    may get through. Each try is an ``Attempt`` row."""
    if delivery.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        return True
    number = delivery.attempts.count() + 1
    now = timezone.now()
    if not delivery.recipients:
        _finish(delivery, number, now, "No recipient: add users, groups or addresses.", None)
        return True
    try:
        as_of = delivery.occurrence or delivery.created_at
        report = build(delivery.report, delivery.site, as_of)
        rendered = mail.render(report)
        msg = mail.message(report, rendered, delivery.recipients)
        size = mail.size(msg)
    except Exception as exc:  # a report that cannot be built will not build on a retry
        log.exception("report %s for delivery %s failed to render", delivery.report, delivery.pk)
        error = f"Could not build the report: {type(exc).__name__}: {exc}"
        _finish(delivery, number, now, error, None)
        return True
    if not delivery.pdf:
        delivery.pdf.save(rendered.pdf_name(report), ContentFile(rendered.pdf), save=False)
    delivery.title, delivery.size_bytes = f"{report.title}: {report.period}", size
    try:
        msg.send(fail_silently=False)
    except TRANSIENT as exc:
        last = number >= max_attempts()
        error = f"{type(exc).__name__}: {exc}"
        _finish(delivery, number, now, error, size, last)
        return last
    Attempt.objects.create(
        delivery=delivery, number=number, at=now, result=AttemptResult.SENT, size_bytes=size
    )
    delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.SENT, now, ""
    delivery.save()
    return True


def _finish(
    delivery: Delivery, number: int, now: datetime, error: str, size, last: bool = True
) -> None:
    """Record a failed attempt; the delivery is failed for good when ``last``, else it
    waits for its retry."""
    Attempt.objects.create(
        delivery=delivery,
        number=number,
        at=now,
        result=AttemptResult.FAILED,
        error=error,
        size_bytes=size,
    )
    delivery.status = DeliveryStatus.FAILED if last else DeliveryStatus.RETRYING
    delivery.error = error
    delivery.save()


def fire_due(now: datetime | None = None) -> list[int]:
    """Create one delivery per subscription whose next run has come, and plan its next run;
    returns the new deliveries' ids. Idempotent: the subscription rows are locked while
    this runs (a second beat skips them), and a delivery is unique per occurrence. Missed
    occurrences (beat was down) are not sent one by one: the next run is planned from now."""
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        due = (
            Subscription.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(enabled=True, next_run_at__lte=now)
            .select_related("site")
        )
        for sub in due:
            occurrence = sub.next_run_at
            delivery, new = Delivery.objects.get_or_create(
                subscription=sub,
                occurrence=occurrence,
                defaults={
                    "report": sub.report,
                    "site": sub.site,
                    "trigger": Trigger.SCHEDULE,
                    "recipients": sub.recipients(),
                },
            )
            if new:
                created.append(delivery.pk)
            sub.last_occurrence_at = occurrence
            sub.plan_next(now)
            # update(), not save(): a run is not a change of the subscription's history.
            Subscription.objects.filter(pk=sub.pk).update(
                last_occurrence_at=occurrence, next_run_at=sub.next_run_at
            )
    return created


def purge_archive(now: datetime | None = None) -> int:
    """Delete archived PDFs older than REPORTS_ARCHIVE_DAYS; the delivery rows stay (who got
    what, when). Returns how many files went."""
    now = now or timezone.now()
    old = Delivery.objects.filter(
        created_at__lt=now - timedelta(days=archive_days()), pdf_purged_at__isnull=True
    ).exclude(pdf="")
    n = 0
    for d in old:
        d.pdf.delete(save=False)
        d.pdf_purged_at = now
        d.save(update_fields=["pdf", "pdf_purged_at"])
        n += 1
    return n
