"""``manage.py seed_demo_targets``: collection targets for the demo data centre."""

from django.core.management.base import BaseCommand

from demo.targets import seed_demo_targets


class Command(BaseCommand):
    help = (
        "Create SNMP, Modbus and NVML collection targets (and their credentials) for the "
        "demo inventory, pointed at the simulated fleet on loopback. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        report = seed_demo_targets()
        for line in report.lines():
            self.stdout.write(f"demo targets: {line}")
