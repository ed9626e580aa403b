"""Tasks that outlive their time limits, for tests/test_time_limits_worker.py; a worker
loads them with ``--include``. Product tasks get the guard the same way (the app's default
task class): these name no base."""

import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded


@shared_task(name="tests.past_soft_limit", soft_time_limit=1, time_limit=5)
def past_soft_limit(label: str) -> None:
    time.sleep(30)  # SoftTimeLimitExceeded is raised in here after 1 s


@shared_task(name="tests.past_hard_limit", soft_time_limit=1, time_limit=3)
def past_hard_limit(label: str) -> None:
    # The case a hard limit is for: a task that does not stop at its soft limit (it
    # swallows the exception and goes on), so the pool child is killed after 3 s.
    # Soft below hard, as every product task has it: with soft above hard, billiard
    # raises a soft limit in the child as it kills it, and the one run fails twice.
    try:
        time.sleep(30)
    except SoftTimeLimitExceeded:
        time.sleep(30)
