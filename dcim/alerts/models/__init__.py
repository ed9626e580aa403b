"""The alerts app's models: rules, alerts with their history, silences, channels, routes."""

from dcim.alerts.models.alert import Alert, AlertBatch, AlertEvent, CounterMark, TransitionError
from dcim.alerts.models.channel import Channel, Notification, Route
from dcim.alerts.models.choices import (
    OPEN_STATES,
    SEVERITY_RANK,
    ChannelKind,
    Condition,
    EventKind,
    NotificationKind,
    NotificationStatus,
    Reference,
    Severity,
    Source,
    State,
)
from dcim.alerts.models.rule import Rule
from dcim.alerts.models.silence import Silence

__all__ = [
    "OPEN_STATES",
    "SEVERITY_RANK",
    "Alert",
    "AlertBatch",
    "AlertEvent",
    "Channel",
    "ChannelKind",
    "Condition",
    "CounterMark",
    "EventKind",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "Reference",
    "Route",
    "Rule",
    "Severity",
    "Silence",
    "Source",
    "State",
    "TransitionError",
]
