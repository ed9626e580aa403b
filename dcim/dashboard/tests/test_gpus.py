"""The GPUs page: every GPU with the store's latest values and one state in words, and the
rules that decide that state (dcim/dashboard/gpu_state.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dcim.dashboard import gpu_state
from dcim.dashboard.tests.conftest import gpu_readings, ingest
from dcim.inventory.choices import DeviceStatus
from dcim.inventory.models import Device
from dcim.ui.tables import unpooled
from telemetry.models import CollectionTarget

pytestmark = pytest.mark.django_db


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
    assert states[("gpu-03", "GPU0")] == "failed"  # marked Failed in the inventory
    assert states[("gpu-04", "GPU0")] == "no_data"
    assert data["tiles"]["gpu_lost"] == "1" and data["tiles"]["gpu_throttled"] == "1"


def test_gpu_states_words_and_rules():
    assert gpu_state.gpu_state({}, DeviceStatus.ACTIVE, False) == "no_data"
    assert gpu_state.gpu_state({"temp": 50}, DeviceStatus.FAILED, False) == "failed"
    assert gpu_state.gpu_state({}, DeviceStatus.FAILED, False) == "failed"
    assert gpu_state.gpu_state({"lost": 1}, DeviceStatus.MAINTENANCE, True) == "maintenance"
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
    ingest(Device.objects.get(name="gpu-04"), gpu_readings(0, 45.0), ts=old)
    data = viewer_client.get("/api/gpus/").json()
    states = {(r[0]["t"], r[1]["t"]): r[10]["st"] for r in unpooled(data["tables"]["gpus"])}
    assert states[("gpu-04", "GPU0")] == "stale"  # no target: default 15 s interval, 5 min old
    html = viewer_client.get(f"/devices/{Device.objects.get(name='gpu-04').pk}/").content.decode()
    assert "Stale: the newest reading is from" in html


def test_a_failed_server_s_gpus_are_failed_not_healthy_whatever_they_report(viewer_client, live):
    """gpu-03 is marked Failed in the inventory; its GPU still reports perfect values."""
    ingest(Device.objects.get(name="gpu-03"), gpu_readings(0, 45.0))
    data = viewer_client.get("/api/gpus/").json()
    rows = {(r[0]["t"], r[1]["t"]): r for r in unpooled(data["tables"]["gpus"])}
    state = rows[("gpu-03", "GPU0")][10]
    assert (state["st"], state["t"], state["b"]) == ("failed", "Failed (inventory)", "crit")
    assert rows[("gpu-03", "GPU0")][4]["t"] == "45 °C"  # the values are still shown
    # healthy: gpu-01 GPU0 and GPU1 only; maintenance: gpu-02's two, whatever they report
    tiles = data["tiles"]
    assert (tiles["gpu_healthy"], tiles["gpu_failed"], tiles["gpu_maintenance"]) == ("2", "1", "2")
    html = viewer_client.get("/gpus/").content.decode()
    assert 'data-status="failed">Failed (inventory)</span>' in html  # in the state filter's key


def test_the_state_filter_offers_failed_and_maintenance(viewer_client, live):
    html = viewer_client.get("/gpus/").content.decode()
    assert '<option value="failed">Failed (inventory)</option>' in html
    assert '<option value="maintenance">In maintenance</option>' in html
