"""manage.py bench_demo_model: does the running demo agree with physics? (see bench.demo_model)

Run it beside ``make run`` (same database). Prints the figures and writes
var/bench/demo_model.json.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from bench import demo_model


class Command(BaseCommand):
    help = "Sample a running demo and print power, heat and air figures; var/bench/demo_model.json."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "demo_model.json")
        )
        parser.add_argument("--minutes", type=float, default=30.0)
        parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
        parser.add_argument("--fresh", type=float, default=90.0, help="max age of a reading, s")

    def handle(self, *args, **o):
        result = demo_model.run(o["minutes"], o["every"], o["fresh"], self.stdout.write)
        out = Path(o["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        for key, value in result.items():
            self.stdout.write(f"{key}: {value}")
        self.stdout.write(f"wrote {out}")
