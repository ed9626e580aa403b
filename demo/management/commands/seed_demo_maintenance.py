"""``manage.py seed_demo_maintenance``: the demo's maintenance schedules and a year of
windows (idempotent)."""

from django.core.management.base import BaseCommand

from demo.maintenance import seed_maintenance


class Command(BaseCommand):
    help = (
        "Create the demo's preventive maintenance schedules, the past year's windows with "
        "their work orders, one window in progress and the next 60 days of windows."
    )

    def handle(self, *args: str, **options) -> None:
        self.stdout.write(f"maintenance: {seed_maintenance()} windows created")
