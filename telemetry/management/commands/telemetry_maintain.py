"""manage.py telemetry_maintain: partitions ahead, retention, and (with --rollups) rollups."""

from django.core.management.base import BaseCommand

from telemetry import store


class Command(BaseCommand):
    help = "Create telemetry partitions ahead, drop expired ones, optionally run rollups."

    def add_arguments(self, parser):
        parser.add_argument("--rollups", action="store_true", help="also run the rollup job")

    def handle(self, *args, **options):
        r = store.maintain()
        self.stdout.write(f"created {len(r.created)} partitions, dropped {len(r.dropped)}")
        for name in r.dropped:
            self.stdout.write(f"  dropped {name}")
        if options["rollups"]:
            rr = store.run_rollups()
            self.stdout.write(
                f"rollups: {rr.rows_5m} 5-min rows, {rr.rows_1h} hourly rows, "
                f"{rr.late_buckets} late buckets, rolled until {rr.rolled_until}"
            )
