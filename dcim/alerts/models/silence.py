"""Silences: matchers over alert labels, for a time, by someone, for a reason."""

from __future__ import annotations

from datetime import datetime
from fnmatch import fnmatchcase

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Silence(models.Model):
    """Alerts whose labels match every matcher are recorded but not notified.

    ``matchers`` maps a label (rule, severity, device, component, rack, room, site, role,
    metric, or a rule's own labels) to a value or a shell-style pattern ("gpu*").
    """

    matchers = models.JSONField(help_text='e.g. {"device": "gpu-01", "rule": "GPU lost"}')
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["ends_at"], name="silence_ends")]

    def __str__(self) -> str:
        pairs = ", ".join(f"{k}={v}" for k, v in sorted(self.matchers.items()))
        return f"{pairs} until {self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if not isinstance(self.matchers, dict) or not self.matchers:
            raise ValidationError({"matchers": "Give at least one label and value."})
        if not all(isinstance(v, str | int | float) for v in self.matchers.values()):
            raise ValidationError({"matchers": "Matcher values are text or numbers."})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A silence ends after it starts."})

    def active_at(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def matches(self, labels: dict) -> bool:
        return all(
            fnmatchcase(str(labels.get(k, "")), str(pattern))
            for k, pattern in self.matchers.items()
        )
