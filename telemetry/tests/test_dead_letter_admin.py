"""The dead-letter admin shows every app's letters (all tasks are guarded), read-only,
filterable by task, with the task id an Admin matches against the worker's log."""

import pytest

from telemetry.dead_letters import record
from telemetry.models import DeadLetterReason

pytestmark = pytest.mark.django_db
URL = "/admin/telemetry/deadletter/"


def test_admin_lists_letters_of_every_app_and_filters_by_task(admin_role_client):
    record(
        "dcim.alerts.tasks.notify_alert",
        "notice-41",
        DeadLetterReason.FAILED,
        6,
        "delivered again and again",
        [41, "firing"],
        {},
    )
    record(
        "dcim.reports.tasks.send_report",
        "report-9",
        DeadLetterReason.FAILED,
        1,
        "DoesNotExist: Delivery matching query does not exist.",
        [9],
        {},
    )
    page = admin_role_client.get(URL).content.decode()
    assert "notice-41" in page and "report-9" in page
    assert "dcim.alerts.tasks.notify_alert" in page and "dcim.reports.tasks.send_report" in page
    only = admin_role_client.get(URL, {"task": "dcim.reports.tasks.send_report"})
    text = only.content.decode()
    assert "report-9" in text and "notice-41" not in text


def test_admin_cannot_add_or_change_a_letter(admin_role_client):
    record("energy.update_ledger", "ledger-1", DeadLetterReason.FAILED, 1, "x", [], {})
    assert admin_role_client.get(URL + "add/").status_code == 403
