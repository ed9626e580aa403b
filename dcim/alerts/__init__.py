"""Alerting: rules over telemetry, an alert lifecycle kept as history, silences, notifications.

Other apps use only these names::

    evaluate(device_id, readings, at, target=None) -> EvalReport
    tick(now=None) -> TickReport    # beat: for-durations, keep-firing, absence, repeats
    summary() -> dict               # counts by state and severity, for the Overview

Stored polls reach the engine through telemetry's ``poll_stored`` signal, connected in
``AlertsConfig.ready()``: telemetry never imports alerting. Each function below imports its
module when called because Django imports this package before the app registry is ready,
and those modules import models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from telemetry.readings import Reading


def evaluate(
    device_id: int | None, readings: list[Reading], at: datetime, target: Any = None
) -> Any:
    from dcim.alerts.engine import evaluate as run

    return run(device_id, readings, at, target=target)


def tick(now: datetime | None = None) -> Any:
    from dcim.alerts.engine import tick as run

    return run(now)


def summary() -> dict:
    """Alert counts for the Overview: by state, and by severity within firing and pending.

    ``{"firing": 3, "pending": 1, "acknowledged": 1, "silenced": 0,
    "firing_by_severity": {"critical": 2, "warning": 1, "info": 0}, "pending_by_severity": …}``
    """
    from dcim.alerts.queries import summary as run

    return run()


__all__ = ["evaluate", "summary", "tick"]
