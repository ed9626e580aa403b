"""Alerts and their history: every state change is a row (the Healthchecks way)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from dcim.alerts.models.choices import OPEN_STATES, EventKind, Severity, State
from dcim.alerts.models.rule import Rule


class Alert(models.Model):
    """One episode of a rule's condition on one subject: pending → firing → resolved.

    ``subject_key`` is the dedup key with the rule: "<device>/<component>" for metric rules,
    "target:<id>" for collector rules. At most one open (pending or firing) alert exists
    per rule and subject; when it resolves, the next episode is a new row.
    """

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="alerts")
    subject_key = models.CharField(max_length=200)
    subject_label = models.CharField(max_length=200)
    device = models.ForeignKey(
        "inventory.Device", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    component = models.CharField(max_length=120, blank=True)
    target = models.ForeignKey(
        "telemetry.CollectionTarget",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    value = models.FloatField(null=True, blank=True)
    value_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(help_text="When the condition became true.")
    fired_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    cleared_since = models.DateTimeField(
        null=True, blank=True, help_text="Firing, but the condition is false since then."
    )
    summary = models.TextField(blank=True)
    labels = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ack_comment = models.CharField("acknowledgement comment", max_length=500, blank=True)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key"],
                condition=Q(state__in=["pending", "firing"]),
                name="alert_one_open_per_rule_subject",
            )
        ]
        indexes = [
            models.Index(fields=["state", "severity"], name="alert_state_severity"),
            models.Index(fields=["subject_key", "rule"], name="alert_subject_rule"),
            models.Index(fields=["-started_at"], name="alert_started"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.name} on {self.subject_label} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def acknowledge(self, user, comment: str = "", at: datetime | None = None) -> None:
        """Someone is on it: repeats stop; the alert stays recorded and keeps its state."""
        from django.utils import timezone

        at = at or timezone.now()
        self.acknowledged_at, self.acknowledged_by, self.ack_comment = at, user, comment[:500]
        self.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_comment"])
        AlertEvent.objects.create(
            alert=self, at=at, kind=EventKind.ACKNOWLEDGED, user=user, note=comment[:500]
        )

    def unacknowledge(self, user, at: datetime | None = None) -> None:
        from django.utils import timezone

        self.acknowledged_at, self.acknowledged_by, self.ack_comment = None, None, ""
        self.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_comment"])
        AlertEvent.objects.create(
            alert=self, at=at or timezone.now(), kind=EventKind.UNACKNOWLEDGED, user=user
        )


class AlertEvent(models.Model):
    """A transition or an action on an alert, with the value and time it happened at."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    value = models.FloatField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["alert", "at"], name="alertevent_alert_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M:%S}"


class CounterMark(models.Model):
    """The last value of each counter a rate rule watches: a rate needs no sample scan,
    and every worker process sees the same previous value."""

    device_id = models.BigIntegerField(null=True)
    component = models.CharField(max_length=120)
    metric = models.CharField(max_length=120)
    ts = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device_id", "component", "metric"], name="countermark_unique_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.component}/{self.metric} = {self.value}"
