"""A subscription: which report, for which site, to whom, on what schedule."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dcim.inventory.models import Site
from dcim.reports import schedule
from dcim.reports.choices import DEFAULT_SCHEDULES, ReportKind

SEPARATORS = re.compile(r"[\s,;]+")


def split_addresses(text: str) -> list[str]:
    """The addresses of a free-text field: one per line, or separated by commas or
    semicolons."""
    return [a for a in SEPARATORS.split(text or "") if a]


class Subscription(models.Model):
    """One report for one site, sent to users, groups and plain addresses on an RFC 5545
    schedule in the site's own time zone.

    ``next_run_at`` (UTC) is the next occurrence, worked out in the site's zone when the
    subscription is saved and after each run, so the beat task only compares it with now.
    ``last_occurrence_at`` is the occurrence last fired: a subscription fires once per
    occurrence, however often the beat task runs (and the delivery row is unique per
    occurrence as well).
    """

    name = models.CharField(max_length=200)
    report = models.CharField(max_length=32, choices=ReportKind.choices)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="report_subscriptions")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    groups = models.ManyToManyField(Group, blank=True, related_name="+")
    addresses = models.TextField(
        blank=True, help_text="Further e-mail addresses, one per line or separated by commas."
    )
    rule = models.CharField(
        "schedule",
        max_length=300,
        help_text="An RFC 5545 RRULE in the site's time zone, e.g. FREQ=DAILY;BYHOUR=7;"
        "BYMINUTE=0 (daily at 07:00) or FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=7 (the 1st).",
    )
    starts_on = models.DateField(default=timezone.localdate)
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    last_occurrence_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[users, groups])

    class Meta:
        ordering = ["site__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_report_display()}, {self.site})"

    def save(self, *args, now: datetime | None = None, **kwargs) -> None:
        """Saved with its next run planned from ``now`` (an edited rule takes effect at
        once)."""
        if not self.rule:
            self.rule = DEFAULT_SCHEDULES[ReportKind(self.report)]
        self.plan_next(now)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if not self.rule and self.report:
            self.rule = DEFAULT_SCHEDULES[ReportKind(self.report)]
        try:
            schedule.validate_rule(self.rule)
        except schedule.RecurrenceError as exc:
            errors["rule"] = str(exc)
        bad = []
        for address in split_addresses(self.addresses):
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            errors["addresses"] = f"Not an e-mail address: {', '.join(bad)}."
        if errors:
            raise ValidationError(errors)

    @property
    def tz(self) -> str:
        return self.site.timezone

    def plan_next(self, after: datetime | None = None) -> None:
        """Set ``next_run_at``: the first occurrence after ``after`` (default: now, or the
        last occurrence fired, whichever is later). The caller saves."""
        after = after or timezone.now()
        if self.last_occurrence_at and self.last_occurrence_at > after:
            after = self.last_occurrence_at
        nxt = (
            schedule.next_after(self.rule, self.starts_on, self.tz, after) if self.enabled else None
        )
        self.next_run_at = nxt

    def recipients(self) -> list[str]:
        """Every address it goes to, once each: its users, its groups' active members and
        its plain addresses, in that order."""
        users = get_user_model().objects.filter(is_active=True).exclude(email="")
        picked = list(users.filter(pk__in=self.users.all()).values_list("email", flat=True))
        picked += users.filter(groups__in=self.groups.all()).values_list("email", flat=True)
        picked += split_addresses(self.addresses)
        return list(dict.fromkeys(a.strip() for a in picked if a.strip()))
