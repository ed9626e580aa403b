"""``manage.py seed_demo_availability``: the demo's redundancy groups, DR plan with past
drills, and a few past failover records (idempotent)."""

from django.core.management.base import BaseCommand

from demo.availability import seed_availability


class Command(BaseCommand):
    help = (
        "Create the demo's redundancy groups (UPS pair, rack A/B feeds, CRAHs per hall, "
        "chillers, the keepalived and VRRP pairs where present), a DR plan with its drill "
        "schedule and past drills, and a few past failover records."
    )

    def handle(self, *args: str, **options) -> None:
        seed_availability(self.stdout.write)
