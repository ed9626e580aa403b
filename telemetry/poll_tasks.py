"""Celery tasks that run the collection: dispatch due polls, poll, ingest results.

Beat runs ``dispatch_polls`` every few seconds (a django-celery-beat entry, editable in
admin); each target's own interval lives on the target. Central polls go to the queues
``poll.snmp``, ``poll.modbus`` and ``poll.http``; NVML polls go to ``nvml.<host>``, served by
the GPU-host agent (telemetry.agent), whose results come back on the ``ingest`` queue.
"""

from __future__ import annotations

from collections import defaultdict

from celery import current_app, shared_task

from telemetry import polling
from telemetry.readings import PollResult
from telemetry.targets import CollectionTarget, Protocol

CHUNK = 200  # targets per poll task: big enough for concurrency, small enough to spread


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
