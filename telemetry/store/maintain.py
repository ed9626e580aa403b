"""The periodic work: partitions ahead, retention, rollups (what the beat tasks call)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from telemetry.store import partitions
from telemetry.store.config import get_config
from telemetry.store.retention import apply_retention


@dataclass
class MaintainReport:
    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def maintain(now: datetime | None = None) -> MaintainReport:
    """Create partitions ahead (and back to the raw retention) and drop expired ones.

    Idempotent; run it hourly (the partitions are created ``days_ahead`` days early, so a
    missed run or two costs nothing).
    """
    cfg = get_config()
    now = now or timezone.now()
    back = cfg.raw_retention.days if cfg.raw_retention is not None else 0
    report = MaintainReport()
    report.dropped = apply_retention(now)
    report.created = partitions.create_ahead(now, cfg.days_ahead, days_back=back)
    return report
