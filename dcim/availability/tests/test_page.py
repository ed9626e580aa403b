"""The HA page and its JSON twin: groups live, 2N racks against one feed, failovers with
their timeline, the availability table (the figures module's numbers), DR plans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dcim.availability.figures import calendar_period, group_figures
from dcim.availability.models import (
    DrillRecord,
    Failover,
    FailoverKind,
    FailoverSource,
    FollowUpAction,
    MemberState,
    Outcome,
)
from dcim.availability.tests.conftest import BERLIN, flip, write_power
from dcim.ui.tables import unpooled


@pytest.fixture
def busy(ha, rack_2n, plan):
    now = timezone.now()
    flip(ha.ups_a, now - timedelta(hours=2), MemberState.DOWN)
    write_power(rack_2n.pdu_a, 3000, now)
    write_power(rack_2n.pdu_b, 3000, now)
    Failover.objects.create(
        group=ha.lb, kind=FailoverKind.AUTOMATIC, detected_at=now - timedelta(hours=1),
        started_at=now - timedelta(hours=1), restored_at=now - timedelta(minutes=58),
        old_active=ha.lb_1, new_active=ha.lb_2, source=FailoverSource.SNMP, dedup_key="k1",
    )  # fmt: skip
    drill = DrillRecord.objects.create(
        plan=plan, started_at=now - timedelta(days=400), led_by="Ana", outcome=Outcome.PARTIAL
    )
    FollowUpAction.objects.create(
        drill=drill, title="Shorter DNS TTL", owner="SRE", due=(now - timedelta(days=30)).date()
    )
    return now


def test_the_page_shows_groups_feeds_failovers_and_plans(viewer_client, busy):
    r = viewer_client.get(reverse("availability:list"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Degraded: lost its spare" in html  # the UPS pair, UPS-A down
    assert "Would not survive losing a side" in html  # 6,000 W > 5,888 W
    assert "To annotate" in html
    assert "API failover" in html and "Overdue" in html
    assert "plotly/plotly.min.js" in html and "Record a failover" not in html  # Viewer


def test_operators_see_the_record_buttons(operator_client, busy):
    html = operator_client.get(reverse("availability:list")).content.decode()
    assert "Record a failover" in html and "Record a drill" in html


def test_the_json_twin_has_the_same_data(viewer_client, ha, busy):
    data = viewer_client.get(reverse("availability:page_api")).json()
    assert data["tiles"]["groups_degraded"] == "1"
    assert data["tiles"]["racks_at_risk"] == "1"
    assert data["tiles"]["to_annotate"] == "1"
    assert data["tiles"]["drills_overdue"] == "1"
    assert data["tiles"]["actions_open"] == "1"
    groups = {row[0]["t"]: row for row in unpooled(data["tables"]["groups"])}
    assert groups["UPS pair"][2]["t"] == "Degraded: lost its spare"
    (trace,) = data["charts"]["timeline"]["traces"]
    assert trace["name"] == "Load balancers" and len(trace["x"]) == 1


def test_the_availability_table_uses_the_figures_module(viewer_client, ha, busy):
    data = viewer_client.get(reverse("availability:page_api")).json()
    rows = {row[0]["t"]: row for row in unpooled(data["tables"]["availability"])}
    period = calendar_period("month", BERLIN, timezone.now())
    expected = group_figures([ha.ups, ha.lb], period)
    for group in (ha.ups, ha.lb):
        a = expected[group.pk].all.availability
        assert rows[group.name][1]["v"] == pytest.approx(round(a, 9), abs=1e-6)


def test_a_custom_period_and_a_bad_one(viewer_client, busy):
    url = reverse("availability:page_api")
    data = viewer_client.get(
        url, {"period": "custom", "start": "2026-01-01", "end": "2026-01-31"}
    ).json()
    assert data["period"]["label"] == "2026-01-01 – 2026-01-31" and not data["period"]["error"]
    data = viewer_client.get(url, {"period": "custom", "start": "2026-02-30", "end": "x"}).json()
    assert "start and an end date" in data["period"]["error"]
    data = viewer_client.get(url, {"period": "decade"}).json()
    assert "Unknown period" in data["period"]["error"] and data["period"]["kind"] == "month"


def test_no_site_yet(viewer_client, db):
    r = viewer_client.get(reverse("availability:list"))
    assert r.status_code == 200 and "No sites yet" in r.content.decode()


def test_login_is_required(client, ha):
    r = client.get(reverse("availability:page_api"))
    assert r.status_code == 302 and "login" in r["Location"]


def test_an_unknown_site_is_404(viewer_client, ha):
    assert viewer_client.get(reverse("availability:list"), {"site": "nope"}).status_code == 404
