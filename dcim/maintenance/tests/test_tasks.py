"""The beat entries exist (migration 0002) and the tasks run the plain functions."""

from __future__ import annotations

from datetime import datetime

import pytest
from django_celery_beat.models import PeriodicTask

from dcim.maintenance import tasks
from dcim.maintenance.models import ChecklistTemplate, MaintenanceWindow, Schedule
from dcim.maintenance.tests.conftest import BERLIN

pytestmark = pytest.mark.django_db


def test_beat_entries_and_starter_templates_exist(db):
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"maintenance.generate_windows", "maintenance.lifecycle_notices"} <= names
    assert set(ChecklistTemplate.objects.values_list("name", flat=True)) >= {
        "UPS preventive maintenance (semi-annual)",
        "UPS batteries (quarterly)",
        "Generator weekly inspection",
        "Generator monthly run, 30 min at ≥ 30 % load",
        "Generator annual load bank",
        "CRAH filters",
        "GPU server firmware",
    }


def test_the_generate_task_is_idempotent(hall):
    Schedule.objects.create(
        site=hall.site,
        title="Weekly",
        rrule="FREQ=WEEKLY",
        first_start=datetime(2030, 1, 7, 7, tzinfo=BERLIN),
        lead_days=400,
    )
    first = tasks.generate_windows()
    assert first["errors"] == [] and tasks.generate_windows()["created"] == 0
    assert MaintenanceWindow.objects.count() == first["created"]


def test_the_lifecycle_task_runs(hall):
    assert tasks.lifecycle_notices() == {"readings": 0}
