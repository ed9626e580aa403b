"""Work orders: the checklist done during a window, who did it, and the evidence."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dcim.maintenance.attachments import validate_attachment
from dcim.maintenance.choices import ItemKind, ItemResult


class WorkOrder(models.Model):
    """The work of one window: a checklist copied from a template, an assignee, and its
    completion by a named user at a time. A completed work order with a failed item stays
    flagged (``has_failures``): a failed check is a finding, not a formality."""

    window = models.OneToOneField(
        "maintenance.MaintenanceWindow", on_delete=models.CASCADE, related_name="work_order"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Work order of {self.window}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    def fill_from(self, template) -> None:
        """Copy a template's items (once: an order that has items keeps them)."""
        if template is None or self.items.exists():
            return
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                work_order=self, position=i.position, text=i.text, kind=i.kind, unit=i.unit
            )
            for i in template.items.all()
        )

    def has_failures(self) -> bool:
        return self.items.filter(result=ItemResult.FAIL).exists()

    def complete(self, user, at=None) -> None:
        """Completed by ``user``; refused while an item is not done (a failed item is done:
        its failure is what gets recorded)."""
        if self.items.filter(result=ItemResult.OPEN).exists():
            raise ValidationError("Every checklist item needs a result (pass or fail) first.")
        self.completed_by, self.completed_at = user, at or timezone.now()
        self.save()


class ChecklistItem(models.Model):
    """One line of a work order: pass or fail, a measured value with its unit, a note."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=ItemKind.choices, default=ItemKind.CHECK)
    unit = models.CharField(max_length=20, blank=True)
    result = models.CharField(max_length=8, choices=ItemResult.choices, default=ItemResult.OPEN)
    value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    note = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["work_order", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if self.kind == ItemKind.MEASURE and self.result != ItemResult.OPEN and self.value is None:
            raise ValidationError(
                {"value": f"Enter the measured value ({self.unit or 'no unit'})."}
            )
        if self.result == ItemResult.FAIL and not self.note.strip():
            raise ValidationError({"note": "Say what failed: a failed item needs a note."})


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"maintenance/{instance.work_order.window_id}/{filename}"


class Attachment(models.Model):
    """A photo or PDF of the work, stored under MEDIA_ROOT and served only after login."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, validators=[validate_attachment])
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
