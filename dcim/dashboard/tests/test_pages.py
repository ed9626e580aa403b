"""The operator pages and their JSON twins, on real readings written through the store."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.dashboard import charts, gpu_state
from dcim.dashboard.tests.conftest import add_device
from dcim.dashboard.tests.html import table_rows
from dcim.inventory.choices import DeviceStatus
from dcim.inventory.models import GPU, Device, Rack
from dcim.ui.tables import unpooled
from telemetry import store
from telemetry.models import CollectionTarget
from telemetry.readings import Reading
from telemetry.store.db import clear_caches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_store_caches():
    """The store's registry cache must not outlive a test's rolled-back transaction."""
    clear_caches()
    yield
    clear_caches()


def ingest(device: Device, readings: list[Reading], ts=None) -> None:
    batch = store.Batch(batch_id=f"test-{device.pk}")
    batch.add_readings(device.pk, readings, ts or timezone.now())
    store.ingest(batch)


def gpu_readings(index: int, temp: float, util: float = 50.0, reasons: int = 0, lost: int = 0):
    c = f"gpu{index}"
    return [
        Reading("gpu_temperature_celsius", temp, "celsius", c),
        Reading("gpu_utilization_percent", util, "percent", c),
        Reading("gpu_power_watts", 300 + index, "watts", c),
        Reading("gpu_clocks_event_reasons", reasons, "bitmask", c),
        Reading("gpu_lost", lost, "bool", c),
    ]


@pytest.fixture
def live(inventory, device_types):
    """gpu-01 (4 GPUs, active) reporting: GPU2 throttled (HW thermal), GPU3 lost; a PDU in
    rack A01 at 7.5 kW; gpu-02 (maintenance) reporting too."""
    gpu01 = Device.objects.get(name="gpu-01")
    GPU.objects.filter(device=gpu01, index=1).update(uuid="GPU-1234abcd-0000")
    readings = gpu_readings(0, 61.0) + gpu_readings(1, 64.5) + gpu_readings(2, 88.0, reasons=0x40)
    ingest(gpu01, readings + gpu_readings(3, 40.0, lost=1))
    ingest(Device.objects.get(name="gpu-02"), gpu_readings(0, 50.0) + gpu_readings(1, 51.0))
    a01 = Rack.objects.get(name="A01")
    pdu = add_device("pdu-a01", device_types["pdu"], a01.room.site, a01)
    ingest(pdu, [Reading("pdu_power_watts", 7500.0, "watts", "inlet:1")])
    return {"gpu01": gpu01, "pdu": pdu, "rack": a01}


def pages(live) -> list[str]:
    gpu01, rack = live["gpu01"].pk, live["rack"].pk
    return [
        "/",
        "/api/overview/",
        "/api/overview/it-load/?range=24h",
        "/floor/",
        "/api/floor/",
        "/racks/",
        "/api/racks/",
        f"/racks/{rack}/",
        f"/api/racks/{rack}/",
        f"/devices/{gpu01}/",
        f"/api/devices/{gpu01}/",
        f"/api/devices/{gpu01}/chart/?metric=gpu_temperature_celsius&range=1h",
        "/gpus/",
        "/api/gpus/",
        "/network/",
        "/api/network/",
        "/cooling/",
        "/api/cooling/",
        "/api/cooling/delta-t/?range=24h",
        "/search/?q=gpu",
        "/api/search/?q=gpu",
    ]


def test_a_viewer_sees_every_page_and_endpoint(viewer_client, live):
    for url in pages(live):
        response = viewer_client.get(url)
        assert response.status_code == 200, url
        if "/api/" in url:
            assert response["Content-Type"] == "application/json", url


def test_anonymous_users_are_sent_to_login_everywhere(client, live):
    for url in pages(live):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


@pytest.mark.parametrize(
    "url",
    [
        "/racks/999999/",
        "/api/racks/999999/",
        "/devices/999999/",
        "/api/devices/999999/",
        "/api/devices/999999/chart/?metric=x",
        "/floor/?room=999999",
        "/api/floor/?room=999999",
    ],
)
def test_unknown_ids_are_404_not_500(viewer_client, inventory, url):
    assert viewer_client.get(url).status_code == 404


def test_bad_ranges_are_400_with_a_reason(viewer_client, live):
    url = f"/api/devices/{live['gpu01'].pk}/chart/?metric=gpu_power_watts"
    assert viewer_client.get(url + "&range=2y").status_code == 400
    r = viewer_client.get(url + "&range=custom&start=2025-06-02T00:00&end=2025-06-01T00:00")
    assert r.status_code == 400 and "after the start" in r.json()["error"]


def test_gpu_table_shows_the_stores_latest_values_and_states(viewer_client, live):
    data = viewer_client.get("/api/gpus/").json()
    rows = {(r[0]["t"], r[1]["t"]): r for r in unpooled(data["tables"]["gpus"])}
    assert rows[("gpu-01", "GPU1")][4]["t"] == "64 °C"
    assert rows[("gpu-01", "GPU1")][4]["v"] == 64  # 64.5 sorts as shown: 64 (half to even)
    states = {k: r[10]["st"] for k, r in rows.items()}
    assert states[("gpu-01", "GPU0")] == "healthy"
    assert states[("gpu-01", "GPU2")] == "throttled"
    assert states[("gpu-01", "GPU3")] == "lost"
    assert states[("gpu-02", "GPU0")] == "maintenance"
    assert states[("gpu-03", "GPU0")] == "no_data"
    assert data["tiles"]["gpu_lost"] == "1" and data["tiles"]["gpu_throttled"] == "1"


def test_gpu_states_words_and_rules():
    assert gpu_state.gpu_state({}, DeviceStatus.ACTIVE, False) == "no_data"
    assert gpu_state.gpu_state({"temp": 50}, DeviceStatus.MAINTENANCE, True) == "maintenance"
    assert gpu_state.gpu_state({"temp": 50, "lost": 1}, DeviceStatus.ACTIVE, True) == "stale"
    assert gpu_state.gpu_state({"lost": 1, "reasons": 0x40}, DeviceStatus.ACTIVE, False) == "lost"
    for bit in (0x8, 0x20, 0x40, 0x80):
        assert gpu_state.gpu_state({"reasons": bit}, DeviceStatus.ACTIVE, False) == "throttled"
    assert gpu_state.gpu_state({"reasons": 0x4 | 0x1}, DeviceStatus.ACTIVE, False) == "healthy"
    assert gpu_state.reasons_text(0x44) == "SW power cap, HW thermal"


def test_stale_readings_are_called_stale(viewer_client, live):
    gpu01 = live["gpu01"]
    CollectionTarget.objects.create(device=gpu01, protocol="nvml", address="gpu-01", interval_s=10)
    old = timezone.now() - timedelta(minutes=5)
    ingest(Device.objects.get(name="gpu-03"), gpu_readings(0, 45.0), ts=old)
    data = viewer_client.get("/api/gpus/").json()
    states = {(r[0]["t"], r[1]["t"]): r[10]["st"] for r in unpooled(data["tables"]["gpus"])}
    assert states[("gpu-03", "GPU0")] == "stale"  # no target: default 15 s interval, 5 min old
    html = viewer_client.get(f"/devices/{Device.objects.get(name='gpu-03').pk}/").content.decode()
    assert "Stale: the newest reading is from" in html


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
    assert data["tiles"]["gpu_no_data"] == "7" and data["tiles"]["gpu_maintenance"] == "2"
    assert "No data yet" in viewer_client.get("/api/network/").json()["tiles"]["no_data"]


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


def test_device_chart_range_picks_resolution_and_caps_points(viewer_client, live):
    gpu01 = live["gpu01"]
    now = timezone.now()
    for minutes in range(1, 30):
        ingest(gpu01, gpu_readings(0, 50 + minutes), ts=now - timedelta(minutes=minutes))
    url = f"/api/devices/{gpu01.pk}/chart/?metric=gpu_temperature_celsius"
    one = viewer_client.get(url + "&range=1h").json()
    assert one["resolution"] == "raw" and one["unit"] == "celsius"
    assert [t["name"] for t in one["traces"]] == ["gpu0", "gpu1", "gpu2", "gpu3"]
    assert len(one["traces"][0]["y"]) == 30
    month = viewer_client.get(url + "&range=30d").json()
    assert month["resolution"] in ("5m", "1h") and month["points"] <= charts.MAX_POINTS


def test_rack_page_power_feeds_and_elevation(viewer_client, live):
    html = viewer_client.get(f"/racks/{live['rack'].pk}/").content.decode()
    assert 'data-tile="power">7.5 kW<' in html
    assert "<figcaption>Front</figcaption>" in html and "<figcaption>Rear</figcaption>" in html
    rows = table_rows(html, "devices")
    assert [r[0] for r in rows] == ["gpu-01", "gpu-02", "pdu-a01"]
    assert rows[0][5] == "Lost"  # the worst of its GPUs


def test_device_page_lists_gpus_with_states(viewer_client, live):
    html = viewer_client.get(f"/devices/{live['gpu01'].pk}/").content.decode()
    rows = table_rows(html, "gpus")
    assert [r[0] for r in rows] == ["GPU0", "GPU1", "GPU2", "GPU3"]
    assert rows[2][9] == "Throttled" and rows[2][8] == "HW thermal"
    assert 'data-chart-url="/api/devices/' in html


def test_floor_colours_racks_and_says_the_value(viewer_client, live):
    data = viewer_client.get("/api/floor/?metric=power").json()
    assert data["room"]["name"] == "Hall 1"
    racks = {r["name"]: r for r in data["racks"] + data["unplaced"]}
    assert racks["A01"]["text"] == "75 %" and racks["A01"]["cls"] == "heat-2"
    state = viewer_client.get("/api/floor/?metric=state").json()
    assert {r["name"]: r["text"] for r in state["unplaced"]}["A01"] == "GPU lost"


@pytest.mark.parametrize("q", ["gpu-01", "GPU-1234abcd", "DEMO-none"])
def test_search_by_name_serial_tag_or_uuid(viewer_client, live, q):
    Device.objects.filter(name="sw-01").update(serial="SN-XYZ", asset_tag="TAG-7")
    rows = unpooled(viewer_client.get(f"/api/search/?q={q}").json()["tables"]["results"])
    names = [r[0]["t"] for r in rows]
    expected = {"gpu-01": ["gpu-01"], "GPU-1234abcd": ["gpu-01 GPU1"], "DEMO-none": []}[q]
    assert names == expected
    tagged = viewer_client.get("/api/search/?q=TAG-7").json()["tables"]["results"]
    assert unpooled(tagged)[0][0]["t"] == "sw-01"


def test_json_endpoints_are_not_cached(viewer_client, live):
    assert viewer_client.get("/api/gpus/")["Cache-Control"] == "no-store"
