"""Shared fixtures: fresh caches per test, a small inventory, rule and reading builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dcim.alerts import rule_index
from dcim.alerts.models import Channel, ChannelKind, Route, Rule
from dcim.inventory.choices import DeviceRole
from dcim.inventory.tests.factories import make_device, make_device_type, make_gpu, make_rack
from telemetry.readings import Reading
from telemetry.store.db import clear_caches

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Rule index, device facts and the store's registry must not outlive a test."""
    rule_index.invalidate()
    clear_caches()
    yield
    rule_index.invalidate()
    clear_caches()


@pytest.fixture
def gpu_server(db):
    rack = make_rack()
    dtype = make_device_type(default_role=DeviceRole.GPU_SERVER, gpu_count=8, u_height=4)
    device = make_device(device_type=dtype, rack=rack, position_u=10)
    for i in range(2):
        make_gpu(device=device, index=i)
    return device


def rule(**fields) -> Rule:
    """A metric rule (validated like admin does) with no built-in neighbours enabled."""
    Rule.objects.filter(builtin=True).update(enabled=False)
    fields.setdefault("name", f"test rule {Rule.objects.count()}")
    fields.setdefault("metric", "gpu_temperature_celsius")
    fields.setdefault("condition", "gt")
    fields.setdefault("threshold", 80)
    r = Rule(**fields)
    r.full_clean()
    r.save()
    return r


def temp(value: float, component: str = "gpu0", metric: str = "gpu_temperature_celsius"):
    return Reading(metric, float(value), "celsius", component)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def email_route(**fields) -> Route:
    channel = Channel.objects.create(
        name=f"ops-{Channel.objects.count()}", kind=ChannelKind.EMAIL, email_to="oncall@example.com"
    )
    fields.setdefault("min_severity", "info")
    return Route.objects.create(channel=channel, **fields)
