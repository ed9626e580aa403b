"""A task past its time limit, in a real worker, ends as one dead letter, not a retry.

A real Celery worker (the product's app, the test database, a Redis of the test's own)
runs two tasks that would sleep 30 s. Past the soft limit the first is interrupted inside
(SoftTimeLimitExceeded) and fails; the second swallows that and, past its hard limit, the
worker kills its pool child: the failure is handled in the worker's main process, where
the guard goes by the task id it is given (the request there is not the task's). Either
way: one DeadLetter row naming the limit, and the message acknowledged (it does not come
back).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from telemetry.models import DeadLetter
from telemetry.tests.test_collection_e2e import Processes, database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def procs():
    logs = Path(tempfile.mkdtemp(prefix="limits-", dir="/tmp"))
    procs = Processes(logs)
    yield procs
    procs.stop()
    shutil.rmtree(logs, ignore_errors=True)


def letters(n: int, timeout_s: float, procs: Processes) -> list[DeadLetter]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = list(DeadLetter.objects.order_by("task"))
        if len(found) >= n:
            return found
        procs.check_alive()
        time.sleep(0.5)
    raise AssertionError(f"{len(found)} dead letters after {timeout_s} s:\n{procs.tail('w')}")


def test_tasks_past_their_soft_and_hard_limits_are_dead_lettered(private_redis, procs):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": private_redis,
        "CACHE_REDIS_URL": private_redis,
    }
    procs.start(
        "w",
        ["-A", "dcim", "worker", "-l", "INFO", "-c", "2", "-n", "limits@%h", "-Q", "celery"]
        + ["--include", "tests.time_limited_tasks", "--without-gossip", "--without-mingle"],
        env,
    )
    producer = Celery("limits-producer", broker=private_redis)
    try:
        producer.send_task("tests.past_soft_limit", args=["soft"], task_id="soft-1")
        producer.send_task("tests.past_hard_limit", args=["hard"], task_id="hard-1")
        hard, soft = letters(2, 120, procs)
    finally:
        producer.close()
    assert (hard.task, hard.task_id, hard.reason, hard.attempts) == (
        "tests.past_hard_limit",
        "hard-1",
        "failed",
        1,
    )
    assert "TimeLimitExceeded" in hard.error and '"hard"' in hard.payload
    assert (soft.task, soft.task_id, soft.attempts) == ("tests.past_soft_limit", "soft-1", 1)
    assert "SoftTimeLimitExceeded" in soft.error
    time.sleep(3)  # acknowledged: neither comes back for another run
    assert DeadLetter.objects.count() == 2
    log = procs.tail("w")
    assert "Hard time limit (3" in log and "hard-1" in log
