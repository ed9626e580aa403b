"""The demo's energy set-up: meters on its power chain, and history whose PUE is plausible.

Seeds the demo once, writes a day of meter history from the building model through the
store, runs the ledger and reads the figures as the Power & PUE page does.
"""

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone

from dcim.energy.figures import compute
from dcim.energy.ledger import update_ledger
from dcim.energy.models import Meter, MeterKind, Tenant
from dcim.energy.models.meter import counted_once
from dcim.energy.periods import Period
from dcim.inventory.models import Room, Site
from demo.energy import seed_energy
from demo.energy_history import STEP_S, backfill
from demo.inventory import seed_demo
from telemetry.store.db import clear_caches


class DemoEnergyTest(TestCase):
    """Seeded once for the class (setUpTestData, rolled back after it): ~35 s."""

    @classmethod
    def setUpTestData(cls):
        clear_caches()
        seed_demo()
        cls.created = seed_energy()
        cls.written = backfill(1)
        update_ledger()
        cls.site = Site.objects.get(slug="demo")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        clear_caches()  # the store's registry cache names series the rollback removed

    def test_meters_follow_the_power_chain_and_count_nothing_twice(self):
        it = list(Meter.objects.filter(kind=MeterKind.IT_PDU_OUTPUT))
        assert len(it) >= 120  # every working rack PDU
        assert {m.parent.name for m in it} == {"MTR-UPS-A-OUT", "MTR-UPS-B-OUT"}
        ups = Meter.objects.filter(kind=MeterKind.IT_UPS_OUTPUT)
        assert {m.parent.name for m in ups} == {"MTR-UTILITY"}
        both = counted_once(list(ups) + it)
        assert {m.name for m in both} == {"MTR-UPS-A-OUT", "MTR-UPS-B-OUT"}
        assert Tenant.objects.count() == 3
        assert seed_energy() == 0  # idempotent

    def test_history_gives_a_plausible_pue_with_category_2(self):
        assert self.written > 0
        now = timezone.now()
        end = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        start = end - timedelta(hours=12)
        f = compute(self.site, Period(start, end, "12 h"), now=now)
        assert f.category == "PUE2", f.notes
        assert f.coverage == 1.0, f.withheld
        assert 1.1 < f.pue < 1.6
        assert f.label == "iPUE"
        assert 0.1 < f.wue_l_per_kwh < 1.2
        assert f.cost > 0 and f.currency == "EUR"
        for room in Room.objects.filter(site=self.site, meters__isnull=False).distinct():
            p = compute(self.site, Period(start, end, "12 h"), room=room, now=now)
            assert p.label == "pPUE" and 1.0 < p.pue < 1.2

    def test_history_is_written_once(self):
        assert backfill(1) == 0
        assert STEP_S == 900
