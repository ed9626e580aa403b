"""Reports' send task under the poison-message guard (the app's default task class).

A delivery retried by design (an SMTP relay refusing, ``max_retries=None`` with attempts
counted on the delivery) is never mistaken for a poison message, however many retries it
takes; a send that kills its worker every time ends as one dead letter after the delivery
budget; a delivery that no longer exists fails once and is kept.
"""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from dcim.alerts.tests.servers import free_port
from dcim.celery import app
from dcim.reports import delivery, tasks
from dcim.reports.choices import DeliveryStatus, Trigger
from dcim.reports.tests.conftest import RefusingInbox, _use
from telemetry.dead_letters import MAX_DELIVERIES, GuardedTask
from telemetry.models import DeadLetter

pytestmark = pytest.mark.django_db


def send_task():
    """From the product's Celery app (see dcim/alerts/tests/test_dead_letters.py)."""
    app.loader.import_default_modules()
    return app.tasks[tasks.SEND_TASK]


def test_report_tasks_are_guarded_with_their_own_time_limits():
    for task in (send_task(), app.tasks["dcim.reports.tasks.tick"]):
        assert isinstance(task, GuardedTask), task.name
        assert 0 < task.soft_time_limit < task.time_limit, task.name
    assert send_task().max_retries is None  # its attempts are counted on the delivery


def test_retries_past_the_delivery_budget_are_not_a_poison_message(settings, media, rhine):
    refusals = MAX_DELIVERIES + 1
    settings.REPORTS_MAX_ATTEMPTS = refusals + 1
    inbox = RefusingInbox(refusals=refusals)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        _use(settings, controller.port)
        d = delivery.create(
            "daily_operations", rhine["site"], trigger=Trigger.MANUAL, recipients=["o@example.net"]
        )
        send_task().apply(args=[d.pk])  # as dispatch does with REPORTS_SEND_SYNC: retries at once
    finally:
        controller.stop()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts.count() == refusals + 1
    assert inbox.tries == refusals + 1 and len(inbox.messages) == 1
    assert not DeadLetter.objects.exists()


def test_a_send_that_kills_its_worker_is_dead_lettered_after_the_delivery_budget(
    monkeypatch, rhine
):
    d = delivery.create(
        "daily_operations", rhine["site"], trigger=Trigger.MANUAL, recipients=["o@example.net"]
    )
    runs: list[int] = []

    def dies(the_delivery):
        runs.append(the_delivery.pk)
        raise SystemExit("the worker died mid-render")

    monkeypatch.setattr(delivery, "attempt", dies)
    for _ in range(MAX_DELIVERIES):
        with pytest.raises(SystemExit):
            send_task().apply(args=[d.pk], task_id="report-1")
    assert len(runs) == MAX_DELIVERIES and not DeadLetter.objects.exists()

    send_task().apply(args=[d.pk], task_id="report-1")  # delivered again: not run
    assert len(runs) == MAX_DELIVERIES
    letter = DeadLetter.objects.get()
    assert (letter.task, letter.task_id, letter.reason) == (tasks.SEND_TASK, "report-1", "failed")
    assert letter.attempts == MAX_DELIVERIES + 1 and f"[{d.pk}]" in letter.payload


def test_a_delivery_that_is_gone_fails_once_and_is_kept(db):
    send_task().apply(args=[987654], task_id="report-gone")
    letter = DeadLetter.objects.get()
    assert letter.task_id == "report-gone" and letter.attempts == 1
    assert "DoesNotExist" in letter.error
