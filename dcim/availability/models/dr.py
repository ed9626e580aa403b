"""Disaster-recovery plans, their drill schedules and the record of each drill.

A drill's steps are timed one by one (start and end), because the question after a
drill is which step ate the RTO; follow-up actions have an owner and a due date so that
open ones can be flagged and notified.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.availability.models.group import RedundancyGroup
from dcim.inventory.models import Site
from dcim.maintenance import recurrence


class DRPlan(models.Model):
    """What must come back, how fast (RTO) and with how little loss (RPO), and how."""

    name = models.CharField(max_length=100, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="dr_plans")
    scope = models.TextField(help_text="What this plan recovers.")
    groups = models.ManyToManyField(RedundancyGroup, blank=True, related_name="dr_plans")
    rto = models.DurationField("RTO")
    rpo = models.DurationField("RPO")
    history = HistoricalRecords(m2m_fields=[groups])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DRStep(models.Model):
    plan = models.ForeignKey(DRPlan, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=100, help_text="Role or person who carries it out.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="ha_drstep_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class DrillSchedule(models.Model):
    """When a plan is drilled: an RFC 5545 RRULE from a first date, expanded by the
    maintenance app's recurrence (one implementation of RRULE in the product)."""

    plan = models.OneToOneField(DRPlan, on_delete=models.CASCADE, related_name="schedule")
    rrule = models.CharField(
        "RRULE", max_length=200, help_text="e.g. FREQ=MONTHLY;INTERVAL=6 (twice a year)."
    )
    dtstart = models.DateTimeField("first drill")
    grace = models.DurationField(
        default=timedelta(days=7), help_text="A drill this late after its date is overdue."
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.plan.name}: {self.rrule}"

    def clean(self) -> None:
        try:
            recurrence.validate_rule(self.rrule)
        except recurrence.RecurrenceError as exc:
            raise ValidationError({"rrule": str(exc)}) from exc

    def occurrences(self, until: datetime) -> list[datetime]:
        """The drill dates from the first one up to ``until``, in the site's zone (07:00
        local stays 07:00 local across DST)."""
        tz = ZoneInfo(self.plan.site.timezone)
        return recurrence.occurrences(self.rrule, self.dtstart.astimezone(tz), until)


class Outcome(models.TextChoices):
    PASSED = "passed", "Passed (within RTO and RPO)"
    PARTIAL = "partial", "Partly passed"
    FAILED = "failed", "Failed"


class DrillRecord(models.Model):
    plan = models.ForeignKey(DRPlan, on_delete=models.PROTECT, related_name="drills")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    led_by = models.CharField("who", max_length=200)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    findings = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.plan.name} drill {self.started_at:%Y-%m-%d}"

    def clean(self) -> None:
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": "A drill cannot end before it starts."})


class DrillStepRun(models.Model):
    drill = models.ForeignKey(DrillRecord, on_delete=models.CASCADE, related_name="step_runs")
    step = models.ForeignKey(DRStep, on_delete=models.PROTECT, related_name="runs")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["drill", "step__order"]

    def __str__(self) -> str:
        return f"{self.drill}: {self.step}"

    def clean(self) -> None:
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": "A step cannot end before it starts."})


class FollowUpAction(models.Model):
    drill = models.ForeignKey(DrillRecord, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=100)
    due = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.title
