"""manage.py bench_store: the telemetry store benchmark (prints a table, writes JSON).

It runs in a scratch database ``<name>_bench`` that it creates, migrates and drops, so it
never touches the data of the configured database.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from bench import store, store_experiments


class Command(BaseCommand):
    help = "Benchmark the telemetry store; writes var/bench/store.json."

    def add_arguments(self, parser):
        a = parser.add_argument
        a("--out", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "store.json"))
        a("--gpu-hosts", type=int, default=1000, help="hosts of 8 GPUs in the ingest mix")
        a("--switches", type=int, default=40)
        a("--pdus", type=int, default=200)
        a("--cycles", type=int, default=12, help="poll cycles ingested (timed)")
        a("--batch-values", type=int, default=50_000, help="values per ingest batch")
        a("--query-gpus", type=int, default=2000)
        a("--query-metrics", type=int, default=4, help="metrics per GPU in the history")
        a("--query-days", type=float, default=7)
        a("--query-reps", type=int, default=60)
        a("--keep", action="store_true", help="keep the scratch database")
        a(
            "--experiments",
            action="store_true",
            help="also measure narrow vs wide, dedup methods, parent vs partition",
        )

    def handle(self, *args, **o):
        names = (
            "gpu_hosts",
            "switches",
            "pdus",
            "cycles",
            "batch_values",
            "query_gpus",
            "query_metrics",
            "query_days",
            "query_reps",
        )
        opts = {k: o[k] for k in names}
        old = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old}_bench"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            result = store.run(opts, lambda m: self.stdout.write(m))
            if o["experiments"]:
                self.stdout.write("experiments (DB side only, prebuilt buffers):")
                result["experiments"] = store_experiments.run(opts, lambda m: self.stdout.write(m))
        finally:
            if not o["keep"]:
                connection.creation.destroy_test_db(old, verbosity=0)
        store.write(result, Path(o["out"]))
        self.stdout.write("")
        self.stdout.write(store.table(result))
        self.stdout.write(f"\nwritten to {o['out']}")
