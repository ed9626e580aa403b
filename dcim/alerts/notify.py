"""Notifications: who gets told about which alert, when, and what is held back.

Sent from Celery tasks on the ``ALERTS_NOTIFY_QUEUE`` queue ("notify"), never from ingest
while the broker takes them; a notice the broker refuses (it is away, and a self-timed
poller keeps reading through that: ``manage.py poll_loop``) is delivered in the calling
process instead of being lost, since the alert's state is already committed and nothing
would send it again (a lost "resolved" notice never would).
Per alert and kind (firing, repeat, resolved), every enabled route whose severity and scope
match names a channel; each channel gets one ``Notification`` row: sent, failed or
suppressed (with why). Suppressed, but still recorded: alerts matching an active silence,
alerts of a device in maintenance (its status, or a window of the maintenance app, which
registers its check in ``suppression_checks``),
and acknowledged alerts (repeats and late firing notices). Resolved notices go out unless
silenced or in maintenance, so whoever was paged learns it is over.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from dcim.alerts import suppression_checks
from dcim.alerts.delivery import deliver
from dcim.alerts.models import (
    SEVERITY_RANK,
    Alert,
    Notification,
    NotificationKind,
    NotificationStatus,
    Route,
    Silence,
    State,
)
from dcim.alerts.values import local, site_zone
from dcim.inventory.choices import DeviceStatus

log = logging.getLogger(__name__)
NOTIFY_TASK = "dcim.alerts.tasks.notify_alert"
# A process may replace the hand-off (the benchmark's in-process worker thread does).
handoff = None


def enqueue(items: list[tuple[int, str]]) -> None:
    """Hand (alert id, kind) pairs to the notify queue (or run them now when configured)."""
    if not items:
        return
    if handoff is not None:
        handoff(items)
        return
    if getattr(settings, "ALERTS_NOTIFY_SYNC", False):
        for alert_id, kind in items:
            process(alert_id, kind)
        return
    # By name: the task module imports this one, so this one does not import it back.
    queue = getattr(settings, "ALERTS_NOTIFY_QUEUE", "notify")
    for alert_id, kind in items:
        try:
            current_app.send_task(NOTIFY_TASK, args=[alert_id, kind], queue=queue)
        except (BrokerUnreachable, OSError) as exc:
            log.warning(
                "notify queue unreachable (%s): %s notice of alert %s delivered in this process",
                exc,
                kind,
                alert_id,
            )
            process(alert_id, kind)


def routes_for(alert: Alert) -> list[Route]:
    """Enabled routes (with enabled channels) whose severity and scope match the alert."""
    device = alert.device
    out = []
    for route in Route.objects.filter(enabled=True, channel__enabled=True).select_related(
        "channel"
    ):
        if SEVERITY_RANK[alert.severity] < SEVERITY_RANK[route.min_severity]:
            continue
        if route.rule_id and route.rule_id != alert.rule_id:
            continue
        if route.covers(device):
            out.append(route)
    return out


def suppression(alert: Alert, kind: str, now: datetime) -> str:
    """Why this notice must not go out ("" when it may)."""
    for silence in Silence.objects.filter(starts_at__lte=now, ends_at__gt=now):
        if silence.matches(alert.labels):
            zone = site_zone(alert.device.site.timezone if alert.device else None)
            until = local(silence.ends_at, zone, seconds=False)
            return f"silenced until {until} ({silence.reason})"[:100]
    if reason := in_maintenance(alert, now):
        return reason[:100]
    if kind != NotificationKind.RESOLVED and alert.acknowledged:
        return "acknowledged"
    return ""


def in_maintenance(alert: Alert, now: datetime) -> str:
    """Why the alert's device counts as in maintenance ("" when it does not): its status,
    or a check a higher app registered (the maintenance app's windows)."""
    if alert.device is None:
        return ""
    if alert.device.status == DeviceStatus.MAINTENANCE:
        return "device in maintenance"
    return suppression_checks.maintenance_reason(alert.device, now)


def process(alert_id: int, kind: str, now: datetime | None = None) -> list[Notification]:
    """Send (or hold back) one kind of notice for one alert on every matching route."""
    now = now or timezone.now()
    alert = (
        Alert.objects.select_related("rule", "device", "device__rack", "device__site")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        return []
    if kind in (NotificationKind.FIRING, NotificationKind.REPEAT) and alert.state != State.FIRING:
        return []  # resolved meanwhile: the resolved notice tells the story
    routes = routes_for(alert)
    if kind == NotificationKind.RESOLVED:
        routes = [r for r in routes if r.send_resolved]
    if kind == NotificationKind.REPEAT:
        routes = [r for r in routes if _repeat_due(alert, r, now)]
    if not routes:
        return []
    reason = suppression(alert, kind, now)
    out = []
    for route in {r.channel_id: r for r in routes}.values():
        notice = Notification(alert=alert, channel=route.channel, kind=kind, created_at=now)
        if reason:
            notice.status, notice.reason = NotificationStatus.SUPPRESSED, reason
        else:
            deliver(notice)
        notice.save()
        out.append(notice)
    if reason:
        alert.record_suppressed(kind, reason, now)
    else:
        alert.record_notices(out, now)
    return out


def _repeat_due(alert: Alert, route: Route, now: datetime) -> bool:
    last = Notification.objects.filter(
        alert=alert,
        channel_id=route.channel_id,
        status__in=[NotificationStatus.SENT, NotificationStatus.SUPPRESSED],
    ).aggregate(at=Max("created_at"))["at"]
    return last is None or now - last >= timedelta(seconds=route.repeat_interval_s)


def due_repeats(now: datetime) -> list[tuple[int, str]]:
    """Firing, unacknowledged alerts whose shortest repeat interval has passed since their
    last notice (the per-channel check happens when the repeat is processed)."""
    shortest = Route.objects.filter(enabled=True).order_by("repeat_interval_s").first()
    if shortest is None:
        return []
    cutoff = now - timedelta(seconds=shortest.repeat_interval_s)
    firing = Alert.objects.filter(
        state=State.FIRING, acknowledged_at__isnull=True, fired_at__lte=cutoff
    ).exclude(notices__created_at__gt=cutoff)
    return [(pk, NotificationKind.REPEAT) for pk in firing.values_list("pk", flat=True)]
