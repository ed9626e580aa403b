"""Checks that apps above alerting register to hold back notices.

Alerting must not import the maintenance app (it sits above alerting), yet it must ask it
whether a device is in a maintenance window. So the maintenance app registers a check here,
from its ``AppConfig.ready()``::

    from dcim.alerts.suppression_checks import register_maintenance_check
    register_maintenance_check(window_reason)   # (device, now) -> "in maintenance: <window>" or ""

Alerts on the device are then still recorded, but not notified (Zabbix's "maintenance with
data collection", Alertmanager's silences).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

MaintenanceCheck = Callable[[Any, datetime], str]

_maintenance_checks: list[MaintenanceCheck] = []


def register_maintenance_check(check: MaintenanceCheck) -> None:
    """Add a check; registering the same function twice keeps one."""
    if check not in _maintenance_checks:
        _maintenance_checks.append(check)


def unregister_maintenance_check(check: MaintenanceCheck) -> None:
    if check in _maintenance_checks:
        _maintenance_checks.remove(check)


def maintenance_reason(device: Any, now: datetime) -> str:
    """The first registered check's reason for the device at ``now``, or ""."""
    for check in _maintenance_checks:
        if reason := check(device, now):
            return reason
    return ""
