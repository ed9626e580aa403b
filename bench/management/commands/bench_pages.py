"""manage.py bench_pages: server time of every operator page and JSON endpoint.

Runs in its own database, ``dcim_bench_pages`` on the configured server (created and
migrated here; dropped afterwards unless --keep). --reuse keeps a database already loaded
by a previous --keep run, which saves the few minutes the 7 days of history take to write.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from bench import demo_site, pages
from bench.scratch import scratch_database
from dcim.inventory.models import Device

BENCH_DB = "dcim_bench_pages"


class Command(BaseCommand):
    help = (
        "Benchmark the operator pages on the demo with 7 days of history; "
        "writes var/bench/pages.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        a = parser.add_argument
        a("--out", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "pages.json"))
        a("--days", type=float, default=7.0, help="days of history to load")
        a("--step", type=float, default=60.0, help="seconds between historical samples")
        a("--reps", type=int, default=20, help="timed requests per page")
        a("--keep", action="store_true", help="keep the database (to --reuse, or to browse)")
        a("--reuse", action="store_true", help="reuse a kept, loaded database as it is")

    def handle(self, *args: object, **o: object) -> None:
        drop = not (o["keep"] or o["reuse"])
        with scratch_database(BENCH_DB, keepdb=bool(o["reuse"]), drop=drop):
            if not (o["reuse"] and Device.objects.exists()):
                self.stdout.write(
                    f"loading the demo and {o['days']:g} days of history into {BENCH_DB}…"
                )
                values = demo_site.load_demo(
                    days=float(o["days"]), step_s=float(o["step"]), log=self.stdout.write
                )
                self.stdout.write(f"  {values:,} values stored")
            self.stdout.write("timing:")
            result = pages.measure(reps=int(o["reps"]), log=self.stdout.write)
            result["options"] = {"days": o["days"], "step_s": o["step"], "reps": o["reps"]}
        pages.write(result, Path(str(o["out"])))
        self.stdout.write("\n" + pages.table(result))
        self.stdout.write(f"\nwritten to {o['out']}")
