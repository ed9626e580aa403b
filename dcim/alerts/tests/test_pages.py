"""The Alerts page, its actions by role, live refresh, the Overview summary, and admin
validation of rules and channel secrets."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dcim.alerts import engine, summary
from dcim.alerts.models import Alert, Channel, Rule, Silence
from dcim.alerts.tests.conftest import at, rule, temp
from dcim.inventory.tests.factories import make_user

pytestmark = pytest.mark.django_db


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(make_user(role))
    return client


@pytest.fixture
def firing(gpu_server) -> Alert:
    rule(name="GPU hot", threshold=80, severity="critical")
    engine.evaluate(gpu_server.pk, [temp(91)], at(0))
    return Alert.objects.get()


def test_viewers_see_the_alert_but_cannot_act(firing):
    viewer = client_for("Viewer")
    page = viewer.get("/alerts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "GPU hot" in html and firing.subject_label in html
    assert 'action="/alerts/' not in html  # no ack/silence forms for viewers
    assert viewer.post(f"/alerts/{firing.pk}/ack/", {"comment": "x"}).status_code == 403
    assert (
        viewer.post(
            f"/alerts/{firing.pk}/silence/", {"hours": 1, "reason": "x", "scope": "subject"}
        ).status_code
        == 403
    )
    firing.refresh_from_db()
    assert firing.acknowledged_at is None and not Silence.objects.exists()


def test_operators_acknowledge_and_silence_with_csrf(firing):
    operator = Client(enforce_csrf_checks=True)
    user = make_user("Operator")
    operator.force_login(user)
    page = operator.get("/alerts/")
    assert f'action="/alerts/{firing.pk}/ack/"' in page.content.decode()
    assert operator.post(f"/alerts/{firing.pk}/ack/", {"comment": "on it"}).status_code == 403
    token = page.cookies["csrftoken"].value
    r = operator.post(
        f"/alerts/{firing.pk}/ack/", {"comment": "on it", "csrfmiddlewaretoken": token}
    )
    assert r.status_code == 302
    firing.refresh_from_db()
    assert firing.acknowledged_by == user and firing.ack_comment == "on it"
    operator.post(
        f"/alerts/{firing.pk}/silence/",
        {"hours": 4, "reason": "swap", "scope": "subject", "csrfmiddlewaretoken": token},
    )
    s = Silence.objects.get()
    assert s.matchers["rule"] == "GPU hot" and s.created_by == user and s.reason == "swap"
    assert s.matches(firing.labels)


def test_live_json_and_detail_page(firing):
    viewer = client_for("Viewer")
    data = viewer.get("/alerts/live.json").json()
    assert data["counts"]["firing"] == 1 and "GPU hot" in data["html"]
    detail = viewer.get(f"/alerts/{firing.pk}/").content.decode()
    assert "Pending" in detail and "Firing" in detail  # the history rows


def test_rows_link_subject_rack_and_actions_in_a_bounded_number_of_queries(
    firing, gpu_server, django_assert_max_num_queries
):
    operator = client_for("Operator")
    with CaptureQueriesContext(connection) as one:
        html = operator.get("/alerts/").content.decode()
    device = reverse("dashboard:device", args=[gpu_server.pk])
    assert f'<a href="{device}#gpus">{firing.subject_label}</a>' in html
    assert f'<a href="{reverse("dashboard:rack", args=[gpu_server.rack_id])}">' in html
    assert f'<a href="/alerts/{firing.pk}/">GPU hot</a>' in html  # firing table and history
    assert html.count('<span class="badge badge-crit" data-status="critical">Critical</span>') == 2
    assert f'action="/alerts/{firing.pk}/silence/"' in html and "csrfmiddlewaretoken" in html
    rule(name="GPU warm", threshold=70, severity="warning", for_s=600)  # pending on both GPUs
    engine.evaluate(gpu_server.pk, [temp(91), temp(75, "gpu1")], at(10))
    assert Alert.objects.count() == 3
    with django_assert_max_num_queries(len(one)):  # per-row queries would show as growth
        html = operator.get("/alerts/").content.decode()
    assert html.count('data-status="pending">Pending</span>') == 2  # the history rows
    with django_assert_max_num_queries(len(one)):
        assert operator.get("/alerts/live.json").json()["counts"]["pending"] == 2


def test_times_show_in_the_sites_own_zone(firing, gpu_server):
    site = gpu_server.site
    site.timezone = "Asia/Tokyo"
    site.save()
    viewer = client_for("Viewer")
    started = firing.started_at.astimezone(ZoneInfo("Asia/Tokyo"))
    shown = f"{started:%Y-%m-%d %H:%M:%S} JST"
    assert shown in viewer.get("/alerts/").content.decode()
    assert shown in viewer.get(f"/alerts/{firing.pk}/").content.decode()


def test_history_filters(firing, gpu_server):
    engine.evaluate(gpu_server.pk, [temp(60)], at(30))
    viewer = client_for("Viewer")
    assert "GPU hot" in viewer.get("/alerts/?state=resolved").content.decode()
    html = viewer.get("/alerts/?state=firing&severity=critical").content.decode()
    assert 'id="alerts-history"' in html and "No alerts match." in html


def test_summary_counts_by_state_and_severity(firing):
    s = summary()
    assert s["firing"] == 1 and s["firing_by_severity"]["critical"] == 1 and s["pending"] == 0


def test_the_overview_shows_the_counts_and_links_the_alerts_page(firing):
    viewer = client_for("Viewer")
    html = viewer.get("/").content.decode()
    assert '<a href="/alerts/">Alerts</a>' in html
    assert '<dd data-tile="alerts">1 firing</dd>' in html
    assert "1 critical, 0 warning, 0 info; 0 pending, 0 acknowledged, 0 silenced." in html
    tiles = viewer.get("/api/overview/").json()["tiles"]
    assert tiles["alerts"] == "1 firing"


def admin_client() -> Client:
    client = Client()
    client.force_login(make_user("Admin"))
    return client


def rule_form(**over) -> dict:
    data = {
        "name": "r",
        "severity": "warning",
        "source": "metric",
        "metric": "gpu_temperature_celsius",
        "condition": "gt",
        "threshold": "80",
        "reference": "",
        "for_s": "0",
        "keep_firing_for_s": "0",
        "absent_for_s": "600",
        "labels": "{}",
        "summary_template": "{{ subject }} {{ value }}",
        "enabled": "on",
    }
    return data | over


def test_admin_refuses_an_unknown_metric_with_a_clear_message(db):
    r = admin_client().post("/admin/alerts/rule/add/", rule_form(metric="gpu_temprature"))
    assert r.status_code == 200 and not Rule.objects.filter(name="r").exists()
    assert "Unknown metric &#x27;gpu_temprature&#x27;" in r.content.decode()


def test_admin_refuses_a_bad_template_with_the_error(db):
    r = admin_client().post(
        "/admin/alerts/rule/add/", rule_form(summary_template="{{ value|nosuchfilter }}")
    )
    assert r.status_code == 200 and not Rule.objects.filter(name="r").exists()
    assert "Template error: Invalid filter: &#x27;nosuchfilter&#x27;" in r.content.decode()


def test_admin_accepts_a_good_rule(db):
    r = admin_client().post("/admin/alerts/rule/add/", rule_form())
    assert r.status_code == 302 and Rule.objects.filter(name="r").exists()


def test_channel_secret_is_encrypted_and_never_echoed(db):
    client = admin_client()
    r = client.post(
        "/admin/alerts/channel/add/",
        {
            "name": "pager",
            "kind": "webhook",
            "enabled": "on",
            "webhook_url": "https://hooks.example.net/x",
            "header_name": "Authorization",
            "header_value": "Bearer top-secret",
            "timeout_s": "5",
            "max_retries": "3",
            "routes-TOTAL_FORMS": "0",
            "routes-INITIAL_FORMS": "0",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    channel = Channel.objects.get()
    assert channel.header_value == "Bearer top-secret"
    with connection.cursor() as cur:
        cur.execute("SELECT header_value FROM alerts_channel")
        assert "top-secret" not in cur.fetchone()[0]
    page = client.get(f"/admin/alerts/channel/{channel.pk}/change/").content.decode()
    assert "top-secret" not in page
