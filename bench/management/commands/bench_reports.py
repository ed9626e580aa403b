"""manage.py bench_reports: seconds to render each report for the demo with 30 days of
history, and the email sizes; writes var/bench/reports.json.

Runs in its own database, ``dcim_bench_reports`` (created and migrated here; dropped
afterwards unless --keep), loaded with the demo as ``make run`` seeds it
(``bench.demo_site.load_reports_demo``): inventory, energy meters with their meter history
and ledger, maintenance windows, HA groups with failover records, the DR plan and its
drills, and an hour of telemetry (alerts firing, collectors failing). The meter history
is --days long, or longer where last month began earlier: the monthly energy report
covers last month, and with only part of it in the history its PUE would be withheld
(coverage under 80 %). Targets (issue 16): the monthly energy report in under 10 s, every
email under 2 MB.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from bench import demo_site, reports
from bench.scratch import scratch_database
from dcim.inventory.models import Site
from dcim.reports.build.energy import last_month
from demo.availability import DEMO_SITE_SLUG

BENCH_DB = "dcim_bench_reports"


class Command(BaseCommand):
    help = "Benchmark rendering the four reports (HTML, charts, PDF, CSV) on the demo."

    def add_arguments(self, parser: CommandParser) -> None:
        a = parser.add_argument
        a("--out", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "reports.json"))
        a("--days", type=int, default=30, help="days of meter history, at least")
        # The daily report reads alerts firing now and collector health, not telemetry
        # history: an hour of it (page_data writes its last hour at the live 15 s) will do.
        a("--telemetry-days", type=float, default=1 / 24, help="days of live-like telemetry")
        a("--reps", type=int, default=3, help="timed renders per report")
        a("--keep", action="store_true", help="keep the database (to --reuse)")
        a("--reuse", action="store_true", help="reuse a kept, loaded database as it is")

    def handle(self, *args: object, **o: object) -> None:
        now = timezone.now()
        drop = not (o["keep"] or o["reuse"])
        with scratch_database(BENCH_DB, keepdb=bool(o["reuse"]), drop=drop):
            site = Site.objects.filter(slug=DEMO_SITE_SLUG).first()
            days = None
            if not (o["reuse"] and site):
                self.stdout.write(f"loading the demo and its history into {BENCH_DB}…")
                site, days = demo_site.load_reports_demo(
                    int(o["days"]), float(o["telemetry_days"]), now, log=self.stdout.write
                )
            self.stdout.write("rendering:")
            result = reports.measure(site, now, reps=int(o["reps"]), log=self.stdout.write)
            result["site"] = self._held(site, now, days)
            result["options"] = {k: o[k] for k in ("days", "telemetry_days", "reps")}
        out = Path(str(o["out"]))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        self.stdout.write(f"\nsite: {json.dumps(result['site'])}")
        verdict = "all within" if not result["over_target"] else f"OVER: {result['over_target']}"
        self.stdout.write(f"\ntargets: {verdict}; written to {out}")

    def _held(self, site: Site, now, days: int | None) -> dict:
        # The month both monthly reports cover (site time), as the energy report works it out.
        month = last_month(site, now)
        held = demo_site.held(site, month.start, month.end)
        held["history_days_written"] = days  # None with --reuse: see ledger_days
        held["monthly_energy_period"] = {
            "label": month.label,
            "start": month.start.isoformat(),
            "end": month.end.isoformat(),
            "how": (
                "the last complete month in site time, as the scheduled report on the 1st "
                "reads it; the meter history is written back to that month's first "
                "midnight (so more than --days when the month began earlier), so its "
                "figures cover the month whole rather than being withheld for coverage"
            ),
        }
        return held
