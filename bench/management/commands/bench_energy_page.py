"""manage.py bench_energy_page: server time of the Power & PUE page, its JSON and CSVs.

Runs in its own database, ``dcim_bench_energy_page`` on the configured server (created and
migrated here; dropped afterwards unless --keep). --reuse keeps a database already loaded
by a previous --keep run.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from bench import energy_page
from bench.scratch import scratch_database
from dcim.inventory.models import Site

BENCH_DB = "dcim_bench_energy_page"


class Command(BaseCommand):
    help = "Benchmark the Power & PUE page on ~300 meters, 2,000 GPUs and 30 days of ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        a = parser.add_argument
        a("--out", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "energy_page.json"))
        a("--days", type=int, default=30, help="days of ledger history")
        a("--reps", type=int, default=20, help="timed requests per target")
        a("--keep", action="store_true", help="keep the database (to --reuse, or to browse)")
        a("--reuse", action="store_true", help="reuse a kept, loaded database as it is")

    def handle(self, *args: object, **o: object) -> None:
        drop = not (o["keep"] or o["reuse"])
        with scratch_database(BENCH_DB, keepdb=bool(o["reuse"]), drop=drop):
            if not (o["reuse"] and Site.objects.filter(slug="bench-dc").exists()):
                self.stdout.write(f"loading {o['days']} days of ledger into {BENCH_DB}…")
                energy_page.build_site(timezone.now(), int(o["days"]), log=self.stdout.write)
            self.stdout.write("timing:")
            result = energy_page.measure(reps=int(o["reps"]), log=self.stdout.write)
            result["options"] = {"days": o["days"], "reps": o["reps"]}
        out = Path(str(o["out"]))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        verdict = "all within" if not result["over_budget"] else f"OVER: {result['over_budget']}"
        self.stdout.write(
            f"\np95 budget {energy_page.BUDGET_MS:.0f} ms: {verdict}; written to {out}"
        )
