"""manage.py bench_load: 200 signed-in users over the pages and JSON twins for 60 s
against gunicorn on the demo with 7 days of history; writes var/bench/load.json.

The database is bench_pages' (``dcim_bench_pages``: the demo and its history), loaded here
when missing and kept for the next run (--fresh reloads it). See bench/load.py for how the
users behave and what is measured.
"""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from bench import demo_site, load, pages
from bench.scratch import scratch_database
from dcim.accounts.roles import assign_role
from dcim.inventory.models import Device
from dcim.ui.json_twin import refresh_seconds

BENCH_DB = "dcim_bench_pages"
LOAD_USER = "bench-load"


def targets() -> list[list[str]]:
    """[name, url, "page" | "json"] of every page and JSON twin bench_pages times, and the
    pages of the apps built after it."""
    listed = [[name, url, "json" if "json" in name else "page"] for name, url in pages.targets()]
    listed += [["power & pue", "/energy/", "page"], ["power & pue.json", "/energy/api/", "json"]]
    return listed


class Command(BaseCommand):
    help = "Load test: signed-in users over pages and JSON twins; writes var/bench/load.json."

    def add_arguments(self, parser: CommandParser) -> None:
        a = parser.add_argument
        a("--out", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "load.json"))
        a("--users", type=int, default=200)
        a("--seconds", type=int, default=60)
        a(
            "--pace",
            type=float,
            default=None,
            help="seconds between a user's requests (default: the pages' refresh interval)",
        )
        a("--stress-think", default="2,8", help="think time of the stress run ('' skips it)")
        a("--days", type=float, default=7.0, help="days of history when loading the database")
        a("--fresh", action="store_true", help="reload the database even if one is kept")

    def handle(self, *args: object, **o: object) -> None:
        # Kept, never dropped: gunicorn below serves it, and the next run reuses it.
        with scratch_database(BENCH_DB, keepdb=not o["fresh"], drop=False):
            if o["fresh"] or not Device.objects.exists():
                self.stdout.write(
                    f"loading the demo and {o['days']:g} days of history into {BENCH_DB}…"
                )
                demo_site.load_demo(days=float(o["days"]), step_s=60.0, log=self.stdout.write)
            user, _ = User.objects.get_or_create(username=LOAD_USER)
            password = secrets.token_urlsafe(16)
            user.set_password(password)
            user.save()
            assign_role(user, "Viewer")
        listed = targets()
        connections.close_all()
        pace = float(o["pace"] or refresh_seconds())
        result = load.measure(
            BENCH_DB,
            listed,
            LOAD_USER,
            password,
            int(o["users"]),
            int(o["seconds"]),
            pace,
            self.stdout.write,
            stress_think_s=str(o["stress_think"]) or None,
        )
        out = Path(str(o["out"]))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2))
        self.stdout.write("\n" + summary(result) + f"\nwritten to {out}")


def summary(result: dict) -> str:
    def line(label: str, run: dict) -> str:
        t = run["total"]
        return (
            f"{label:<34} {t['requests']:>6} requests ({t['rps']:>5}/s), {t['errors']} errors, "
            f"p50 {t['p50_ms']:.0f} ms, p99 {t['p99_ms']:.0f} ms"
        )

    lines = [line("1 user, asking at once", result["baseline_1_user"])]
    lines.append(line(f"{result['users']} users, every {result['pace_s']:g} s", result["load"]))
    if result["stress"]:
        label = f"{result['users']} users, every {result['stress_think_s']} s"
        lines.append(line(label, result["stress"]))
    lines.append(
        f"sign-in: {', '.join(f'{ms:.0f}' for ms in result['sign_in_ms'])} ms; "
        f"p99 ×{result['ratio_p99_load_over_baseline']} the baseline's; "
        f"target 0 errors and p99 ≤ 500 ms: {'met' if result['meets_target'] else 'NOT met'}"
    )
    return "\n".join(lines)
