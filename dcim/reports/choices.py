"""The choices of the reports app, as classes."""

from django.db import models


class ReportKind(models.TextChoices):
    DAILY_OPERATIONS = "daily_operations", "Daily operations"
    WEEKLY_CAPACITY = "weekly_capacity", "Weekly capacity"
    MONTHLY_ENERGY = "monthly_energy", "Monthly energy"
    MONTHLY_AVAILABILITY = "monthly_availability", "Monthly availability"


# The schedule each report suggests: its RRULE in the site's wall-clock time.
DEFAULT_SCHEDULES = {
    ReportKind.DAILY_OPERATIONS: "FREQ=DAILY;BYHOUR=7;BYMINUTE=0",
    ReportKind.WEEKLY_CAPACITY: "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0",
    ReportKind.MONTHLY_ENERGY: "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=7;BYMINUTE=0",
    ReportKind.MONTHLY_AVAILABILITY: "FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=7;BYMINUTE=0",
}


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Send now"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class AttemptResult(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
