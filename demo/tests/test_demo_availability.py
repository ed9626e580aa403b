"""The demo's HA set-up: groups on the demo inventory, a DR plan with past drills, past
failovers; the HA page's figures and states read from it; seeding twice creates nothing."""

from django.test import TestCase
from django.utils import timezone

from dcim.availability.drills import plan_statuses
from dcim.availability.figures import calendar_period, group_figures
from dcim.availability.models import DrillRecord, Failover, GroupKind, RedundancyGroup
from dcim.availability.redundancy import group_states
from dcim.inventory.models import Device, Rack
from demo.availability import seed_availability
from demo.inventory import seed_demo
from telemetry.store.db import clear_caches


class DemoAvailabilityTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        clear_caches()
        seed_demo()
        cls.created = seed_availability()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        clear_caches()

    def test_the_groups(self):
        ups = RedundancyGroup.objects.get(name="UPS pair")
        assert ups.kind == GroupKind.TWO_N
        assert sorted(ups.members.values_list("device__name", flat=True)) == ["UPS-A", "UPS-B"]
        racks = Rack.objects.count()
        assert RedundancyGroup.objects.filter(name__endswith="A/B feeds").count() == racks
        crahs = RedundancyGroup.objects.get(name="H1 CRAHs")
        assert crahs.kind == GroupKind.N_PLUS_1 and crahs.members.count() == 6
        assert RedundancyGroup.objects.filter(name="Chillers").exists()
        # The HA pairs are seeded only where the inventory has them.
        has_lb = Device.objects.filter(name="LB-01").exists()
        assert RedundancyGroup.objects.filter(name="API load balancers").exists() == has_lb

    def test_live_states_and_figures_read_from_the_demo(self):
        groups = list(RedundancyGroup.objects.all())
        states = {g.group.name: g for g in group_states(groups, timezone.now())}
        # H2-CRAH-03 is in maintenance in the demo: the hall has lost its spare.
        assert states["H2 CRAHs"].value == 1
        period = calendar_period("year", timezone.get_current_timezone(), timezone.now())
        figures = group_figures(groups, period)
        assert len(figures) == len(groups)

    def test_the_plan_and_records(self):
        assert DrillRecord.objects.count() == 2
        (status,) = plan_statuses(timezone.now())
        assert status.last is not None and status.next is not None
        assert Failover.objects.filter(dedup_key__startswith="demo-seed:").exists()

    def test_seeding_twice_creates_nothing(self):
        assert self.created > 0
        assert seed_availability() == 0
