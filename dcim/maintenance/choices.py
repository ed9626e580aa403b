"""Choices as classes: every enumerated value of the maintenance app in one place."""

from django.db import models


class WindowKind(models.TextChoices):
    PREVENTIVE = "preventive", "Preventive"
    CORRECTIVE = "corrective", "Corrective"
    EMERGENCY = "emergency", "Emergency"
    VENDOR = "vendor", "Vendor"


class WindowState(models.TextChoices):
    """scheduled → in progress → done, or cancelled (from scheduled or in progress)."""

    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# States whose windows count as planned downtime and hold back alerts.
LIVE_STATES = (WindowState.SCHEDULED, WindowState.IN_PROGRESS, WindowState.DONE)


class ItemKind(models.TextChoices):
    CHECK = "check", "Pass / fail"
    MEASURE = "measure", "Measured value"


class ItemResult(models.TextChoices):
    OPEN = "open", "Not done"
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"


# States whose windows are not finished yet (overdue once past their planned end).
OPEN_STATES = (WindowState.SCHEDULED, WindowState.IN_PROGRESS)
