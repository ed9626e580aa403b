"""Celery tasks of telemetry: collection (dispatch, polls, results from GPU-host agents)
and the store's upkeep.

Beat runs ``dispatch_polls`` every few seconds (a django-celery-beat entry, editable in
admin); each target's own interval lives on the target. Central polls go to the queues
``poll.snmp``, ``poll.modbus`` and ``poll.http``; NVML polls go to ``nvml.<host>``, served by
the GPU-host agent (telemetry.agent), whose results come back on the ``ingest`` queue.
Beat also runs ``rollup_store`` every minute (5-minute and hourly rollups) and
``maintain_store`` hourly (partitions ahead, retention).

Every task has soft and hard time limits (defaults in settings, tighter here where a
task's work is known), runs under the poison-message guard (telemetry.dead_letters), and
results from GPU hosts are checked against their agent's signature (telemetry.signing).
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict

import psycopg
from celery import current_app, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from telemetry import polling, signing, store
from telemetry.agent_keys import agent_secret
from telemetry.dead_letters import GuardedTask, Undecodable, record
from telemetry.models import CollectionTarget, DeadLetterReason, Protocol
from telemetry.readings import PollResult

log = logging.getLogger(__name__)

CHUNK = 200  # targets per poll task: big enough for concurrency, small enough to spread
# A database restart or a dropped connection is worth retrying; anything else is not.
# The store writes through psycopg itself (binary COPY), so its errors come unwrapped.
TRANSIENT = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


@shared_task(
    name="telemetry.tasks.maintain_store", base=GuardedTask, soft_time_limit=600, time_limit=900
)
def maintain_store() -> dict:
    r = store.maintain()
    return {"created": r.created, "dropped": r.dropped}


@shared_task(
    name="telemetry.tasks.rollup_store", base=GuardedTask, soft_time_limit=240, time_limit=300
)
def rollup_store() -> dict:
    r = store.run_rollups()
    return {"rows_5m": r.rows_5m, "rows_1h": r.rows_1h, "late_buckets": r.late_buckets}


@shared_task(
    name="telemetry.tasks.dispatch_polls",
    ignore_result=True,
    base=GuardedTask,
    soft_time_limit=20,
    time_limit=30,
)
def dispatch_polls() -> dict[str, int]:
    """Claim the due targets and send one poll task per chunk to each protocol's queue
    (with TELEMETRY_CENTRAL_SELF_TIMED, only NVML targets: `manage.py poll_loop` claims
    and polls the central ones itself, without the broker)."""
    central: dict[str, list[int]] = defaultdict(list)
    sent = defaultdict(int)
    if settings.TELEMETRY_CENTRAL_SELF_TIMED:
        # `manage.py poll_loop` claims central targets itself: claim only NVML ones here.
        if settings.TELEMETRY_AGENTS_SELF_TIMED:
            return {}
        due = polling.claim_due(protocols=[Protocol.NVML])
    else:
        due = polling.claim_due()
    for target in due:
        # A poll message older than the target's interval is worth nothing: let it expire.
        if target.protocol == Protocol.NVML:
            if settings.TELEMETRY_AGENTS_SELF_TIMED:  # the agent polls on its own clock
                continue
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


# A chunk's message expires after 60 s; a chunk still polling after that is stuck.
@shared_task(
    name="telemetry.tasks.poll_targets",
    ignore_result=True,
    base=GuardedTask,
    soft_time_limit=50,
    time_limit=60,
)
def poll_targets(target_ids: list[int]) -> int:
    return len(polling.poll_targets(target_ids))


@shared_task(
    name="telemetry.tasks.ingest_poll_result",
    bind=True,
    ignore_result=True,
    acks_late=True,
    # A killed worker's message comes back; GuardedTask stops one that keeps killing.
    reject_on_worker_lost=True,
    base=GuardedTask,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def ingest_poll_result(
    self, target_id: int, result: dict, host: str = "", signature: str = ""
) -> int:
    """Store a result sent back by a GPU-host agent. Safe to redeliver.

    Stored only when signed by the agent of the host it claims and when the target is
    that host's own NVML target: an agent is trusted for itself, never for a PDU's id or
    another host's (refusals are logged and kept as dead letters for admins to see).
    """
    target = CollectionTarget.objects.filter(pk=target_id).first()
    if target is None:  # the target was deleted while its poll was in flight
        return 0
    why = ""
    try:
        signing.verify(agent_secret(), target_id, host, result, signature)
    except signing.SignatureError as exc:
        why = str(exc)
    else:
        if target.protocol != Protocol.NVML or target.address != host:
            why = f"host {host[:100]!r} sent a result for target {target_id}, not one of its own"
    if why:
        log.warning("refused a GPU-host result: %s", why)
        args = [target_id, result, host]
        record(self.name, self.request.id or "", DeadLetterReason.REFUSED, 1, why, args, {})
        return 0
    try:
        poll = PollResult.from_json(result)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Undecodable(f"not a poll result: {type(exc).__name__}: {exc}") from None
    try:
        return polling.store_result(target, poll)
    except TRANSIENT:
        # psycopg's own errors do not mark Django's connection as broken: drop it, so that
        # the retry connects afresh (to a restarted server) instead of reusing a dead one.
        with contextlib.suppress(Exception):
            connection.close()
        raise
