"""Per-user secret tokens for the iCalendar feed: a calendar client cannot log in, so the
feed URL carries a secret. Only its SHA-256 is stored; revoking one closes that URL."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=8, editable=False, help_text="The token's first letters.")
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} {self.hint}…"

    @classmethod
    def issue(cls, user) -> tuple[CalendarToken, str]:
        """A new token for ``user``: the row, and the secret (shown once, never stored)."""
        token = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, token_sha256=digest(token), hint=token[:6]), token

    @classmethod
    def holder(cls, token: str):
        """The active user a token belongs to, or None (unknown, revoked, inactive user)."""
        if not token or len(token) > 100:
            return None
        row = (
            cls.objects.select_related("user")
            .filter(token_sha256=digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        cls.objects.filter(pk=row.pk).update(last_used=timezone.now())
        return row.user

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
