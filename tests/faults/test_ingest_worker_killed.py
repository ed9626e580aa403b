"""An ingest worker SIGKILLed mid-batch: acks_late and redelivery lose nothing, and the
idempotent ingest stores nothing twice.

Worker A takes results from the ``ingest`` queue (acknowledged only after they are stored:
``acks_late``) and is SIGKILLed, with all its processes, while it works through the
stream. What it had taken and not acknowledged stays in Redis's unacked set and comes back
to the queue after the visibility timeout (short here; the product's default is longer
than its longest task); worker B finishes. Some of what A had taken it had already stored:
those come back too and must store nothing again.

A message A had taken off the queue but not yet written to the unacked set when it died
would be lost with kombu's own Redis transport (CI lost one result in one run of four that
way); the product's transport keeps a copy until it is there (telemetry/broker.py). The
test takes one such message off the queue itself after the kill, so the case is in every
run.
"""

from __future__ import annotations

from datetime import timedelta

from telemetry.broker import COPIES
from telemetry.models import DeadLetter
from tests.faults.harness import (
    FAULTS,
    GPUS,
    INGEST_TASK,
    METRICS,
    VISIBILITY_TIMEOUT_S,
    await_redelivery,
    base_time,
    count,
    kill_group,
    log_count,
    logs_of,
    nvml_target,
    signed_result,
    start_worker,
    stored_values,
    wait_for,
    worker_env,
)

pytestmark = FAULTS

HOSTS = 2
POLLS = 150  # per host: 300 results


def test_killed_ingest_worker_redelivers_and_doubles_nothing(broker, procs):
    targets = [nvml_target(f"fault-kill-{i:02d}") for i in range(HOSTS)]
    devices = [t.device_id for t in targets]
    start = base_time(POLLS)
    expected = {
        (t.device_id, start + timedelta(seconds=i)): GPUS * len(METRICS)
        for t in targets
        for i in range(POLLS)
    }
    for i in range(POLLS):
        for t in targets:
            args = signed_result(t, start + timedelta(seconds=i), i)
            broker.app.send_task(INGEST_TASK, args=args, queue="ingest")
    env = worker_env(broker)
    start_worker(procs, "ingest-a", "ingest", env)
    # Mid-stream: a fifth of the values stored, most of the stream still queued.
    fifth = len(expected) * GPUS * len(METRICS) // 5
    under_way = wait_for(lambda: count(expected, stored_values(devices)).stored >= fifth, 90, procs)
    assert under_way, logs_of(procs)
    kill_group(procs, "ingest-a")
    # And one more that A had just taken off the queue (BRPOP) and not yet recorded as
    # unacked when it died: the window kombu's transport loses, made certain here.
    assert broker.client().brpop(["ingest"], timeout=5)
    stored_at_kill = count(expected, stored_values(devices)).stored
    received = log_count(procs, "ingest-a", "] received")
    finished = log_count(procs, "ingest-a", "] succeeded in")
    await_redelivery()
    start_worker(procs, "ingest-b", "ingest", env)
    done = wait_for(
        lambda: count(expected, stored_values(devices)).lost == 0,
        60 + 3 * VISIBILITY_TIMEOUT_S,
        procs,
        1.0,
    )
    counts = count(expected, stored_values(devices))
    queued_again = log_count(procs, "ingest-b", "lost between BRPOP")
    print(
        counts.line(
            "ingest-worker-killed",
            results=len(expected),
            stored_at_kill=stored_at_kill,
            taken_unacked_at_kill=received - finished,
            queued_again=queued_again,
        )
    )
    assert done, f"{counts}\n{logs_of(procs)}"
    assert counts.lost == 0 and counts.doubled == 0
    assert received > finished  # the kill did catch the worker with messages in hand
    assert queued_again >= 1  # B's start-up sweep queued the BRPOP'd one again
    assert not DeadLetter.objects.exists()
    # Every message reached a worker's unacked ledger: no copy is left (telemetry/broker.py).
    assert broker.client().hlen(COPIES) == 0
