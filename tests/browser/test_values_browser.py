"""Values people read, in a real browser: a chart's axis says the unit (or a state's words)
and its hover the value with it, the custom range takes ISO times, and the GPUs heatmap
draws on fixed bounds rather than the data's own range."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import GPU, Device, DeviceType, Manufacturer, Rack, Room, Site
from telemetry.readings import Reading
from tests.browser.conftest import ingest as browser_ingest
from tests.browser.conftest import shot

pytestmark = pytest.mark.slow
PANEL = "document.querySelector('#device-chart-panel')"


def ingest(device, readings, ts) -> None:
    browser_ingest(device, readings, ts, "values")


@pytest.fixture
def devices():
    """A switch whose port went down 2 minutes ago, and a healthy GPU at 60 °C."""
    site = Site.objects.create(name="Lab", slug="lab", timezone="Europe/Amsterdam")
    rack = Rack.objects.create(room=Room.objects.create(site=site, name="Hall 1"), name="R1")
    acme = Manufacturer.objects.create(name="Acme", slug="acme")
    out = {}
    for role in (DeviceRole.SWITCH, DeviceRole.GPU_SERVER):
        kind = DeviceType.objects.create(
            manufacturer=acme, model=role, slug=role, u_height=2, default_role=role
        )
        out[role] = Device.objects.create(
            name=f"R1-{role}", device_type=kind, role=role, site=site, room=rack.room, rack=rack
        )
    GPU.objects.bulk_create(GPU(device=out[DeviceRole.GPU_SERVER], index=i) for i in range(2))
    now = timezone.now()
    for i in range(6):
        at = now - timedelta(minutes=6 - i)
        oper = [Reading("if_oper_status", 1 if i < 4 else 2, "", "if:Ethernet1")]
        ingest(out[DeviceRole.SWITCH], oper, at)
    temps = [Reading("gpu_temperature_celsius", 60.0, "celsius", "gpu0")]
    ingest(out[DeviceRole.GPU_SERVER], temps, now)
    return out


def test_a_state_chart_has_words_on_its_axis_and_in_its_hover(page, devices):
    switch = devices[DeviceRole.SWITCH]
    page.goto(page.base + f"/devices/{switch.pk}/")
    page.wait_for_function(f"{PANEL}.dataset.loadedRange === '6h'")
    page.select_option("[data-chart-metric]", "if_oper_status")
    page.wait_for_function(
        f"{PANEL}.dataset.metric === 'if_oper_status' && {PANEL}.dataset.loads === '2'"
    )
    ticks = page.evaluate(
        "[...document.querySelectorAll('#device-chart .ytick text')].map((t) => t.textContent)"
    )
    assert "up" in ticks and "down" in ticks, ticks
    trace = page.evaluate("document.getElementById('device-chart').data[0]")
    assert trace["customdata"][-1] == "down" and "%{customdata}" in trace["hovertemplate"]
    shot(page, "device-chart-state-words")


def test_the_custom_range_takes_iso_times(page, devices):
    switch = devices[DeviceRole.SWITCH]
    page.goto(page.base + f"/devices/{switch.pk}/")
    page.wait_for_function(f"{PANEL}.dataset.loadedRange === '6h'")
    page.locator("details.custom-range summary").click()
    now = timezone.now().astimezone(ZoneInfo("Europe/Amsterdam"))  # the site's time
    assert page.get_attribute("input[name=start]", "placeholder") == "YYYY-MM-DD HH:MM"
    page.fill("input[name=start]", f"{now - timedelta(hours=2):%Y-%m-%d %H:%M}")
    page.fill("input[name=end]", f"{now + timedelta(minutes=5):%Y-%m-%d %H:%M}")
    page.click("form[data-custom-range] button[type=submit]")
    page.wait_for_function(f"{PANEL}.dataset.loadedRange === 'custom'")
    note = page.locator("[data-chart-note]").inner_text()
    assert "Could not load" not in note and "trace(s)" in note, note


def test_the_heatmap_scale_is_fixed_so_a_healthy_fleet_is_not_red(page, devices):
    page.goto(page.base + "/gpus/")
    page.wait_for_function("document.getElementById('heatmap').data !== undefined")
    trace = page.evaluate("document.getElementById('heatmap').data[0]")
    assert (trace["zmin"], trace["zmax"], trace["zauto"]) == (25, 89, False)
    assert trace["colorscale"][-1] == [1, "#800026"]  # dark red only at the slowdown
    assert page.locator("#heat-scale").inner_text().startswith("Colour scale 25–89 °C")
    shot(page, "gpus-heatmap-fixed-scale")
