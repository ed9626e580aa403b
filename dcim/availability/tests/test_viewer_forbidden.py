"""A Viewer reads every HA page but is refused (403) on every action, GET or POST, and
nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dcim.availability.models import (
    DrillRecord,
    Failover,
    FailoverKind,
    FollowUpAction,
    Outcome,
)


@pytest.fixture
def records(ha, plan):
    now = timezone.now()
    f = Failover.objects.create(group=ha.lb, kind=FailoverKind.DRILL, detected_at=now)
    d = DrillRecord.objects.create(plan=plan, started_at=now, led_by="x", outcome=Outcome.PASSED)
    a = FollowUpAction.objects.create(drill=d, title="t", owner="o", due=now.date())
    return f, a


def test_a_viewer_cannot_record_a_failover(viewer_client, ha):
    url = reverse("availability:failover_new")
    assert viewer_client.get(url).status_code == 403
    r = viewer_client.post(url, {"group": ha.lb.pk, "kind": "automatic",
                                 "detected_at": "2026-11-20T10:00"})  # fmt: skip
    assert r.status_code == 403
    assert not Failover.objects.exists()


def test_a_viewer_cannot_annotate_record_a_drill_or_close_an_action(viewer_client, records):
    failover, action = records
    r = viewer_client.post(
        reverse("availability:failover", args=[failover.pk]), {"kind": "drill", "cause": "x"}
    )
    assert r.status_code == 403
    assert viewer_client.get(reverse("availability:drill_new")).status_code == 403
    assert viewer_client.post(reverse("availability:drill_new"), {}).status_code == 403
    r = viewer_client.post(reverse("availability:action_done", args=[action.pk]))
    assert r.status_code == 403
    failover.refresh_from_db()
    action.refresh_from_db()
    assert failover.cause == "" and action.done_at is None
    assert DrillRecord.objects.count() == 1


def test_a_viewer_reads_a_failover_without_the_form(viewer_client, records):
    failover, _ = records
    r = viewer_client.get(reverse("availability:failover", args=[failover.pk]))
    assert r.status_code == 200 and "annotate-title" not in r.content.decode()
