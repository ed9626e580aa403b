"""Charts refresh with their page, in a real browser: a new sample in the store reaches the
device chart on the next live refresh, as it reaches the tables, and the user's range and
zoom survive it. In its first minute a chart says it is collecting and draws partial
buckets hollow (dcim/dashboard/buckets.py)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import GPU, Device, DeviceType, Manufacturer, Rack, Room, Site
from telemetry.readings import Reading
from tests.browser.conftest import ingest as browser_ingest
from tests.browser.conftest import shot

RAW_STEP_S = 15  # the poll interval the first-minute IT-load chart sums raw samples at

pytestmark = pytest.mark.slow
PANEL = "document.querySelector('#device-chart-panel')"


def ingest(device, readings, ts) -> None:
    browser_ingest(device, readings, ts, "refresh")


def temperature(value: float) -> list[Reading]:
    return [Reading("gpu_temperature_celsius", value, "celsius", "gpu0")]


@pytest.fixture
def host():
    """A one-GPU server in a rack beside a PDU; nothing stored yet."""
    site = Site.objects.create(name="Lab", slug="lab", timezone="Europe/Amsterdam")
    rack = Rack.objects.create(room=Room.objects.create(site=site, name="Hall 1"), name="R1")
    acme = Manufacturer.objects.create(name="Acme", slug="acme")
    kinds = {
        role: DeviceType.objects.create(
            manufacturer=acme, model=role, slug=role, u_height=2, default_role=role
        )
        for role in (DeviceRole.GPU_SERVER, DeviceRole.PDU)
    }
    devices = {
        role: Device.objects.create(
            name=f"R1-{role}", device_type=t, role=role, site=site, room=rack.room, rack=rack
        )
        for role, t in kinds.items()
    }
    GPU.objects.create(device=devices[DeviceRole.GPU_SERVER], index=0, uuid="GPU-refresh-0")
    return devices


def test_device_chart_refreshes_with_its_tables_keeping_range_and_zoom(page, host):
    server = host[DeviceRole.GPU_SERVER]
    now = timezone.now()
    for i in range(20, 0, -1):  # the last 10 minutes, every 30 s
        ingest(server, temperature(50.0 + i % 3), now - timedelta(seconds=30 * i))
    page.goto(page.base + f"/devices/{server.pk}/")
    page.get_by_role("button", name="1h", exact=True).click()
    page.wait_for_function(f"{PANEL}.dataset.loadedRange === '1h'")
    assert page.locator("#device-chart-panel").get_attribute("data-points") == "20"
    xrange = "document.getElementById('device-chart').layout.xaxis.range"
    whole = page.evaluate(xrange)
    box = page.locator("#device-chart .nsewdrag").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.2, y)  # zoom in, as a person does: drag
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=8)
    page.mouse.up()
    zoom = page.evaluate(xrange)
    assert zoom != whole
    loads = int(page.locator("#device-chart-panel").get_attribute("data-loads"))

    ingest(server, temperature(77.0), timezone.now())
    page.wait_for_function(f"Number({PANEL}.dataset.points) === 21", timeout=10_000)
    assert int(page.locator("#device-chart-panel").get_attribute("data-loads")) > loads
    gpu0 = page.locator("#gpus tbody tr", has_text="GPU0")
    assert gpu0.locator("td").nth(2).inner_text() == "77 °C"  # the table refreshed too
    assert page.locator("#device-chart-panel").get_attribute("data-loaded-range") == "1h"
    assert page.get_by_role("button", name="1h", exact=True).get_attribute("aria-pressed") == (
        "true"
    )
    assert page.evaluate(xrange) == zoom
    shot(page, "device-chart-refreshed")


def test_first_minute_charts_say_so_and_draw_partial_buckets_hollow(page, host):
    server, pdu = host[DeviceRole.GPU_SERVER], host[DeviceRole.PDU]
    # The IT-load point sits in a bucket of one poll interval (15 s) that must still be
    # open when the page asks: start just after a bucket opens (a point taken 13 s into its
    # bucket was closed, so complete, by the time a loaded machine drew the page).
    time.sleep(RAW_STEP_S - time.time() % RAW_STEP_S + 0.2)
    now = timezone.now()
    ingest(server, temperature(55.0), now - timedelta(seconds=30))
    ingest(server, temperature(56.0), now)
    ingest(pdu, [Reading("pdu_power_watts", 7500.0, "watts", "inlet:1")], now)
    page.goto(page.base + f"/devices/{server.pk}/")
    note = page.locator("#device-chart-panel [data-chart-note]")
    page.wait_for_function(f"Number({PANEL}.dataset.loads) >= 1")
    assert "Collecting since" in note.inner_text() and "2 points so far" in note.inner_text()
    page.goto(page.base + "/")
    page.wait_for_function("Number(document.querySelector('#it-load-panel').dataset.loads) >= 1")
    it_note = page.locator("#it-load-panel [data-chart-note]").inner_text()
    assert "1 point so far, 1 partial (hollow)" in it_note
    symbols = page.evaluate(
        "document.getElementById('it-load').data.map((t) => [t.name, t.mode, t.marker.symbol])"
    )
    assert symbols == [
        ["IT load", "lines+markers", None],
        ["IT load (partial)", "markers", "circle-open"],
    ]
    shot(page, "overview-first-minute")
