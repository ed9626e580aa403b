"""The Overview page: the right figures, in words, in a bounded number of queries; the
live part (IT load, racks near budget, failing collectors) from the store's readings."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dcim.dashboard import gpu_state
from dcim.dashboard.tests.conftest import add_device, gpu_readings, ingest
from dcim.dashboard.tests.html import counts, table_rows, tile
from dcim.inventory.choices import DeviceStatus
from dcim.inventory.models import Device, Rack, Room, Site
from dcim.ui.tables import unpooled
from telemetry.models import CollectionTarget
from telemetry.readings import Reading

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(viewer_client, inventory) -> str:
    response = viewer_client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_totals(page):
    for label, number in [("Sites", 2), ("Rooms", 3), ("Racks", 4), ("Devices", 6), ("GPUs", 9)]:
        assert f'<div class="tile"><dt>{label}</dt><dd>{number}</dd></div>' in page


def test_racks_by_status(page):
    assert counts(page, "racks-by-status") == {
        "Planned": 1,
        "Active": 2,
        "Reserved": 1,
        "Decommissioned": 0,
    }


def test_devices_by_status(page):
    assert counts(page, "devices-by-status") == {
        "Planned": 1,
        "Active": 3,
        "Maintenance": 1,
        "Failed": 1,
        "Decommissioned": 0,
    }


def test_gpus_take_the_status_of_their_server(page):
    assert counts(page, "gpus-by-status") == {
        "Planned": 2,
        "Active": 4,
        "Maintenance": 2,
        "Failed": 1,
        "Decommissioned": 0,
    }


def test_statuses_are_badges_with_words(page):
    assert '<span class="badge badge-crit" data-status="failed">Failed</span>' in page
    assert '<span class="badge badge-warn" data-status="maintenance">Maintenance</span>' in page


def test_devices_by_role_most_common_first(page):
    assert table_rows(page, "devices-by-role") == [
        ["GPU server", "4"],
        ["PDU", "1"],
        ["Switch", "1"],
    ]


def test_one_row_per_site(page):
    assert table_rows(page, "sites") == [
        ["Alpha", "Europe/Paris", "2", "3", "4", "7"],
        ["Beta", "America/New_York", "1", "1", "2", "2"],
    ]


def test_a_site_with_nothing_in_it_shows_zeros(viewer_client, inventory):
    Site.objects.create(name="Gamma", slug="gamma", timezone="Asia/Tokyo")
    rows = table_rows(viewer_client.get("/").content.decode(), "sites")
    assert rows[-1] == ["Gamma", "Asia/Tokyo", "0", "0", "0", "0"]


def test_empty_inventory_says_what_to_do(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert "No sites yet — add one in the" in html
    assert "manage.py seed_demo" in html
    assert 'id="sites"' not in html


def test_empty_state_links_the_admin_for_staff_only(client, make_user):
    client.force_login(make_user("ada", role="Admin"))
    assert 'in the <a href="/admin/">admin</a>' in client.get("/").content.decode()


def _grow(inventory, device_types, n: int) -> None:
    """Add n more of everything: sites, rooms, racks, devices of every status, GPUs."""
    for i in range(n):
        site = Site.objects.create(name=f"Grown {i}", slug=f"grown-{i}")
        room = Room.objects.create(site=site, name="Hall")
        rack = Rack.objects.create(room=room, name=f"G{i}")
        for status in DeviceStatus.values:
            add_device(f"g{i}-{status}", device_types["gpu"], site, rack, status, gpus=3)


def test_query_count_does_not_grow_with_the_inventory(
    viewer_client, inventory, device_types, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as small:
        assert viewer_client.get("/").status_code == 200
    # session + user + the user's role (dcim.accounts.no_role) + five grouped inventory
    # counts + the live part (zone, GPUs, targets, latest values, racks, devices, PDU feeds,
    # collector health, the maintenance tile's two): a bounded set, and a per-site,
    # per-rack or per-device query would show as growth below.
    assert len(small) <= 23, [q["sql"] for q in small]
    _grow(inventory, device_types, 5)
    with django_assert_max_num_queries(len(small)):
        html = viewer_client.get("/").content.decode()
    assert counts(html, "devices-by-status")["Failed"] == 1 + 5
    assert len(table_rows(html, "sites")) == 2 + 5


# -- the live part -------------------------------------------------------------------------


def test_overview_it_load_and_worst_racks(viewer_client, live):
    data = viewer_client.get("/api/overview/").json()
    assert data["tiles"]["it_load_kw"] == "7.5 kW"
    assert "PDU inlet power" in data["tiles"]["it_load_note"]
    near = unpooled(data["tables"]["near_budget"])
    assert near[0][0]["t"] == "A01"
    assert near[0][4]["t"] == "75 %"  # 7.5 kW of the default 10 kW
    assert unpooled(data["tables"]["hot_racks"])[0][4]["t"] == "88 °C"
    html = viewer_client.get("/").content.decode()
    assert 'data-tile="it_load_kw">7.5 kW<' in html
    assert table_rows(html, "near_budget")[0][:2] == ["A01", "Hall 1"]


def test_empty_fleet_says_no_data_yet(viewer_client, inventory):
    data = viewer_client.get("/api/overview/").json()
    assert data["tiles"]["it_load_kw"] == "No data yet"
    assert data["tiles"]["gpu_no_data"] == "6" and data["tiles"]["gpu_maintenance"] == "2"
    assert data["tiles"]["gpu_failed"] == "1"  # gpu-03: Failed in the inventory wins


def test_gpus_of_a_failed_server_are_never_counted_healthy(viewer_client, live):
    """gpu-03 (Failed in the inventory) reports a healthy-looking GPU: counted failed."""
    ingest(Device.objects.get(name="gpu-03"), gpu_readings(0, 45.0))
    tiles = viewer_client.get("/api/overview/").json()["tiles"]
    assert tiles["gpu_healthy"] == "2"  # gpu-01 GPU0 and GPU1
    assert tiles["gpu_failed"] == "1" and tiles["gpu_maintenance"] == "2"
    assert tiles["gpu_total"] == "9"
    html = viewer_client.get("/").content.decode()
    shown = {k: tile(html, f"gpu_{k}") for k in gpu_state.GPU_STATES}
    assert shown == {
        "failed": "1",
        "lost": "1",
        "throttled": "1",
        "stale": "0",
        "maintenance": "2",
        "no_data": "2",
        "healthy": "2",
    }
    assert 'data-status="failed">Failed (inventory)</span>' in html


def test_collector_down_says_since_when(viewer_client, live):
    since = timezone.now() - timedelta(hours=2)
    CollectionTarget.objects.create(
        device=live["pdu"],
        protocol="snmp",
        address="pdu",
        last_poll_at=timezone.now(),
        last_success_at=since,
        consecutive_failures=12,
        last_error="timeout",
    )
    rows = unpooled(viewer_client.get("/api/overview/").json()["tables"]["failing_collectors"])
    assert rows[0][0]["t"] == "pdu-a01"
    assert rows[0][2]["t"].startswith("down since ") and rows[0][2]["b"] == "crit"


def test_rack_inlets_tile_gives_the_range_and_racks_outside_ashrae(viewer_client, air):
    """A01's monitor at 28.4 °C (outside 18–27), A02's switch probe at 24.0 °C (inside)."""
    ingest(
        Device.objects.get(name="sw-01"),
        [Reading("env_temperature_celsius", 24.0, "celsius", "sensor:Rack inlet")],
    )
    html = viewer_client.get("/").content.decode()
    assert tile(html, "inlet_range") == "24.0–28.4 °C"
    assert tile(html, "inlet_note") == (
        "1 of 2 racks outside ASHRAE recommended 18–27 °C; hottest A01."
    )
    hot = table_rows(html, "hot_racks")
    assert hot[0][:4] == ["A01", "Hall 1", "28.4 °C", "40.1 °C"]  # inlet first, then GPUs
    tiles = viewer_client.get("/api/overview/").json()["tiles"]
    assert tiles["inlet_range"] == "24.0–28.4 °C"


def test_rack_inlets_tile_without_probes_says_so(viewer_client, live):
    html = viewer_client.get("/").content.decode()
    assert tile(html, "inlet_range") == "No data yet"
    assert tile(html, "inlet_note") == "No rack inlet probe has reported."
