"""Enumerations of the alerts app, in one place."""

from django.db import models


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Source(models.TextChoices):
    METRIC = "metric", "Metric (telemetry)"
    COLLECTOR = "collector", "Collector health (consecutive failures)"


class Condition(models.TextChoices):
    GT = "gt", "value > threshold"
    GE = "ge", "value ≥ threshold"
    LT = "lt", "value < threshold"
    LE = "le", "value ≤ threshold"
    EQ = "eq", "value = threshold"
    NE = "ne", "value ≠ threshold"
    OUTSIDE = "outside", "value outside [threshold, threshold high]"
    IN = "in", "value is one of the listed values"
    INCREASE = "increase", "counter increased (any rise)"
    RATE_GT = "rate_gt", "counter rate > threshold per second"
    ABSENT = "absent", "no data for the absence period"


class Reference(models.TextChoices):
    NONE = "", "none: compare the value itself"
    SIBLING = "sibling", "minus a sibling metric of the same device and component"
    FEED = "feed", "as % of the device's feeds' available power"


class State(models.TextChoices):
    PENDING = "pending", "Pending"
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"


OPEN_STATES = (State.PENDING, State.FIRING)


class EventKind(models.TextChoices):
    PENDING = "pending", "Pending"
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    UNACKNOWLEDGED = "unacknowledged", "Acknowledgement removed"
    SILENCED = "silenced", "Silenced"
    SUPPRESSED = "suppressed", "Notification suppressed"
    NOTIFIED = "notified", "Notified"
    NOTIFY_FAILED = "notify_failed", "Notification failed"


class ChannelKind(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook (JSON POST)"


class NotificationKind(models.TextChoices):
    FIRING = "firing", "Firing"
    REPEAT = "repeat", "Repeat (still firing)"
    RESOLVED = "resolved", "Resolved"


class NotificationStatus(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed"
