"""The GPUs heatmap's colour scale is fixed to what the values mean, not fitted to the data:
a healthy fleet's hottest GPU must not be painted dark red because it is the hottest."""

from __future__ import annotations

import pytest

from dcim.dashboard.tests.conftest import ingest
from telemetry.readings import Reading

pytestmark = pytest.mark.django_db


def heat(client, key: str) -> dict:
    return client.get(f"/api/gpus/?heat={key}").json()["heatmap"]


def test_without_reported_limits_the_reference_bounds_apply(viewer_client, live):
    temp = heat(viewer_client, "temp")
    assert (temp["zmin"], temp["zmax"]) == (25.0, 89.0)
    assert temp["scale"] == (
        "Colour scale 25–89 °C: cool to a typical slowdown threshold (none reported)."
    )
    assert (heat(viewer_client, "util")["zmin"], heat(viewer_client, "util")["zmax"]) == (0, 100)
    assert heat(viewer_client, "power")["zmax"] == 700.0
    memory = heat(viewer_client, "mem_used")  # no total reported: no bound to give
    assert memory["zmax"] is None and memory["scale"] == ""


def test_the_gpus_own_thresholds_set_the_top(viewer_client, live):
    gpu01 = live["gpu01"]
    ingest(
        gpu01,
        [
            Reading("gpu_temperature_slowdown_celsius", 87.0 + i, "celsius", f"gpu{i}")
            for i in range(4)
        ]
        + [Reading("gpu_power_limit_watts", 650.0, "watts", f"gpu{i}") for i in range(4)],
    )
    temp = heat(viewer_client, "temp")
    assert temp["zmax"] == 87.0  # the lowest slowdown: no GPU is past red
    assert temp["scale"] == "Colour scale 25–87 °C: cool to the GPUs' slowdown threshold."
    power = heat(viewer_client, "power")
    assert (power["zmin"], power["zmax"]) == (0.0, 650.0)


def test_the_page_has_a_place_for_the_scale(viewer_client, live):
    assert 'id="heat-scale"' in viewer_client.get("/gpus/").content.decode()
