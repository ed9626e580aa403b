"""manage.py bench_pages: server time of every operator page and JSON endpoint.

Runs in its own database, ``dcim_bench_pages`` on the configured server (created and
migrated here; dropped afterwards unless --keep). --reuse keeps a database already loaded
by a previous --keep run, which saves the few minutes the 7 days of history take to write.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from bench import page_data, pages
from dcim.inventory.models import Device
from demo.inventory import seed_demo

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
        old = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=bool(o["reuse"]))
        try:
            if not (o["reuse"] and Device.objects.exists()):
                self.stdout.write(
                    f"loading the demo and {o['days']:g} days of history into {BENCH_DB}…"
                )
                seed_demo(log=None)
                values = page_data.load(
                    days=float(o["days"]), step_s=float(o["step"]), log=self.stdout.write
                )
                self.stdout.write(f"  {values:,} values stored")
            self.stdout.write("timing:")
            result = pages.measure(reps=int(o["reps"]), log=self.stdout.write)
            result["options"] = {"days": o["days"], "step_s": o["step"], "reps": o["reps"]}
        finally:
            if not (o["keep"] or o["reuse"]):
                connection.creation.destroy_test_db(old, verbosity=0)
        pages.write(result, Path(str(o["out"])))
        self.stdout.write("\n" + pages.table(result))
        self.stdout.write(f"\nwritten to {o['out']}")
