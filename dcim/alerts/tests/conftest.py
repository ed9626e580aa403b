"""Shared fixtures: fresh caches per test, a small inventory, rule and reading builders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dcim.alerts.models import Channel, ChannelKind, Route, Rule
from dcim.alerts.tests.servers import start_smtp
from dcim.inventory.choices import DeviceRole
from dcim.inventory.tests.factories import make_device, make_device_type, make_gpu, make_rack
from telemetry.readings import Reading

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_rule_caches):
    """Every test here evaluates rules (see the root conftest)."""


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


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP listener on loopback for the module's tests."""
    controller, inbox = start_smtp()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def real_smtp(settings, smtp):
    controller, inbox = smtp
    inbox.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return inbox
