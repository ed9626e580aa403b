"""The cluster managers' webhook: a per-source token (Bearer), refused without one (401)
or with a wrong one (403) with nothing written; a good one records a role change as a
failover once (Pacemaker alert agent fields, Patroni callbacks)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from dcim.availability.models import (
    Failover,
    FailoverSource,
    MemberStateChange,
    WebhookKind,
    WebhookSource,
)
from dcim.availability.models.failover import hash_token


@pytest.fixture
def sources(ha):
    pcmk = WebhookSource(name="pcmk", group=ha.lb, kind=WebhookKind.PACEMAKER)
    pcmk_token = pcmk.new_token()
    pcmk.save()
    patroni = WebhookSource(name="patroni", group=ha.lb, kind=WebhookKind.PATRONI)
    patroni_token = patroni.new_token()
    patroni.save()
    return {"pcmk": pcmk_token, "patroni": patroni_token}


def post(name: str, data: dict, token: str | None, as_json: bool = False):
    # enforce_csrf_checks: the endpoint must work without a CSRF token, as agents send it.
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    url = reverse("availability:webhook", args=[name])
    if as_json:
        return client.post(url, json.dumps(data), content_type="application/json", headers=headers)
    return client.post(url, data, headers=headers)


def promote(node: str, stamp: str) -> dict:
    return {
        "CRM_alert_kind": "resource",
        "CRM_alert_node": node,
        "CRM_alert_rsc": "vip-api",
        "CRM_alert_task": "promote",
        "CRM_alert_rc": "0",
        "CRM_alert_timestamp": stamp,
        "CRM_alert_recipient": "/var/log/pcmk.log",
    }


def test_only_the_hash_of_a_token_is_stored(sources):
    source = WebhookSource.objects.get(name="pcmk")
    assert source.token_sha256 == hash_token(sources["pcmk"])
    assert sources["pcmk"] not in json.dumps(list(WebhookSource.objects.values()), default=str)


def test_a_missing_token_is_401_and_writes_nothing(sources):
    r = post("pcmk", promote("LB-02", "2026-11-20 10:00:00.000000+01:00"), None)
    assert r.status_code == 401
    assert not Failover.objects.exists() and not MemberStateChange.objects.exists()


@pytest.mark.parametrize("token", ["wrong", "patroni"])
def test_a_wrong_token_is_403_and_writes_nothing(sources, token):
    # Also another source's valid token: each source has its own.
    r = post("pcmk", promote("LB-02", "2026-11-20 10:00:00+01:00"), sources.get(token, token))
    assert r.status_code == 403
    assert not Failover.objects.exists() and not MemberStateChange.objects.exists()


def test_a_disabled_source_is_refused(sources):
    WebhookSource.objects.filter(name="pcmk").update(enabled=False)
    r = post("pcmk", promote("LB-02", "2026-11-20 10:00:00+01:00"), sources["pcmk"])
    assert r.status_code == 403


def test_a_pacemaker_promotion_is_recorded_once(ha, sources):
    token = sources["pcmk"]
    assert post("pcmk", promote("LB-01", "2026-11-20 09:00:00+01:00"), token).status_code == 200
    r = post("pcmk", promote("lb-02", "2026-11-20 10:00:00.123456+01:00"), token)
    assert r.status_code == 201
    (f,) = Failover.objects.all()
    assert f.source == FailoverSource.WEBHOOK
    assert (f.old_active, f.new_active) == (ha.lb_1, ha.lb_2)
    assert f.detected_at.isoformat() == "2026-11-20T09:00:00.123456+00:00"
    # The agent retries the same alert: nothing new.
    r = post("pcmk", promote("lb-02", "2026-11-20 10:00:00.123456+01:00"), token)
    assert r.status_code == 200 and r.json()["recorded"] is False
    assert Failover.objects.count() == 1
    assert WebhookSource.objects.get(name="pcmk").last_used is not None


def test_pacemaker_alerts_that_are_not_promotions_are_ignored(sources):
    data = promote("LB-02", "2026-11-20 10:00:00+01:00") | {"CRM_alert_task": "monitor"}
    r = post("pcmk", data, sources["pcmk"])
    assert r.status_code == 200 and r.json()["recorded"] is False
    failed = promote("LB-02", "2026-11-20 10:00:00+01:00") | {"CRM_alert_rc": "1"}
    assert post("pcmk", failed, sources["pcmk"]).json()["recorded"] is False
    assert not MemberStateChange.objects.exists()


def test_a_patroni_role_change_to_primary_is_recorded(ha, sources):
    token = sources["patroni"]
    first = {"action": "on_role_change", "role": "primary", "cluster": "pg", "member": "LB-01",
             "at": "2026-11-20T09:00:00+00:00"}  # fmt: skip
    post("patroni", first, token, as_json=True)
    second = dict(first, member="LB-02", at="2026-11-20T09:05:00+00:00")
    assert post("patroni", second, token, as_json=True).status_code == 201
    replica = dict(first, role="replica", member="LB-01", at="2026-11-20T09:05:01+00:00")
    assert post("patroni", replica, token, as_json=True).json()["recorded"] is False
    (f,) = Failover.objects.all()
    assert f.new_active == ha.lb_2


def test_an_unknown_node_or_a_broken_body_is_400(sources):
    r = post("pcmk", promote("nobody", "2026-11-20 10:00:00+01:00"), sources["pcmk"])
    assert r.status_code == 400 and "not a member" in r.json()["error"]
    client = Client()
    r = client.post(
        reverse("availability:webhook", args=["patroni"]),
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {sources['patroni']}"},
    )
    assert r.status_code == 400
    assert not Failover.objects.exists()


def test_get_is_not_allowed(sources):
    r = Client().get(reverse("availability:webhook", args=["pcmk"]))
    assert r.status_code == 405
