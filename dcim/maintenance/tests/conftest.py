"""A small powered rack for the maintenance tests: a site in Europe/Berlin, a room with
two CRAHs, a rack with an A and a B feed from two panels, a PDU on each feed, and two
servers each plugged into both PDUs (A/B redundant), plus helpers to make windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dcim.inventory.choices import DeviceRole, FeedSide
from dcim.inventory.models import Device, PowerFeed, PowerPanel, Rack, Room, Site
from dcim.inventory.tests.factories import (
    make_device,
    make_device_type,
    make_pdu,
    make_power_feed,
    make_power_outlet,
    make_power_panel,
    make_power_port,
    make_rack,
    make_room,
    make_site,
)
from dcim.maintenance.models import MaintenanceWindow

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_rule_caches):
    """Every test here evaluates rules (see the root conftest)."""


@dataclass
class Hall:
    site: Site
    room: Room
    rack: Rack
    other_rack: Rack
    panel_a: PowerPanel
    panel_b: PowerPanel
    feed_a: PowerFeed
    feed_b: PowerFeed
    pdu_a: Device
    pdu_b: Device
    servers: list[Device]
    lonely: Device  # in the other rack, on nothing of the above
    crahs: list[Device]


@pytest.fixture
def hall(db) -> Hall:
    site = make_site(name="Maint site", slug="maint", timezone="Europe/Berlin")
    room = make_room(site=site, name="Hall M")
    rack, other = make_rack(room=room, name="M01"), make_rack(room=room, name="M02")
    panel_a = make_power_panel(site=site, name="PP-A")
    panel_b = make_power_panel(site=site, name="PP-B")
    feed_a = make_power_feed(panel=panel_a, rack=rack, side=FeedSide.A, name="A1")
    feed_b = make_power_feed(panel=panel_b, rack=rack, side=FeedSide.B, name="B1")
    pdu_a, pdu_b = make_pdu(rack=rack, name="M01-PDU-A"), make_pdu(rack=rack, name="M01-PDU-B")
    make_power_port(device=pdu_a, feed=feed_a, name="inlet")
    make_power_port(device=pdu_b, feed=feed_b, name="inlet")
    servers = []
    for i in (1, 2):
        server = make_device(rack=rack, name=f"M01-SRV-{i}", position_u=i * 2)
        for side, pdu in (("a", pdu_a), ("b", pdu_b)):
            outlet = make_power_outlet(device=pdu, name=f"o{i}")
            make_power_port(device=server, outlet=outlet, name=f"psu-{side}")
        servers.append(server)
    lonely = make_device(rack=other, name="M02-SRV-1", position_u=1)
    crah_type = make_device_type(default_role=DeviceRole.CRAH, u_height=0)
    crahs = [
        make_device(device_type=crah_type, site=site, room=room, name=f"CRAH-{i}") for i in (1, 2)
    ]
    return Hall(
        site,
        room,
        rack,
        other,
        panel_a,
        panel_b,
        feed_a,
        feed_b,
        pdu_a,
        pdu_b,
        servers,
        lonely,
        crahs,
    )


def window(
    hall: Hall, start: datetime | None = None, hours: float = 2, **assets
) -> MaintenanceWindow:
    """A scheduled window on ``assets`` (relation name → list of objects)."""
    start = start or timezone.now() - timedelta(minutes=30)
    w = MaintenanceWindow.objects.create(
        site=hall.site,
        title=assets.pop("title", "Test work"),
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
    )
    for name, objs in assets.items():
        getattr(w, name).set(objs)
    return w
