"""A group's page and its JSON twin: members live, the group's and each member's
availability (from the figures module), failovers and the state rows."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dcim.availability.models import MemberState
from dcim.availability.tests.conftest import flip
from dcim.ui.tables import unpooled


def test_the_group_page_shows_members_and_state_rows(viewer_client, ha):
    now = timezone.now()
    flip(ha.lb_1, now - timedelta(minutes=10), MemberState.ACTIVE)
    flip(ha.lb_2, now - timedelta(minutes=10), MemberState.STANDBY)
    r = viewer_client.get(reverse("availability:group", args=["lb"]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Load balancers" in html and "Active/standby" in html and "LB-02" in html


def test_the_json_twin(viewer_client, ha):
    now = timezone.now()
    flip(ha.ups_a, now - timedelta(minutes=30), MemberState.DOWN)
    data = viewer_client.get(reverse("availability:group_api", args=["ups-pair"])).json()
    assert data["tiles"]["state"] == "Degraded: lost its spare"
    assert data["tiles"]["members_up"] == "1 of 2"
    members = {row[0]["t"]: row for row in unpooled(data["tables"]["members"])}
    assert members["UPS-A"][4]["t"] == "down"
    availability = [row[0]["t"] for row in unpooled(data["tables"]["availability"])]
    assert availability == ["Group UPS pair", "UPS-A", "UPS-B"]
    (change,) = unpooled(data["tables"]["changes"])
    assert change[1]["t"] == "UPS-A" and change[2]["t"] == "Down"


def test_an_unknown_group_is_404(viewer_client, ha):
    assert viewer_client.get(reverse("availability:group", args=["nope"])).status_code == 404
    assert viewer_client.get(reverse("availability:group_api", args=["nope"])).status_code == 404
