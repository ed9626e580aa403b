"""The floor page: a room's racks coloured by a metric, each saying its value in words."""

import pytest

from dcim.dashboard.tests.conftest import ingest
from dcim.inventory.models import Device
from telemetry.readings import Reading

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/floor/?room=999999", "/api/floor/?room=999999"])
def test_unknown_ids_are_404_not_500(viewer_client, inventory, url):
    assert viewer_client.get(url).status_code == 404


def test_floor_colours_racks_and_says_the_value(viewer_client, live):
    data = viewer_client.get("/api/floor/?metric=power").json()
    assert data["room"]["name"] == "Hall 1"
    racks = {r["name"]: r for r in data["racks"] + data["unplaced"]}
    assert racks["A01"]["text"] == "75 %" and racks["A01"]["cls"] == "heat-2"
    state = viewer_client.get("/api/floor/?metric=state").json()
    assert {r["name"]: r["text"] for r in state["unplaced"]}["A01"] == "GPU lost"


def test_floor_inlet_view_says_each_racks_inlet_against_ashrae(viewer_client, air):
    """A01's monitor reads 28.4 °C at the inlet: A1 allowable, not recommended. A02's switch
    has an inlet probe at 17.5 °C (below recommended); A03 has no probe."""
    ingest(
        Device.objects.get(name="sw-01"),
        [Reading("env_temperature_celsius", 17.5, "celsius", "sensor:Rack inlet")],
    )
    data = viewer_client.get("/api/floor/?metric=inlet").json()
    assert data["metric_label"] == "Inlet temperature"
    racks = {r["name"]: (r["cls"], r["text"]) for r in data["racks"] + data["unplaced"]}
    assert racks == {
        "A01": ("heat-3", "28.4 °C"),
        "A02": ("heat-cold", "17.5 °C"),
        "A03": ("nodata", "no data"),
    }
    legend = [item["label"] for item in data["legend"]]
    assert "27–32 °C: A1 allowable" in legend and legend[-1] == "no data"
    html = viewer_client.get("/floor/?metric=inlet").content.decode()
    assert "28.4 °C" in html and "17.5 °C" in html
