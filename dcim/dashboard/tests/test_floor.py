"""The floor page: a room's racks coloured by a metric, each saying its value in words."""

import pytest

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
