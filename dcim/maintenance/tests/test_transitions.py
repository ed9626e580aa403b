"""Start, finish and cancel: Operators only, POST only, the life cycle enforced."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dcim.maintenance.choices import WindowState
from dcim.maintenance.tests.conftest import window

pytestmark = pytest.mark.django_db


def test_viewer_gets_403_and_get_is_refused(viewer_client, operator_client, hall):
    w = window(hall, devices=[hall.lonely])
    assert viewer_client.post(reverse("maintenance:start", args=[w.pk])).status_code == 403
    assert operator_client.get(reverse("maintenance:start", args=[w.pk])).status_code == 405
    w.refresh_from_db()
    assert w.state == WindowState.SCHEDULED


def test_start_then_finish_records_actual_times(operator_client, hall):
    w = window(hall, devices=[hall.lonely])
    operator_client.post(reverse("maintenance:start", args=[w.pk]))
    w.refresh_from_db()
    assert w.state == WindowState.IN_PROGRESS and w.actual_start
    operator_client.post(reverse("maintenance:finish", args=[w.pk]))
    w.refresh_from_db()
    assert w.state == WindowState.DONE and w.actual_end >= w.actual_start
    r = operator_client.post(reverse("maintenance:cancel", args=[w.pk]), follow=True)
    assert "A done window cannot be cancelled." in r.content.decode()
    w.refresh_from_db()
    assert w.state == WindowState.DONE
    assert [h.state for h in w.history.order_by("history_date")][-2:] == ["in_progress", "done"]


def test_cancel(operator_client, hall):
    w = window(hall, devices=[hall.lonely])
    operator_client.post(reverse("maintenance:cancel", args=[w.pk]))
    w.refresh_from_db()
    assert w.state == WindowState.CANCELLED
