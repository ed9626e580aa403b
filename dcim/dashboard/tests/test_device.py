"""The device page: its GPUs with their states, and its chart endpoint (ranges, resolution,
a cap on points, and a 400 with a reason for a bad range)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.dashboard import charts
from dcim.dashboard.tests.conftest import gpu_readings, ingest
from dcim.dashboard.tests.html import table_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/devices/999999/",
        "/api/devices/999999/",
        "/api/devices/999999/chart/?metric=x",
    ],
)
def test_unknown_ids_are_404_not_500(viewer_client, inventory, url):
    assert viewer_client.get(url).status_code == 404


def test_bad_ranges_are_400_with_a_reason(viewer_client, live):
    url = f"/api/devices/{live['gpu01'].pk}/chart/?metric=gpu_power_watts"
    assert viewer_client.get(url + "&range=2y").status_code == 400
    r = viewer_client.get(url + "&range=custom&start=2025-06-02T00:00&end=2025-06-01T00:00")
    assert r.status_code == 400 and "after the start" in r.json()["error"]


def test_device_chart_range_picks_resolution_and_caps_points(viewer_client, live):
    gpu01 = live["gpu01"]
    now = timezone.now()
    for minutes in range(1, 30):
        ingest(gpu01, gpu_readings(0, 50 + minutes), ts=now - timedelta(minutes=minutes))
    for hours in range(2, 12):  # enough hourly buckets for 30 days not to be read raw
        ingest(gpu01, gpu_readings(0, 40 + hours), ts=now - timedelta(hours=hours))
    url = f"/api/devices/{gpu01.pk}/chart/?metric=gpu_temperature_celsius"
    one = viewer_client.get(url + "&range=1h").json()
    assert one["resolution"] == "raw" and one["unit"] == "°C" and one["raw_unit"] == "celsius"
    assert [t["name"] for t in one["traces"]] == ["gpu0", "gpu1", "gpu2", "gpu3"]
    assert len(one["traces"][0]["y"]) == 30
    month = viewer_client.get(url + "&range=30d").json()
    # gpu0 hourly; gpu1-3, with one reading each, too few buckets: drawn raw (buckets.py)
    assert month["resolution"] == "1h, raw" and month["points"] <= charts.MAX_POINTS


def test_device_page_lists_gpus_with_states(viewer_client, live):
    html = viewer_client.get(f"/devices/{live['gpu01'].pk}/").content.decode()
    rows = table_rows(html, "gpus")
    assert [r[0] for r in rows] == ["GPU0", "GPU1", "GPU2", "GPU3"]
    assert rows[2][9] == "Throttled" and rows[2][8] == "HW thermal"
    assert 'data-chart-url="/api/devices/' in html
