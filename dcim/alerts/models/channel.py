"""Where notifications go (channels), which alerts go where (routes), and what was sent."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models

from dcim.alerts.models.choices import (
    ChannelKind,
    NotificationKind,
    NotificationStatus,
    Severity,
)
from dcim.alerts.models.scope import PlaceScope
from dcim.crypto import EncryptedTextField


class Channel(models.Model):
    """An email list or a webhook. A webhook's secret header value is encrypted at rest and
    never shown again once saved."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    enabled = models.BooleanField(default=True)
    email_to = models.TextField("email recipients", blank=True, help_text="Comma-separated.")
    webhook_url = models.URLField("webhook URL", max_length=500, blank=True)
    header_name = models.CharField(
        max_length=100, blank=True, help_text="e.g. Authorization or X-Api-Key."
    )
    header_value = EncryptedTextField(blank=True)
    timeout_s = models.FloatField(
        "timeout (s)", default=5.0, validators=[MinValueValidator(0.1), MaxValueValidator(60)]
    )
    max_retries = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(10)])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def recipients(self) -> list[str]:
        return [a.strip() for a in self.email_to.replace(";", ",").split(",") if a.strip()]

    def clean(self) -> None:
        if self.kind == ChannelKind.EMAIL:
            if not self.recipients():
                raise ValidationError({"email_to": "An email channel needs recipients."})
            for address in self.recipients():
                try:
                    validate_email(address)
                except ValidationError:
                    raise ValidationError(
                        {"email_to": f"{address!r} is not an email address."}
                    ) from None
        if self.kind == ChannelKind.WEBHOOK and not self.webhook_url:
            raise ValidationError({"webhook_url": "A webhook channel needs a URL."})
        if self.header_value and not self.header_name:
            raise ValidationError({"header_name": "Name the header the secret goes in."})


class Route(PlaceScope):
    """Alerts at or above a severity, in a scope (empty = any), go to a channel."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="routes")
    enabled = models.BooleanField(default=True)
    min_severity = models.CharField(
        max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    rule = models.ForeignKey(
        "alerts.Rule", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    repeat_interval_s = models.PositiveIntegerField(
        "repeat every (s)",
        default=4 * 3600,
        validators=[MinValueValidator(60), MaxValueValidator(7 * 86400)],
        help_text="Send again while still firing and not acknowledged.",
    )
    send_resolved = models.BooleanField(default=True)

    class Meta:
        ordering = ["channel", "id"]

    def __str__(self) -> str:
        return f"≥ {self.min_severity} → {self.channel.name}"


class Notification(models.Model):
    """One notice for one alert on one channel: sent, failed (after retries) or suppressed."""

    alert = models.ForeignKey("alerts.Alert", on_delete=models.CASCADE, related_name="notices")
    channel = models.ForeignKey(Channel, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    reason = models.CharField(max_length=100, blank=True, help_text="Why it was suppressed.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["alert", "channel", "-created_at"], name="notice_alert_channel")
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.channel} ({self.status})"
