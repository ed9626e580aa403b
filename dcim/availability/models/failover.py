"""Failover records, and the webhook sources that may report them.

A record is one event: the service moved from one member to another (or was lost and
came back). Detected records are written by ``dcim.availability.detection`` and the
webhook, deduplicated by (source, dedup key); an Operator then annotates them (cause,
impact, data loss, post-incident link), which sets ``annotated_by``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.availability.models.group import Member, RedundancyGroup


class FailoverKind(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic failover"
    SWITCHOVER = "switchover", "Manual switchover"
    DRILL = "drill", "Drill"


class FailoverSource(models.TextChoices):
    OPERATOR = "operator", "Entered by an Operator"
    SNMP = "snmp", "Detected over SNMP"
    MODBUS = "modbus", "Detected over Modbus"
    WEBHOOK = "webhook", "Cluster manager webhook"


class Failover(models.Model):
    """One failover, switchover or drill of a group. RTO met / RPO met are computed
    (restore time and data loss against the group's targets), never typed in."""

    group = models.ForeignKey(RedundancyGroup, on_delete=models.PROTECT, related_name="failovers")
    kind = models.CharField(max_length=16, choices=FailoverKind.choices)
    old_active = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_active = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detected_at = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When service was lost.")
    restored_at = models.DateTimeField(null=True, blank=True, help_text="When it was back.")
    cause = models.TextField(blank=True)
    impact = models.TextField(blank=True)
    data_loss = models.DurationField(
        null=True, blank=True, help_text="Data lost, as time (compare with RPO); blank: unknown."
    )
    notes = models.TextField(blank=True)
    post_incident_url = models.URLField("post-incident review", blank=True)
    source = models.CharField(
        max_length=16, choices=FailoverSource.choices, default=FailoverSource.OPERATOR
    )
    dedup_key = models.CharField(max_length=200, blank=True)
    annotated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    annotated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "dedup_key"],
                condition=~models.Q(dedup_key=""),
                name="ha_failover_dedup",
            )
        ]

    def __str__(self) -> str:
        return f"{self.group.name}: {self.get_kind_display()} at {self.detected_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        errors = {}
        if self.started_at and self.restored_at and self.restored_at < self.started_at:
            errors["restored_at"] = "Restored cannot be before started."
        for f in ("old_active", "new_active"):
            m = getattr(self, f)
            if m is not None and self.group_id and m.group_id != self.group_id:
                errors[f] = f"{m.device.name} is not a member of this group."
        if errors:
            raise ValidationError(errors)

    @property
    def time_to_restore(self):
        """Restored − started (started unknown: detected); None while not restored."""
        begin = self.started_at or self.detected_at
        if self.restored_at is None or begin is None:
            return None
        return max(self.restored_at - begin, timedelta(0))

    @property
    def rto_met(self) -> bool | None:
        ttr = self.time_to_restore
        return None if ttr is None else ttr <= self.group.rto

    @property
    def rpo_met(self) -> bool | None:
        return None if self.data_loss is None else self.data_loss <= self.group.rpo

    @property
    def needs_annotation(self) -> bool:
        return self.source != FailoverSource.OPERATOR and self.annotated_by_id is None


class WebhookKind(models.TextChoices):
    PACEMAKER = "pacemaker", "Pacemaker alert agent"
    PATRONI = "patroni", "Patroni callback"


def hash_token(token: str) -> str:
    """SHA-256 of a token. A token is 32 random bytes, so a fast hash is enough (no
    dictionary to guess from), and only the hash is kept: nobody needs it read back."""
    return hashlib.sha256(token.encode()).hexdigest()


class WebhookSource(models.Model):
    """A cluster manager allowed to report failovers of one group, with its own token.

    Only the token's SHA-256 is stored (like an API key, not like an SNMP credential that
    must be sent on: the console never presents this token to anyone)."""

    name = models.CharField(max_length=100, unique=True)
    group = models.ForeignKey(
        RedundancyGroup, on_delete=models.CASCADE, related_name="webhook_sources"
    )
    kind = models.CharField(max_length=16, choices=WebhookKind.choices)
    token_sha256 = models.CharField(max_length=64, editable=False)
    enabled = models.BooleanField(default=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["token_sha256"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def new_token(self) -> str:
        """Set a fresh token and return it (shown once; only its hash is saved)."""
        token = secrets.token_urlsafe(32)
        self.token_sha256 = hash_token(token)
        return token

    def accepts(self, token: str) -> bool:
        return (
            bool(token)
            and self.enabled
            and hmac.compare_digest(self.token_sha256, hash_token(token))
        )
