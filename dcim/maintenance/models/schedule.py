"""Recurring preventive maintenance: a schedule (RRULE + exceptions) and checklist templates."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.maintenance.choices import ItemKind, WindowKind
from dcim.maintenance.models.assets import AffectedAssets
from dcim.maintenance.recurrence import RecurrenceError, validate_rule


class ChecklistTemplate(models.Model):
    """A reusable checklist (e.g. "UPS preventive maintenance, semi-annual"): its items are
    copied into each work order, so editing the template never rewrites finished work."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(
        max_length=16, choices=WindowKind.choices, default=WindowKind.PREVENTIVE
    )
    suggested_rrule = models.CharField(
        "suggested RRULE",
        max_length=200,
        blank=True,
        help_text="How often this work is usually done (RFC 5545), e.g. FREQ=MONTHLY;INTERVAL=6.",
    )
    duration_minutes = models.PositiveIntegerField(default=120)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=ItemKind.choices, default=ItemKind.CHECK)
    unit = models.CharField(max_length=20, blank=True, help_text="For measured values: V, %, °C…")

    class Meta:
        ordering = ["template", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Schedule(AffectedAssets):
    """Windows that recur: ``rrule`` (RFC 5545, e.g. ``FREQ=MONTHLY;INTERVAL=3``) from
    ``first_start`` in the site's zone, minus ``exdates``; each occurrence becomes a window
    ``duration_minutes`` long, generated ``lead_days`` ahead by the beat task
    (``dcim.maintenance.generate``). Occurrences keep their local wall-clock time across
    DST changes: the technicians come at 07:00 local all year."""

    site = models.ForeignKey("inventory.Site", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=16, choices=WindowKind.choices, default=WindowKind.PREVENTIVE
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rrule = models.CharField(
        "RRULE", max_length=300, help_text="RFC 5545 recurrence, e.g. FREQ=WEEKLY;BYDAY=MO."
    )
    first_start = models.DateTimeField(help_text="The first occurrence (entered in site time).")
    duration_minutes = models.PositiveIntegerField(
        default=120, validators=[MinValueValidator(1), MaxValueValidator(14 * 24 * 60)]
    )
    exdates = ArrayField(
        models.DateTimeField(),
        default=list,
        blank=True,
        help_text="Occurrences skipped (same wall-clock time as the rule's), comma-separated.",
    )
    lead_days = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(400)],
        help_text="How many days ahead windows are created.",
    )
    vendor = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def clean(self) -> None:
        try:
            validate_rule(self.rrule)
        except RecurrenceError as exc:
            raise ValidationError({"rrule": str(exc)}) from exc
