"""Delivery: an email through Django's backend, or a JSON POST with a deadline and retries.

The POST itself (checked target, one deadline, no redirects) is ``webhook_http``.
A webhook that answers 5xx, refuses, or does not answer within the channel's timeout is
tried again after ``ALERTS_WEBHOOK_BACKOFF_S`` × 2^n seconds, ``max_retries`` times; a 4xx
is the receiver saying no, and is not retried. The outcome, the attempts and the last error
are kept on the ``Notification`` row.
"""

from __future__ import annotations

import http.client
import json
import socket
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dcim.alerts import webhook_http
from dcim.alerts.links import absolute, rack_url, subject_url
from dcim.alerts.models import Alert, ChannelKind, Notification, NotificationStatus
from dcim.alerts.target_policy import TargetRefused, redact
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
    except Exception as exc:  # the text may quote the URL (the secret of Slack-style hooks)
        url = notice.channel.webhook_url
        text = f"{type(exc).__name__}: {exc}"
        if url:
            text = text.replace(url, redact(url))
        notice.status, notice.error = NotificationStatus.FAILED, text
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
    """POST the payload; sent only on a 2xx from the configured URL itself.

    5xx, no connection and no answer within ``timeout_s`` (for the whole exchange) are
    retried; 4xx, 3xx (redirects are not followed: the body did not reach this URL, and
    our secret header must not go to another origin) and a refused target are not. Errors
    name the URL only as ``scheme://host/…``: a Slack-style URL is itself the secret.
    """
    channel = notice.channel
    body = json.dumps(payload(notice.alert, notice.kind)).encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if channel.header_name and channel.header_value:
        headers[channel.header_name] = channel.header_value
    backoff = float(getattr(settings, "ALERTS_WEBHOOK_BACKOFF_S", 1.0))
    shown = redact(channel.webhook_url)
    for attempt in range(channel.max_retries + 1):
        notice.attempts = attempt + 1
        retry = False
        try:
            answer = webhook_http.post(
                channel.webhook_url,
                body,
                headers,
                deadline_s=channel.timeout_s,
                allow_private=getattr(settings, "ALERTS_WEBHOOK_ALLOW_PRIVATE", False),
                allow_loopback=getattr(settings, "ALERTS_WEBHOOK_ALLOW_LOOPBACK", False),
            )
        except TargetRefused as exc:
            notice.error = f"refused to send to {shown}: {exc}"
        except webhook_http.DeadlineExceeded:
            notice.error, retry = f"no answer within {channel.timeout_s:g} s", True
        except socket.gaierror as exc:
            notice.error, retry = f"cannot resolve {shown}: {exc.strerror}", True
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            notice.error, retry = f"cannot reach {shown}: {reason}", True
        else:
            if 200 <= answer.status < 300:
                notice.status, notice.error = NotificationStatus.SENT, ""
                return
            notice.error = f"HTTP {answer.status} {answer.reason}"
            if 300 <= answer.status < 400:
                notice.error += f": redirect to {redact(answer.location)} not followed"
            retry = answer.status >= 500
        if not retry:
            break
        if attempt < channel.max_retries:
            time.sleep(backoff * 2**attempt)
    notice.status = NotificationStatus.FAILED
