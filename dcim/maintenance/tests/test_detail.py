"""One window's page: assets and what they carry, safety words, checklist, history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dcim.maintenance.models import ChecklistTemplate, WorkOrder
from dcim.maintenance.tests.conftest import window

pytestmark = pytest.mark.django_db


def test_a_viewer_reads_without_action_buttons(viewer_client, hall):
    w = window(hall, racks=[hall.rack], title="Rack M01 work")
    body = viewer_client.get(reverse("maintenance:detail", args=[w.pk])).content.decode()
    assert "Rack M01 work" in body and "rack M01" in body
    assert "Takes down</dt><dd>4 device(s)" in body  # its 2 PDUs and 2 servers
    assert "Complete work order" not in body and ">Start<" not in body


def test_an_operator_sees_the_actions_and_the_template_checklist(operator_client, hall):
    w = window(hall, devices=[hall.lonely])
    WorkOrder.objects.create(window=w).fill_from(ChecklistTemplate.objects.get(name="CRAH filters"))
    body = operator_client.get(reverse("maintenance:detail", args=[w.pk])).content.decode()
    assert ">Start<" in body and "Complete work order" in body
    assert "Filter differential pressure before (Pa)" in body


def test_unknown_window_is_404(viewer_client, db):
    assert viewer_client.get(reverse("maintenance:detail", args=[999999])).status_code == 404


def test_the_history_names_the_assets_added_and_removed(viewer_client, hall):
    w = window(hall, racks=[hall.rack], title="Rack M01 work")
    w.devices.set([hall.servers[0]])
    w.racks.set([])
    gone = hall.lonely
    w.devices.add(gone)
    gone_pk = gone.pk
    gone.delete()  # its history row stays; the name is gone with it
    body = viewer_client.get(reverse("maintenance:detail", args=[w.pk])).content.decode()
    assert f"devices: + {hall.servers[0]}" in body
    assert "racks: − M01" in body
    assert f"devices: + #{gone_pk} (deleted)" in body
