"""A poison message on the notify task ends as one dead letter, not an endless retry.

The guard (telemetry.dead_letters.GuardedTask) is the Celery app's default task class, so
alerts' tasks are guarded without naming it. A notice whose delivery kills its worker (here
the send leaves by SystemExit, as a killed pool child would, without acknowledging) comes
back; after ``MAX_DELIVERIES`` the next delivery is written to ``DeadLetter`` and not run.
A message the task cannot take at all fails at once and is kept the same way.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from dcim.alerts import notify
from dcim.celery import app
from telemetry.dead_letters import MAX_DELIVERIES, GuardedTask
from telemetry.models import DeadLetter

pytestmark = pytest.mark.django_db


def product_task(name: str):
    """From the product's Celery app: importing telemetry.agent (other tests do) makes the
    GPU-host agent's app the current one, which shared tasks' module proxies resolve to."""
    app.loader.import_default_modules()
    return app.tasks[name]


@pytest.fixture(autouse=True)
def _no_counts_left():
    cache.clear()
    yield
    cache.clear()


def test_alert_tasks_are_guarded_with_their_own_time_limits():
    for task in (product_task(notify.NOTIFY_TASK), product_task("dcim.alerts.tasks.tick")):
        assert isinstance(task, GuardedTask), task.name
        assert 0 < task.soft_time_limit < task.time_limit, task.name
    assert product_task("dcim.alerts.tasks.tick").time_limit <= 90  # beat sends one every 15 s
    assert product_task(notify.NOTIFY_TASK).acks_late


def test_a_notice_that_kills_its_worker_is_dead_lettered_after_the_delivery_budget(
    monkeypatch,
):
    runs: list[int] = []

    def dies(alert_id: int, kind: str):
        runs.append(alert_id)
        raise SystemExit("the worker died mid-send")

    monkeypatch.setattr(notify, "process", dies)
    for _ in range(MAX_DELIVERIES):
        with pytest.raises(SystemExit):
            product_task(notify.NOTIFY_TASK).apply(args=[41, "firing"], task_id="notice-41")
    assert len(runs) == MAX_DELIVERIES and not DeadLetter.objects.exists()

    product_task(notify.NOTIFY_TASK).apply(
        args=[41, "firing"], task_id="notice-41"
    )  # not run again
    assert len(runs) == MAX_DELIVERIES
    letter = DeadLetter.objects.get()
    assert (letter.task, letter.task_id, letter.reason) == (
        notify.NOTIFY_TASK,
        "notice-41",
        "failed",
    )
    assert letter.attempts == MAX_DELIVERIES + 1 and '"args": [41, "firing"]' in letter.payload


def test_a_notice_the_task_cannot_take_is_kept_at_once():
    product_task(notify.NOTIFY_TASK).apply(args=["not an id", "firing"], task_id="notice-bad")
    letter = DeadLetter.objects.get()
    assert letter.task_id == "notice-bad" and letter.reason == "failed"
    assert letter.attempts == 1 and "ValueError" in letter.error
