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
