"""Isolation of work: a poison message goes to a dead-letter record, not an endless retry.

``GuardedTask`` counts deliveries per task id in the shared cache. A message whose task
never finishes (its worker is killed, here: the task leaves by SystemExit as a killed
child would, without acknowledging) comes back; the sixth delivery is written to
``DeadLetter`` and not run. A task that keeps raising is retried up to ``max_retries``
and then kept as a dead letter too. Every telemetry task has time limits.
"""

import pytest
from celery import shared_task

from dcim.celery import app as current_app
from telemetry import tasks
from telemetry.dead_letters import MAX_DELIVERIES, GuardedTask
from telemetry.models import DeadLetter

pytestmark = pytest.mark.django_db
RUNS: list[str] = []


@shared_task(name="telemetry.tests.poison", base=GuardedTask, bind=True)
def poison(self, payload: str) -> None:
    RUNS.append(payload)
    raise SystemExit("the worker died mid-task")  # unacknowledged: delivered again


@shared_task(name="telemetry.tests.always_fails", base=GuardedTask, max_retries=0)
def always_fails(payload: str) -> None:
    raise ValueError(f"cannot handle {payload}")


def test_a_message_that_kills_its_worker_is_dead_lettered_after_a_few_deliveries():
    RUNS.clear()
    for _ in range(MAX_DELIVERIES):
        with pytest.raises(SystemExit):
            poison.apply(args=["x" * 10], task_id="poison-1")
    assert len(RUNS) == MAX_DELIVERIES and not DeadLetter.objects.exists()
    poison.apply(args=["x" * 10], task_id="poison-1")  # delivered once more: not run
    assert len(RUNS) == MAX_DELIVERIES
    letter = DeadLetter.objects.get()
    assert (letter.task, letter.task_id, letter.reason) == (
        "telemetry.tests.poison",
        "poison-1",
        "failed",
    )
    assert letter.attempts == MAX_DELIVERIES + 1 and "xxxxxxxxxx" in letter.payload


def test_a_task_that_keeps_failing_is_kept_as_a_dead_letter():
    always_fails.apply(args=["row 7"], task_id="fails-1")
    letter = DeadLetter.objects.get()
    assert letter.reason == "failed" and "ValueError: cannot handle row 7" in letter.error


def test_every_telemetry_task_has_time_limits_and_the_guard():
    names = [n for n in current_app.tasks if n.startswith("telemetry.tasks.")]
    assert len(names) == 5
    for name in names:
        task = current_app.tasks[name]
        assert isinstance(task, GuardedTask), name
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit, name
    assert current_app.conf.task_soft_time_limit and current_app.conf.task_time_limit
    assert tasks.ingest_poll_result.acks_late


def test_polls_ingest_alerts_and_notices_have_their_own_queues():
    routes = current_app.conf.task_routes
    assert routes["telemetry.tasks.ingest_poll_result"]["queue"] == "ingest"
    assert routes["dcim.alerts.tasks.notify_alert"]["queue"] == "notify"
    assert routes["dcim.alerts.tasks.tick"]["queue"] == "alerts"
