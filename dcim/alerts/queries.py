"""Read-side helpers for pages and the Overview."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from dcim.alerts.models import OPEN_STATES, Alert, Severity, Silence, State


def active_silences() -> list[Silence]:
    now = timezone.now()
    return list(Silence.objects.filter(starts_at__lte=now, ends_at__gt=now))


def is_silenced(alert: Alert, silences: list[Silence]) -> bool:
    return any(s.matches(alert.labels) for s in silences)


def summary(silences: list[Silence] | None = None) -> dict:
    """Open alert counts by state and severity (one query, plus one for the active silences
    unless the caller has them already)."""
    sev = {s.value: 0 for s in Severity}
    out = {
        "firing": 0,
        "pending": 0,
        "acknowledged": 0,
        "silenced": 0,
        "firing_by_severity": dict(sev),
        "pending_by_severity": dict(sev),
    }
    rows = (
        Alert.objects.filter(state__in=OPEN_STATES)
        .values("state", "severity")
        .annotate(n=Count("id"), acked=Count("acknowledged_at"))
    )
    for row in rows:
        out[row["state"]] += row["n"]
        out[f"{row['state']}_by_severity"][row["severity"]] += row["n"]
        out["acknowledged"] += row["acked"]
    if silences is None:
        silences = active_silences()
    if silences:
        firing = Alert.objects.filter(state=State.FIRING).only("labels")
        out["silenced"] = sum(1 for a in firing if is_silenced(a, silences))
    return out
