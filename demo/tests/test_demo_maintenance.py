"""The demo's maintenance: a year of schedules, windows done, in progress and upcoming;
seeding twice creates nothing more."""

from django.test import TestCase
from django.utils import timezone

from dcim.inventory.tests.factories import make_user
from dcim.maintenance.choices import WindowState
from dcim.maintenance.models import ChecklistItem, MaintenanceWindow, Schedule
from demo.inventory import seed_demo
from demo.maintenance import seed_maintenance
from telemetry.store.db import clear_caches


class DemoMaintenanceTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        clear_caches()
        seed_demo()
        cls.created = seed_maintenance()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        clear_caches()

    def test_a_plausible_year(self):
        now = timezone.now()
        assert Schedule.objects.count() == 9
        done = MaintenanceWindow.objects.filter(state=WindowState.DONE)
        assert done.count() >= 60  # 52 weekly generator inspections alone
        assert done.filter(starts_at__lt=now - timezone.timedelta(days=300)).exists()
        assert MaintenanceWindow.objects.filter(state=WindowState.IN_PROGRESS).count() == 1
        upcoming = MaintenanceWindow.objects.filter(state=WindowState.SCHEDULED, starts_at__gt=now)
        assert upcoming.count() >= 8
        assert upcoming.filter(kind="vendor").exists()
        assert ChecklistItem.objects.filter(result="fail").count() >= 1

    def test_the_maintenance_pages_render_the_demo(self):
        self.client.force_login(make_user("Viewer"))
        r = self.client.get("/maintenance/", {"site": "demo"})
        assert r.status_code == 200 and "Generator weekly inspection" in r.content.decode()
        window = MaintenanceWindow.objects.filter(state=WindowState.DONE).first()
        assert self.client.get(f"/maintenance/{window.pk}/").status_code == 200

    def test_seeding_twice_creates_nothing(self):
        before = MaintenanceWindow.objects.count()
        assert seed_maintenance() == 0
        assert MaintenanceWindow.objects.count() == before == self.created
