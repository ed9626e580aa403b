"""The Cooling page and its JSON twin, on CRAH, CRAC, CDU and chiller readings written
through the store: supply, return, setpoint and humidity with their units, delta-T (return −
supply), when each unit last reported (in the site's time), links to each unit's device page,
the delta-T chart endpoint, and the empty states."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dcim.dashboard.tests.conftest import ingest
from dcim.dashboard.tests.html import table_links, table_rows, tile
from dcim.inventory.choices import DeviceRole, DeviceStatus
from dcim.inventory.models import Device
from dcim.inventory.tests.factories import make_device, make_device_type, make_room, make_site
from dcim.ui.tables import unpooled
from telemetry.readings import Reading

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
AIR = "cooling_supply_air_temperature_celsius", "cooling_return_air_temperature_celsius"
CDU = "cdu_secondary_supply_temperature_celsius", "cdu_secondary_return_temperature_celsius"
CHILLER = "chiller_supply_water_temperature_celsius", "chiller_return_water_temperature_celsius"
NO_DATA = "No data yet: no cooling unit has reported."


def celsius(metric: str, value: float) -> Reading:
    return Reading(metric, value, "celsius")


@pytest.fixture
def plant(db) -> dict:
    """One site (Europe/Paris) with every kind of cooling unit:

    - crah-01 (Hall 1): supply 18.46, return 30.04, setpoint 18, humidity 45.6, reported
      10 minutes ago (and supply 18, return 29 twenty minutes ago);
    - crac-02 (Hall 2, in maintenance): never reported;
    - cdu-01 (Hall 1): supply 32, return 41.3, setpoint 32;
    - cdu-02 (Hall 1): supply 30 only (its return sensor is silent);
    - chiller-01 (site level, no room): supply 7, return 12.5, setpoint 6.5.
    """
    site = make_site(name="Alpha", timezone="Europe/Paris")
    hall1, hall2 = make_room(site, name="Hall 1"), make_room(site, name="Hall 2")

    def unit(name, role, room, status=DeviceStatus.ACTIVE):
        kind = make_device_type(default_role=role, u_height=0)
        return make_device(device_type=kind, name=name, site=site, room=room, status=status)

    units = {
        "crah": unit("crah-01", DeviceRole.CRAH, hall1),
        "crac": unit("crac-02", DeviceRole.CRAC, hall2, DeviceStatus.MAINTENANCE),
        "cdu": unit("cdu-01", DeviceRole.CDU, hall1),
        "cdu_half": unit("cdu-02", DeviceRole.CDU, hall1),
        "chiller": unit("chiller-01", DeviceRole.CHILLER, None),
    }
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=10)
    ingest(
        units["crah"], [celsius(AIR[0], 18.0), celsius(AIR[1], 29.0)], ts=at - timedelta(minutes=10)
    )
    ingest(
        units["crah"],
        [
            celsius(AIR[0], 18.46),
            celsius(AIR[1], 30.04),
            celsius("cooling_supply_air_setpoint_celsius", 18.0),
            Reading("cooling_return_air_humidity_percent", 45.6, "percent"),
        ],
        ts=at,
    )
    ingest(
        units["cdu"],
        [
            celsius(CDU[0], 32.0),
            celsius(CDU[1], 41.3),
            celsius("cdu_secondary_supply_setpoint_celsius", 32.0),
        ],
        ts=at,
    )
    ingest(units["cdu_half"], [celsius(CDU[0], 30.0)], ts=at)
    ingest(
        units["chiller"],
        [
            celsius(CHILLER[0], 7.0),
            celsius(CHILLER[1], 12.5),
            celsius("chiller_supply_water_setpoint_celsius", 6.5),
        ],
        ts=at,
    )
    return {**units, "at": at}


def seen(at: datetime) -> str:
    """The "Last reading" text of a unit that reported at ``at`` (10 minutes ago)."""
    return f"10 min ago ({at.astimezone(PARIS):%H:%M:%S %Z})"


def device_url(device: Device) -> str:
    return f"/devices/{device.pk}/"


# Columns: Unit, Room, Status, Supply, Return, Setpoint, Delta-T, Humidity, Last reading


def test_air_units_show_temperatures_humidity_and_delta_t_with_units(viewer_client, plant):
    html = viewer_client.get("/cooling/").content.decode()
    assert table_rows(html, "air") == [
        ["crac-02", "Hall 2", "Maintenance", "—", "—", "—", "—", "—", "never"],
        [
            "crah-01",
            "Hall 1",
            "Active",
            "18.5 °C",
            "30.0 °C",
            "18.0 °C",
            "11.6 K",
            "46 %",
            seen(plant["at"]),
        ],
    ]
    assert [r[0] for r in table_links(html, "air")] == [
        device_url(plant["crac"]),
        device_url(plant["crah"]),
    ]
    assert '<span class="badge badge-warn" data-status="maintenance">Maintenance</span>' in html


def test_cdus_and_chillers_have_their_own_tables(viewer_client, plant):
    html = viewer_client.get("/cooling/").content.decode()
    assert table_rows(html, "cdu") == [
        [
            "cdu-01",
            "Hall 1",
            "Active",
            "32.0 °C",
            "41.3 °C",
            "32.0 °C",
            "9.3 K",
            "—",
            seen(plant["at"]),
        ],
        # No return temperature: no delta-T either, rather than a made-up one.
        ["cdu-02", "Hall 1", "Active", "30.0 °C", "—", "—", "—", "—", seen(plant["at"])],
    ]
    assert table_rows(html, "chiller") == [
        [
            "chiller-01",
            "—",
            "Active",
            "7.0 °C",
            "12.5 °C",
            "6.5 °C",
            "5.5 K",
            "—",
            seen(plant["at"]),
        ],
    ]
    assert [r[0] for r in table_links(html, "cdu")] == [
        device_url(plant["cdu"]),
        device_url(plant["cdu_half"]),
    ]
    assert table_links(html, "chiller")[0][0] == device_url(plant["chiller"])
    assert tile(html, "no_data") == ""


def test_the_json_twin_carries_the_same_values_and_links(viewer_client, plant):
    html = viewer_client.get("/cooling/").content.decode()
    assert 'data-live-url="/api/cooling/"' in html
    assert 'data-chart-url="/api/cooling/delta-t/"' in html
    data = viewer_client.get("/api/cooling/").json()
    for table in ("air", "cdu", "chiller"):
        rows = unpooled(data["tables"][table])
        assert [[c["t"] for c in r] for r in rows] == table_rows(html, table), table
        assert [r[0]["h"] for r in rows] == [r[0] for r in table_links(html, table)], table
    crah = unpooled(data["tables"]["air"])[1]
    # sorts by the unrounded value, which hovering shows
    assert crah[6] == {"t": "11.6 K", "v": 11.58, "n": 1, "ti": "11.58 K"}
    assert data["tiles"]["no_data"] == "" and data["tz"] == "Europe/Paris"


def test_delta_t_chart_is_return_minus_supply_per_unit(viewer_client, plant):
    air = viewer_client.get("/api/cooling/delta-t/?range=1h").json()
    assert air["unit"] == "K" and air["resolution"] == "raw" and air["empty"] == ""
    assert [(t["name"], t["y"]) for t in air["traces"]] == [("crah-01", [11.0, 11.58])]
    cdu = viewer_client.get("/api/cooling/delta-t/?range=1h&kind=cdu").json()
    assert [(t["name"], t["y"]) for t in cdu["traces"]] == [("cdu-01", [9.3])]  # not cdu-02
    chiller = viewer_client.get("/api/cooling/delta-t/?range=1h&kind=chiller").json()
    assert [(t["name"], t["y"]) for t in chiller["traces"]] == [("chiller-01", [5.5])]


def test_delta_t_chart_refuses_an_unknown_kind_or_range(viewer_client, plant):
    r = viewer_client.get("/api/cooling/delta-t/?kind=steam")
    assert r.status_code == 400 and r.json()["error"] == "unknown kind 'steam'"
    assert viewer_client.get("/api/cooling/delta-t/?range=2y").status_code == 400


def test_units_without_readings_show_dashes_and_say_no_data(viewer_client, plant):
    Device.objects.exclude(pk=plant["crac"].pk).delete()
    html = viewer_client.get("/cooling/").content.decode()
    assert tile(html, "no_data") == NO_DATA
    assert table_rows(html, "air") == [
        ["crac-02", "Hall 2", "Maintenance", "—", "—", "—", "—", "—", "never"]
    ]
    assert table_rows(html, "cdu") == [["No CDUs."]]
    chart = viewer_client.get("/api/cooling/delta-t/?range=24h").json()
    assert chart["traces"] == [] and chart["empty"] == "No data in this range."


def test_no_cooling_units_says_so_instead_of_breaking(viewer_client, inventory):
    response = viewer_client.get("/cooling/")
    assert response.status_code == 200
    html = response.content.decode()
    assert tile(html, "no_data") == NO_DATA
    assert table_rows(html, "air") == [["No air units."]]
    assert table_rows(html, "cdu") == [["No CDUs."]]
    assert table_rows(html, "chiller") == [["No chillers."]]
    data = viewer_client.get("/api/cooling/").json()
    assert all(data["tables"][t]["rows"] == [] for t in ("air", "cdu", "chiller"))
    assert data["tiles"]["no_data"] == NO_DATA
    chart = viewer_client.get("/api/cooling/delta-t/?range=24h").json()
    assert chart["traces"] == [] and chart["points"] == 0
    assert chart["empty"] == "No data in this range."
