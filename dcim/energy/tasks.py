"""Celery task of energy: keep the ledger current, publish its alerting readings, then
warm the Power & PUE page's cache.

Beat runs ``energy.update_ledger`` every 5 minutes (a django-celery-beat entry created by
migration 0002, editable in admin). The work is in plain functions (``run``, and below it
``dcim.energy.ledger.update_ledger``, ``dcim.energy.alerting.publish`` and
``dcim.energy.views.warm_sites``); the task only calls them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from celery import shared_task
from django.db import connection
from django.utils import timezone

from dcim.energy import alerting, ledger, views

log = logging.getLogger(__name__)
# One run at a time: a first run reads a year of history per meter and may outlast the
# 5-minute interval; a second one alongside would rewrite the same hours.
LEDGER_LOCK_KEY = 0x7E1E_E001


@contextmanager
def exclusive() -> Iterator[bool]:
    """Hold the ledger lock (a PostgreSQL session advisory lock) for the block; yields
    False, holding nothing, while another run or rebuild holds it."""
    taken = _lock("SELECT pg_try_advisory_lock(%s)")
    try:
        yield taken
    finally:
        if taken:
            _lock("SELECT pg_advisory_unlock(%s)")


def _lock(sql: str) -> bool:
    with connection.cursor() as cur:
        cur.execute(sql, [LEDGER_LOCK_KEY])
        return bool(cur.fetchone()[0])


def run(now: datetime | None = None) -> dict:
    """Update the ledger up to ``now``, write and evaluate the derived readings, then warm
    the page's cache for what changed. Skipped (and said so) while another run holds the
    lock. Warming runs after the lock is released (it only reads the ledger) and at the
    clock's time, which is what the page's next request uses."""
    now = now or timezone.now()
    with exclusive() as taken:
        if not taken:
            log.info("energy ledger run skipped: another run is in progress")
            return {"skipped": True}
        r = ledger.update_ledger(now=now)
        a = alerting.publish(now=now)
    if r.unresolved_meters:
        log.warning("energy meters without a series: %s", ", ".join(r.unresolved_meters))
    warmed = _warm()
    return {
        "series": r.series,
        "hours": r.hours,
        "days": r.days,
        "boundary_hours": r.boundary_hours,
        "unresolved_meters": r.unresolved_meters,
        "coverage_readings": a.coverage_readings,
        "pue_readings": a.pue_readings,
        "alerts_fired": a.fired,
        "alerts_resolved": a.resolved,
        "warmed_sites": warmed,
    }


def _warm() -> list[str]:
    """The sites whose page cache was warmed; a failure is logged, never raised: the ledger
    run has done its work, and the page computes what it misses."""
    try:
        return views.warm_sites(timezone.now())
    except Exception:
        log.exception("warming the Power & PUE page after the ledger run failed")
        return []


# A first run reads a year of history per meter, well past the default 240 s; the hard
# limit stays under the broker's visibility timeout (1000 s) so a running ledger is
# never delivered twice (the lock would skip it, but it would count as a delivery).
@shared_task(name="energy.update_ledger", soft_time_limit=840, time_limit=900)
def update_ledger() -> dict:
    """The ledger up to now, energy's alerting readings, then the page's cache warmed
    (every 5 minutes)."""
    return run()
