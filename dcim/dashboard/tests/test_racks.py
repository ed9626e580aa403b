"""The racks list and the rack page: power against budget, air, the elevation, the devices."""

import pytest

from dcim.dashboard.tests.html import table_links, table_rows, tile
from dcim.inventory.models import Rack
from dcim.ui.tables import unpooled

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/racks/999999/", "/api/racks/999999/"])
def test_unknown_ids_are_404_not_500(viewer_client, inventory, url):
    assert viewer_client.get(url).status_code == 404


def test_rack_page_power_feeds_and_elevation(viewer_client, live):
    html = viewer_client.get(f"/racks/{live['rack'].pk}/").content.decode()
    assert 'data-tile="power">7.5 kW<' in html
    assert "<figcaption>Front</figcaption>" in html and "<figcaption>Rear</figcaption>" in html
    rows = table_rows(html, "devices")
    assert [r[0] for r in rows] == ["gpu-01", "gpu-02", "pdu-a01"]
    assert rows[0][5] == "Lost"  # the worst of its GPUs


def test_rack_page_shows_inlet_outlet_and_humidity_with_units(viewer_client, air):
    url = f"/racks/{air.rack_id}/"
    html = viewer_client.get(url).content.decode()
    assert tile(html, "inlet") == "28.4 °C"
    assert tile(html, "inlet_note") == (
        "Outside ASHRAE recommended 18–27 °C, within A1 allowable 15–32 °C."
    )
    assert tile(html, "outlet") == "40.1 °C"  # the hottest outlet-side probe
    assert tile(html, "outlet_note") == "11.7 °C above the inlet"
    assert tile(html, "humidity") == "41 % RH"
    rows = {r[0]: r for r in table_rows(html, "devices")}
    assert rows["a01-env"][1] == "Environment sensor"
    assert rows["a01-env"][4] == "inlet 28.4 °C · outlet 40.1 °C · inlet 41 % RH"
    api = viewer_client.get(f"/api{url}").json()["tiles"]
    assert (api["inlet"], api["outlet"], api["humidity"]) == ("28.4 °C", "40.1 °C", "41 % RH")


def test_rack_page_without_air_probes_says_no_data_and_the_envelope(viewer_client, live):
    html = viewer_client.get(f"/racks/{live['rack'].pk}/").content.decode()
    for key in ("inlet", "outlet", "humidity"):
        assert tile(html, key) == "No data yet", key
    assert tile(html, "inlet_note") == "ASHRAE recommended inlet: 18–27 °C."
    assert tile(html, "outlet_note") == ""


def test_racks_list_shows_inlet_and_outlet_air(viewer_client, air):
    rows = table_rows(viewer_client.get("/racks/").content.decode(), "racks")
    assert rows[0][0] == "A01" and rows[0][6:8] == ["28.4 °C", "40.1 °C"]
    assert rows[1][6:8] == ["—", "—"]  # A02: no probe


def test_racks_list_shows_every_rack_with_power_state_and_a_link(viewer_client, live):
    html = viewer_client.get("/racks/").content.decode()
    rows = table_rows(html, "racks")
    assert [r[0] for r in rows] == ["A01", "A02", "A03", "B01"]  # by room, then name
    # Rack, Room, Power, Budget, Of budget, Feeds, Inlet, Outlet, GPU util, State
    assert rows[0] == [
        "A01",
        "Hall 1",
        "7.5 kW",
        "10.0 kW",
        "75 %",
        "—",
        "—",
        "—",
        "50 %",
        "GPU lost",
    ]
    assert rows[1][2] == "—" and rows[1][9] == "Device failed"  # gpu-03 failed, no PDU
    assert rows[2][9] == "No data"
    rack_urls = [f"/racks/{Rack.objects.get(name=r[0]).pk}/" for r in rows]
    assert [r[0] for r in table_links(html, "racks")] == rack_urls
    api = unpooled(viewer_client.get("/api/racks/").json()["tables"]["racks"])
    assert [[c["t"] for c in r] for r in api] == rows
    assert [r[0]["h"] for r in api] == rack_urls


def test_no_racks_yet_says_so(viewer_client):
    html = viewer_client.get("/racks/").content.decode()
    assert table_rows(html, "racks") == [["No racks yet."]]
    assert viewer_client.get("/api/racks/").json()["tables"]["racks"]["rows"] == []
