"""manage.py bench_alerts: ingest → firing → email latency with 10,000 rules' series in play.

Runs in a scratch database ``<name>_bench_alerts`` (created, migrated, dropped), so the
configured database is never touched. Writes var/bench/alerts.json.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from bench import alerts


class Command(BaseCommand):
    help = "Benchmark alert firing and email latency; writes var/bench/alerts.json."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "alerts.json")
        )
        parser.add_argument("--hosts", type=int, default=1250, help="GPU hosts of 8 GPUs")
        parser.add_argument("--trials", type=int, default=20)
        parser.add_argument("--keep", action="store_true", help="keep the scratch database")

    def handle(self, *args, **o):
        old = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old}_bench_alerts"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            result = alerts.run(o["hosts"], o["trials"], lambda m: self.stdout.write(m))
        finally:
            if not o["keep"]:
                connection.creation.destroy_test_db(old, verbosity=0)
        out = Path(o["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        for key, value in result.items():
            self.stdout.write(f"{key:38} {value}")
        ok = (result["fire_latency_s"] < 1.0, result["email_latency_s"] < 5.0)
        self.stdout.write(f"targets (fire < 1 s, email < 5 s): {'met' if all(ok) else 'MISSED'}")
        self.stdout.write(f"written to {out}")
