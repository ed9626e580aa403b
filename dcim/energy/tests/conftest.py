"""A small metered site for the energy tests: a facility meter, IT meters and helpers to
write meter history through the store's public ingest, as a collector would."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.core.cache import cache
from django.utils import timezone

from dcim.energy.models import Meter, MeterKind
from dcim.energy.tests.page_site import seed
from dcim.energy.tests.samples import every, write
from dcim.inventory.tests.factories import make_device, make_room, make_site
from telemetry.store.db import clear_caches


@pytest.fixture(autouse=True)
def _fresh_store_caches():
    """The store's registry cache must not outlive a test's rolled-back transaction."""
    clear_caches()
    yield
    clear_caches()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The Power & PUE page keeps ledger-derived parts in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rhine(db):
    """The page tests' site (``page_site.seed``): meters, ledger, tenants, budgets."""
    return seed(timezone.now())


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


__all__ = ["MeterKind", "UTC", "every", "write"]  # the helpers, for older imports
