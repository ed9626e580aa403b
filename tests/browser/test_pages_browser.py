"""The operator pages in a real browser: log in, open every page, values equal the store's,
the range picker changes a chart, tiles refresh without reload, tables sort by keyboard.
Screenshots of each page go to test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import GPU, Device, DeviceType, Manufacturer, Rack, Room, Site
from telemetry import store
from telemetry.readings import Reading
from tests.browser.conftest import shot

pytestmark = pytest.mark.slow


def ingest(device, readings, ts=None) -> None:
    batch = store.Batch(batch_id=f"browser-{device.pk}")
    batch.add_readings(device.pk, readings, ts or timezone.now())
    store.ingest(batch)


@pytest.fixture
def fleet():
    """A small, complete place: a rack with an 8-GPU server, a PDU, a switch and a CRAH,
    with a day of GPU temperature history (every 10 minutes) and live values now."""
    site = Site.objects.create(name="Lab", slug="lab", timezone="Europe/Amsterdam")
    room = Room.objects.create(site=site, name="Hall 1", grid_columns=6, grid_rows=4)
    rack = Rack.objects.create(room=room, name="H1-A01", grid_x=1, grid_y=1)
    acme = Manufacturer.objects.create(name="Acme", slug="acme")

    def kind(slug, role, u):
        return DeviceType.objects.create(
            manufacturer=acme, model=slug, slug=slug, u_height=u, default_role=role
        )

    def dev(name, t, pos=None, rack_=rack):
        return Device.objects.create(
            name=name,
            device_type=t,
            role=t.default_role,
            site=site,
            room=room,
            rack=rack_,
            position_u=pos,
        )

    host = dev("H1-A01-DGX01", kind("dgx", DeviceRole.GPU_SERVER, 8), 2)
    GPU.objects.bulk_create(GPU(device=host, index=i, uuid=f"GPU-test-{i}") for i in range(8))
    pdu = dev("H1-A01-PDU-A", kind("pdu", DeviceRole.PDU, 0))
    switch = dev("H1-A01-LEAF", kind("leaf", DeviceRole.SWITCH, 1), 42)
    crah = dev("H1-CRAH-01", kind("crah", DeviceRole.CRAH, 0), rack_=None)
    now = timezone.now()
    for minutes in range(20, 24 * 60, 10):
        at = now - timedelta(minutes=minutes)
        ingest(
            host, [Reading("gpu_temperature_celsius", 40 + (minutes % 30), "celsius", "gpu0")], at
        )
    live = []
    for i in range(8):
        c = f"gpu{i}"
        live += [
            Reading("gpu_temperature_celsius", 55.0 + i * 1.5, "celsius", c),
            Reading("gpu_utilization_percent", 70.0 + i, "percent", c),
            Reading("gpu_power_watts", 500.0 + i, "watts", c),
            Reading("gpu_lost", 0, "bool", c),
            Reading("gpu_clocks_event_reasons", 0x40 if i == 5 else 0, "bitmask", c),
        ]
    ingest(host, live, now - timedelta(seconds=2))
    for minutes in (3, 2, 1):
        ingest(
            host,
            [Reading("gpu_temperature_celsius", 57.0, "celsius", "gpu0")],
            now - timedelta(minutes=minutes) + timedelta(seconds=1),
        )
    ingest(pdu, [Reading("pdu_power_watts", 7500.0, "watts", "inlet:1")])
    ingest(
        switch,
        [
            Reading("if_oper_status", 1, "", "if:p1"),
            Reading("if_oper_status", 2, "", "if:p2"),
            Reading("if_admin_status", 1, "", "if:p2"),
        ],
    )
    ingest(
        crah,
        [
            Reading("cooling_supply_air_temperature_celsius", 18.5, "celsius"),
            Reading("cooling_return_air_temperature_celsius", 30.0, "celsius"),
        ],
    )
    return {"host": host, "pdu": pdu, "rack": rack, "switch": switch, "crah": crah}


def test_every_page_opens(page, fleet):
    urls = {
        "overview": "/",
        "floor": "/floor/",
        "racks": "/racks/",
        "rack": f"/racks/{fleet['rack'].pk}/",
        "device-gpu-server": f"/devices/{fleet['host'].pk}/",
        "device-switch": f"/devices/{fleet['switch'].pk}/",
        "device-pdu": f"/devices/{fleet['pdu'].pk}/",
        "device-crah": f"/devices/{fleet['crah'].pk}/",
        "gpus": "/gpus/",
        "network": "/network/",
        "cooling": "/cooling/",
        "search": "/search/?q=DGX",
        "alerts": "/alerts/",
    }
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for name, url in urls.items():
        response = page.goto(page.base + url)
        assert response.status == 200, url
        assert page.locator("h1").first.is_visible()
        page.wait_for_load_state("networkidle")
        assert "Could not load" not in page.content(), url
        shot(page, name)
    assert errors == []


def test_gpu_temperature_shown_equals_the_stores_latest(page, fleet):
    [latest] = store.latest(
        metric="gpu_temperature_celsius", device_ids=[fleet["host"].pk], component="gpu3"
    )
    page.goto(page.base + "/gpus/")
    row = page.locator("#gpus tbody tr", has_text="GPU3")
    row.first.wait_for()
    assert row.locator("td").nth(3).inner_text() == f"{latest.value:.0f} °C"
    assert page.locator('#gpus [data-status="throttled"]').count() == 1
    page.goto(page.base + f"/devices/{fleet['host'].pk}/")
    gpu3 = page.locator("#gpus tbody tr", has_text="GPU3")
    assert gpu3.locator("td").nth(2).inner_text() == f"{latest.value:.0f} °C"


def test_range_picker_changes_the_charts_data(page, fleet):
    page.goto(page.base + f"/devices/{fleet['host'].pk}/")
    panel = page.locator("#device-chart-panel")
    page.wait_for_function(
        "document.querySelector('#device-chart-panel').dataset.loadedRange === '6h'"
    )
    six = (panel.get_attribute("data-points"), panel.get_attribute("data-first"))
    page.get_by_role("button", name="1h", exact=True).click()
    page.wait_for_function(
        "document.querySelector('#device-chart-panel').dataset.loadedRange === '1h'"
    )
    one = (panel.get_attribute("data-points"), panel.get_attribute("data-first"))
    page.get_by_role("button", name="24h", exact=True).click()
    page.wait_for_function(
        "document.querySelector('#device-chart-panel').dataset.loadedRange === '24h'"
    )
    day = (panel.get_attribute("data-points"), panel.get_attribute("data-first"))
    assert len({six, one, day}) == 3, (six, one, day)
    assert int(day[0]) > int(six[0]) > int(one[0])
    assert page.locator(".chart .main-svg").count() > 0  # Plotly drew it
    shot(page, "device-chart-24h")


def test_a_tile_updates_without_reload_after_new_readings(page, fleet):
    page.goto(page.base + "/")
    tile = page.locator('[data-tile="it_load_kw"]')
    assert tile.inner_text() == "7.5 kW"
    page.evaluate("window.__samePage = true")
    ingest(fleet["pdu"], [Reading("pdu_power_watts", 9100.0, "watts", "inlet:1")])
    page.wait_for_function(
        "document.querySelector('[data-tile=\"it_load_kw\"]').textContent === '9.1 kW'",
        timeout=10_000,
    )
    assert page.evaluate("window.__samePage") is True
    assert "Updated" in page.locator("[data-live-status]").inner_text()


def test_tables_sort_from_the_keyboard(page, fleet):
    page.goto(page.base + "/gpus/")
    page.locator("#gpus tbody tr", has_text="GPU7").first.wait_for()
    header = page.locator("#gpus thead button.sort", has_text="Temperature")
    header.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # second press: descending
    th = page.locator("#gpus thead th").nth(4)
    assert th.get_attribute("aria-sort") == "descending"
    first = page.locator("#gpus tbody tr").first
    assert first.locator("td").nth(0).inner_text() == "GPU7"
    page.fill('[data-filter="gpus"]', "GPU5")
    assert page.locator("#gpus tbody tr:visible").count() == 1
