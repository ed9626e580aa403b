"""PostgreSQL restarted during full-rate ingest: nothing lost, nothing doubled.

A real ingest worker consumes the ``ingest`` queue while a producer sends signed GPU-host
results through the broker at a steady rate; half-way, the (scratch) PostgreSQL server is
stopped and started again. Ingest tasks that meet the dead connection fail with
OperationalError / InterfaceError and are retried with backoff (``ingest_poll_result``:
autoretry, 5 retries, within the dead-letter guard); the store must then hold every value
sent exactly once, and no message may have ended as a dead letter.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from telemetry.models import DeadLetter
from tests.faults.harness import (
    FAULTS,
    GPUS,
    INGEST_TASK,
    METRICS,
    base_time,
    count,
    log_count,
    logs_of,
    nvml_target,
    scratch_services,
    signed_result,
    start_worker,
    stored_values,
    wait_for,
    worker_env,
)

pytestmark = FAULTS

HOSTS = 4
POLLS = 150  # per host: 600 results, 19,200 values
RATE_PER_S = 40  # results a second, all hosts together
DOWN_S = 3.0


def test_postgres_restart_mid_ingest_loses_and_doubles_nothing(broker, procs):
    pg = scratch_services()
    targets = [nvml_target(f"fault-pg-{i:02d}") for i in range(HOSTS)]
    start = base_time(POLLS)
    expected = {
        (t.device_id, start + timedelta(seconds=i)): GPUS * len(METRICS)
        for t in targets
        for i in range(POLLS)
    }
    start_worker(procs, "ingest", "ingest", worker_env(broker))

    sent = 0

    def produce() -> None:
        nonlocal sent
        for i in range(POLLS):
            for t in targets:
                args = signed_result(t, start + timedelta(seconds=i), i)
                broker.app.send_task(INGEST_TASK, args=args, queue="ingest")
                sent += 1
                time.sleep(1 / RATE_PER_S)

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        # Restart once ingest is under way and a third of the stream is sent.
        assert wait_for(
            lambda: sent >= HOSTS * POLLS // 3 and stored_values([targets[0].device_id]), 60, procs
        ), logs_of(procs)
        pg.stop_postgres()
        time.sleep(DOWN_S)
        pg.start_postgres()
    finally:
        producer.join()
    devices = [t.device_id for t in targets]
    done = wait_for(lambda: count(expected, stored_values(devices)).lost == 0, 180, procs, 2.0)
    counts = count(expected, stored_values(devices))
    retries = log_count(procs, "ingest", "Retry in")
    print(counts.line("postgres-restart", results=sent, retried_tasks=retries, down_s=DOWN_S))
    assert done, f"{counts}\n{logs_of(procs)}"
    assert counts.lost == 0 and counts.doubled == 0
    assert not DeadLetter.objects.exists()
