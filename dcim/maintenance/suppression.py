"""The check alerting asks before notifying: is this device in a maintenance window?

Registered from ``MaintenanceConfig.ready()`` with
``dcim.alerts.suppression_checks.register_maintenance_check``; alerting cannot import this
app (layers, docs/decisions/0017). The alert is still recorded; only the notice is held.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dcim.maintenance.windows import windows_holding


def window_reason(device: Any, now: datetime) -> str:
    """ "in maintenance: <window title>" when a live window holds the device, else ""."""
    if device is None or getattr(device, "pk", None) is None:
        return ""
    held = windows_holding(device.pk, now)
    if not held:
        return ""
    return f"in maintenance: {held[0][0].title}"
