"""Retention per resolution by dropping whole partitions, never by DELETE.

A partition is dropped when its *end* is older than now - retention, so nothing younger
than the retention is lost, and a day's data goes in one cheap catalog operation instead of
millions of dead tuples for VACUUM to chase.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from psycopg import sql

from telemetry.store import partitions
from telemetry.store.config import get_config
from telemetry.store.db import pg


def expired(kind: partitions.Kind, retention, now: datetime) -> list[str]:
    """Names of the partitions of ``kind`` whose whole range is older than the retention."""
    if retention is None:
        return []
    cutoff = now - retention
    return sorted(n for n, (_, end) in partitions.existing(kind).items() if end <= cutoff)


def apply_retention(now: datetime | None = None) -> list[str]:
    """Drop expired raw, 5-minute and hourly partitions; returns the names dropped."""
    cfg = get_config()
    now = now or timezone.now()
    dropped = []
    plan = [
        (partitions.RAW, cfg.raw_retention),
        (partitions.ROLLUP_5M, cfg.rollup_5m_retention),
        (partitions.ROLLUP_1H, cfg.rollup_1h_retention),
    ]
    for kind, retention in plan:
        for name in expired(kind, retention, now):
            with transaction.atomic():
                pg().execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
            dropped.append(name)
    if cfg.raw_retention is not None:
        # Late-data marks for buckets whose raw data is gone can never be rolled up again.
        pg().execute(
            "DELETE FROM telemetry_rollup_pending WHERE bucket < %s", [now - cfg.raw_retention]
        )
    if dropped:
        partitions.forget()
        # Cached closed buckets may describe data that is gone now.
        pg().execute("UPDATE telemetry_rollupstate SET generation = generation + 1 WHERE id = 1")
    return dropped
