"""A small metered site for the energy tests: a facility meter, IT meters and helpers to
write meter history through the store's public ingest, as a collector would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from dcim.energy.models import Meter, MeterKind
from dcim.inventory.tests.factories import make_device, make_room, make_site
from telemetry import store
from telemetry.readings import Reading
from telemetry.store.db import clear_caches


@pytest.fixture(autouse=True)
def _fresh_store_caches():
    """The store's registry cache must not outlive a test's rolled-back transaction."""
    clear_caches()
    yield
    clear_caches()


def write(device, metric: str, unit: str, points, component: str = "") -> None:
    """Store ``points`` [(datetime, value)] of one metric of ``device``."""
    batch = store.Batch(batch_id=f"energy-test-{device.pk}-{metric}")
    for ts, value in points:
        batch.add_readings(device.pk, [Reading(metric, value, unit, component)], ts)
    store.ingest(batch)


def every(start: datetime, end: datetime, step_s: float, value) -> list[tuple[datetime, float]]:
    """Samples from ``start`` (inclusive) to ``end`` (inclusive) every ``step_s`` seconds;
    ``value`` is a number or a function of seconds since ``start``."""
    out, t = [], 0.0
    while start + timedelta(seconds=t) <= end:
        v = value(t) if callable(value) else value
        out.append((start + timedelta(seconds=t), v))
        t += step_s
    return out


@pytest.fixture
def site(db):
    return make_site(name="Energy test site", slug="energy-test", timezone="Europe/Berlin")


@pytest.fixture
def make_meter(site):
    def make(name: str, kind: str, metric: str, *, room=None, parent=None, bits=None) -> Meter:
        device = make_device(name=f"dev-{name}", site=site)
        return Meter.objects.create(
            name=name,
            kind=kind,
            site=site,
            room=room,
            parent=parent,
            device=device,
            metric=metric,
            counter_bits=bits,
        )

    return make


@pytest.fixture
def room(site):
    return make_room(site=site, name="Hall 1")


@pytest.fixture
def now():
    return timezone.now()


__all__ = ["MeterKind", "UTC", "every", "write"]
