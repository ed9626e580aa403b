"""A failover's page: everyone reads it; an Operator annotates a detected record, which
then no longer waits for annotation."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from dcim.availability.models import Failover, FailoverKind, FailoverSource


def detected(ha) -> Failover:
    now = timezone.now()
    return Failover.objects.create(
        group=ha.lb, kind=FailoverKind.AUTOMATIC, detected_at=now, started_at=now,
        restored_at=now, old_active=ha.lb_1, new_active=ha.lb_2, source=FailoverSource.SNMP,
        dedup_key="x",
    )  # fmt: skip


def test_an_operator_annotates_a_detected_failover(operator_client, ha):
    f = detected(ha)
    url = reverse("availability:failover", args=[f.pk])
    assert "annotate-title" in operator_client.get(url).content.decode()
    r = operator_client.post(url, {
        "kind": "automatic", "cause": "LB-01 kernel panic", "impact": "3 s of 502s",
        "data_loss": "00:00:00", "post_incident_url": "https://wiki.example/pir/42",
    })  # fmt: skip
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.cause == "LB-01 kernel panic" and f.annotated_by.username == "otto"
    assert not f.needs_annotation and f.rpo_met is True
    assert f.history.count() == 2  # created, annotated: before/after kept


def test_a_bad_annotation_changes_nothing(operator_client, ha):
    f = detected(ha)
    url = reverse("availability:failover", args=[f.pk])
    r = operator_client.post(url, {"kind": "nonsense", "post_incident_url": "not a url"})
    assert r.status_code == 200
    f.refresh_from_db()
    assert f.annotated_by is None and f.kind == FailoverKind.AUTOMATIC


def test_an_unknown_failover_is_404(viewer_client, db):
    assert viewer_client.get(reverse("availability:failover", args=[99])).status_code == 404
