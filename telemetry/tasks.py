"""Celery tasks of telemetry: collection (dispatch, polls, results from GPU-host agents)
and the store's upkeep.

Beat runs ``dispatch_polls`` every few seconds (a django-celery-beat entry, editable in
admin); each target's own interval lives on the target. Central polls go to the queues
``poll.snmp``, ``poll.modbus`` and ``poll.http``; NVML polls go to ``nvml.<host>``, served by
the GPU-host agent (telemetry.agent), whose results come back on the ``ingest`` queue.
Beat also runs ``rollup_store`` every minute (5-minute and hourly rollups) and
``maintain_store`` hourly (partitions ahead, retention).
"""

from __future__ import annotations

from collections import defaultdict

from celery import current_app, shared_task

from telemetry import polling, store
from telemetry.models import CollectionTarget, Protocol
from telemetry.readings import PollResult

CHUNK = 200  # targets per poll task: big enough for concurrency, small enough to spread


@shared_task(name="telemetry.tasks.maintain_store")
def maintain_store() -> dict:
    r = store.maintain()
    return {"created": r.created, "dropped": r.dropped}


@shared_task(name="telemetry.tasks.rollup_store")
def rollup_store() -> dict:
    r = store.run_rollups()
    return {"rows_5m": r.rows_5m, "rows_1h": r.rows_1h, "late_buckets": r.late_buckets}


@shared_task(name="telemetry.tasks.dispatch_polls", ignore_result=True)
def dispatch_polls() -> dict[str, int]:
    """Claim the due targets and send one poll task per chunk to each protocol's queue."""
    central: dict[str, list[int]] = defaultdict(list)
    sent = defaultdict(int)
    for target in polling.claim_due():
        # A poll message older than the target's interval is worth nothing: let it expire.
        if target.protocol == Protocol.NVML:
            current_app.send_task(
                "telemetry.collect_nvml",
                args=[target.pk, target.address],
                queue=target.queue,
                expires=target.interval_s,
            )
            sent[target.queue] += 1
        else:
            central[target.queue].append(target.pk)
    for queue, ids in central.items():
        for start in range(0, len(ids), CHUNK):
            poll_targets.apply_async(args=[ids[start : start + CHUNK]], queue=queue, expires=60)
            sent[queue] += len(ids[start : start + CHUNK])
    return dict(sent)


@shared_task(name="telemetry.tasks.poll_targets", ignore_result=True)
def poll_targets(target_ids: list[int]) -> int:
    return len(polling.poll_targets(target_ids))


@shared_task(name="telemetry.tasks.ingest_poll_result", ignore_result=True, acks_late=True)
def ingest_poll_result(target_id: int, result: dict) -> int:
    """Store a result sent back by a GPU-host agent. Safe to redeliver."""
    target = CollectionTarget.objects.filter(pk=target_id).first()
    if target is None:  # the target was deleted while its poll was in flight
        return 0
    return polling.store_result(target, PollResult.from_json(result))
