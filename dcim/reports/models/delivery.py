"""Deliveries (one report sent once, for one occurrence or one "send now") and their
attempts; a delivery keeps its PDF as the archive copy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dcim.inventory.models import Site
from dcim.reports.choices import AttemptResult, DeliveryStatus, ReportKind, Trigger


def archive_path(instance: Delivery, filename: str) -> str:
    return f"reports/{instance.site_id}/{instance.created_at:%Y/%m}/{filename}"


class Delivery(models.Model):
    """One report sent to its recipients: what, when, to whom, how big, and how it went.

    A scheduled delivery is unique per (subscription, occurrence): the beat task may run
    twice over the same minute, or on two beat processes, and still send once. Every SMTP
    try is an ``Attempt`` row, so a refused first try and the retry that got through are
    both on record. The PDF is kept under MEDIA_ROOT as the archive copy until
    ``REPORTS_ARCHIVE_DAYS`` pass (the row stays, the file goes).
    """

    subscription = models.ForeignKey(
        "reports.Subscription",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    report = models.CharField(max_length=32, choices=ReportKind.choices)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    occurrence = models.DateTimeField(
        null=True, blank=True, help_text="The scheduled time this delivery is for."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    recipients = models.JSONField(default=list, blank=True)
    title = models.CharField(max_length=300, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    pdf = models.FileField(upload_to=archive_path, blank=True, max_length=300)
    pdf_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "occurrence"],
                condition=Q(occurrence__isnull=False),
                name="reports_delivery_once_per_occurrence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_report_display()} for {self.site} ({self.get_status_display()})"


class Attempt(models.Model):
    """One try at handing the message to the SMTP server."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    result = models.CharField(max_length=16, choices=AttemptResult.choices)
    error = models.TextField(blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="reports_attempt_once")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.result}"
