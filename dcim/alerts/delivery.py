"""Delivery: an email through Django's backend, or a JSON POST with a timeout and retries.

A webhook that answers 5xx, refuses, or does not answer within the channel's timeout is
tried again after ``ALERTS_WEBHOOK_BACKOFF_S`` × 2^n seconds, ``max_retries`` times; a 4xx
is the receiver saying no, and is not retried. The outcome, the attempts and the last error
are kept on the ``Notification`` row.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dcim.alerts.links import absolute, rack_url, subject_url
from dcim.alerts.models import Alert, ChannelKind, Notification, NotificationStatus
from dcim.alerts.values import site_zone, value_text

USER_AGENT = "dcim-alerts/1"


def deliver(notice: Notification) -> None:
    """Send one notice; sets status, attempts, error and sent_at (the caller saves)."""
    try:
        if notice.channel.kind == ChannelKind.EMAIL:
            notice.attempts = 1
            send_email(notice)
            notice.status = NotificationStatus.SENT
        else:
            post_webhook(notice)
    except Exception as exc:
        notice.status, notice.error = NotificationStatus.FAILED, f"{type(exc).__name__}: {exc}"
    if notice.status == NotificationStatus.SENT:
        notice.sent_at = timezone.now()


def context(alert: Alert, kind: str) -> dict:
    """What email templates and webhook payloads say about an alert."""
    path = reverse("alerts:detail", args=[alert.pk])
    subject = subject_url(alert)
    rack = alert.device.rack if alert.device and alert.device.rack_id else None
    rule = alert.rule
    return {
        "alert": alert,
        "value": value_text(alert.value, rule.source, rule.metric, rule.condition),
        "zone": site_zone(alert.device.site.timezone if alert.device else None),
        "kind": kind,
        "status": "resolved" if kind == "resolved" else "firing",
        "alert_url": absolute(path),
        "list_url": absolute(reverse("alerts:list")),
        "subject_url": absolute(subject) if subject else "",
        "rack": rack,
        "rack_url": absolute(rack_url(rack.pk)) if rack else "",
    }


def email_subject(alert: Alert, kind: str) -> str:
    tag = {"firing": "FIRING", "repeat": "STILL FIRING", "resolved": "RESOLVED"}[kind]
    return f"[{tag}] {alert.severity.upper()}: {alert.rule.name} on {alert.subject_label}"


def send_email(notice: Notification) -> None:
    alert, kind = notice.alert, notice.kind
    ctx = context(alert, kind)
    message = EmailMultiAlternatives(
        subject=email_subject(alert, kind),
        body=render_to_string("alerts/email/alert.txt", ctx),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=notice.channel.recipients(),
        headers={"X-DCIM-Alert": str(alert.pk), "X-DCIM-Alert-Status": ctx["status"]},
    )
    message.attach_alternative(render_to_string("alerts/email/alert.html", ctx), "text/html")
    message.send(fail_silently=False)


def payload(alert: Alert, kind: str) -> dict:
    """The webhook body: Alertmanager-like, one alert per POST."""
    ctx = context(alert, kind)
    iso = lambda t: t.isoformat() if t else None  # noqa: E731
    return {
        "version": "1",
        "kind": kind,
        "status": ctx["status"],
        "alert": {
            "id": alert.pk,
            "rule": alert.rule.name,
            "severity": alert.severity,
            "state": alert.state,
            "subject": alert.subject_label,
            "labels": alert.labels,
            "value": alert.value,
            "value_text": ctx["value"],
            "summary": alert.summary,
            "started_at": iso(alert.started_at),
            "fired_at": iso(alert.fired_at),
            "resolved_at": iso(alert.resolved_at),
            "acknowledged": alert.acknowledged_at is not None,
            "url": ctx["alert_url"],
            "subject_url": ctx["subject_url"],
        },
    }


def post_webhook(notice: Notification) -> None:
    channel = notice.channel
    body = json.dumps(payload(notice.alert, notice.kind)).encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if channel.header_name and channel.header_value:
        headers[channel.header_name] = channel.header_value
    backoff = float(getattr(settings, "ALERTS_WEBHOOK_BACKOFF_S", 1.0))
    for attempt in range(channel.max_retries + 1):
        notice.attempts = attempt + 1
        request = urllib.request.Request(  # noqa: S310 - the URLField allows http(s) only
            channel.webhook_url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=channel.timeout_s) as response:  # noqa: S310
                response.read(1024)
            notice.status, notice.error = NotificationStatus.SENT, ""
            return
        except urllib.error.HTTPError as exc:
            notice.error = f"HTTP {exc.code} {exc.reason}"
            if exc.code < 500:
                break
        except TimeoutError:
            notice.error = f"no answer within {channel.timeout_s:g} s"
        except urllib.error.URLError as exc:
            reason = exc.reason
            notice.error = (
                f"no answer within {channel.timeout_s:g} s"
                if isinstance(reason, TimeoutError)
                else f"cannot reach {channel.webhook_url}: {reason}"
            )
        if attempt < channel.max_retries:
            time.sleep(backoff * 2**attempt)
    notice.status = NotificationStatus.FAILED
