"""Celery tasks of the telemetry store. Suggested beat entries:

* ``telemetry.tasks.maintain_store`` hourly (partitions ahead, retention);
* ``telemetry.tasks.rollup_store`` every minute (5-minute and hourly rollups);
* ``telemetry.tasks.ingest_batch`` is what collectors' results are sent to.
"""

from __future__ import annotations

from celery import shared_task

from telemetry import store


@shared_task(name="telemetry.tasks.ingest_batch", acks_late=True)
def ingest_batch(batch: dict) -> dict:
    """Store one batch (JSON form). Safe to redeliver: values are stored once."""
    r = store.ingest(batch)
    return {"stored": r.stored, "duplicate": r.duplicate, "refused": dict(r.refused)}


@shared_task(name="telemetry.tasks.maintain_store")
def maintain_store() -> dict:
    r = store.maintain()
    return {"created": r.created, "dropped": r.dropped}


@shared_task(name="telemetry.tasks.rollup_store")
def rollup_store() -> dict:
    r = store.run_rollups()
    return {"rows_5m": r.rows_5m, "rows_1h": r.rows_1h, "late_buckets": r.late_buckets}


# Collection: dispatch, central polls and results from GPU-host agents.
from telemetry.poll_tasks import dispatch_polls, ingest_poll_result, poll_targets  # noqa: E402

__all__ = [
    "dispatch_polls",
    "ingest_batch",
    "ingest_poll_result",
    "maintain_store",
    "poll_targets",
    "rollup_store",
]
