"""The demo data centre as the benchmarks load it into their scratch databases.

``load_demo``: the demo inventory and ``days`` of live-like telemetry (bench_pages,
bench_load). ``load_reports_demo``: what ``make run`` seeds (devstack.stack.prepare: the
energy meters with their meter history and ledger, maintenance, HA groups with failover
history, the DR plan with its drills), through the same demo commands, plus live-like
telemetry so alerts and collector health have something to report (bench_reports).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db.models import Max, Min

from bench import page_data
from dcim.availability.models import DrillRecord, Failover, RedundancyGroup
from dcim.energy.models import BoundaryHour, Meter
from dcim.inventory.models import GPU, Device, Rack, Site
from dcim.maintenance.models import MaintenanceWindow
from demo.availability import DEMO_SITE_SLUG
from demo.inventory import seed_demo


def load_demo(days: float, step_s: float, log: Callable[[str], None] = print) -> int:
    """The demo inventory and ``days`` of telemetry at ``step_s``; returns values stored."""
    seed_demo(log=None)
    return page_data.load(days=days, step_s=step_s, log=log)


def days_to_cover_last_month(tz: str, now: datetime) -> int:
    """Days of history, back from ``now``, that reach midnight (site time) of the first
    of last month: what the monthly energy report needs to cover its month whole."""
    first = now.astimezone(ZoneInfo(tz)).date().replace(day=1) - relativedelta(months=1)
    start = datetime.combine(first, time(0), ZoneInfo(tz))
    return math.ceil((now - start).total_seconds() / 86400)


class _Lines:
    """A file-like sink for call_command's output, line by line to ``log``."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log

    def write(self, text: str) -> None:
        for line in text.splitlines():
            if line.strip():
                self.log(f"  {line}")

    def flush(self) -> None:
        pass


def load_reports_demo(
    min_days: int, telemetry_days: float, now: datetime, log: Callable[[str], None] = print
) -> tuple[Site, int]:
    """The demo as ``make run`` seeds it, its meter history written at once (as the
    ``demo.backfill_energy`` task does in the background): ``min_days`` of it, or more
    where last month (site time) began earlier, so the monthly energy report reads a month
    the history covers whole. Returns the site and the days of history written."""
    seed_demo(log=None)
    site = Site.objects.get(slug=DEMO_SITE_SLUG)
    days = max(min_days, days_to_cover_last_month(site.timezone, now))
    log(f"  telemetry: {page_data.load(days=telemetry_days, step_s=60.0, log=log):,} values")
    out = _Lines(log)
    # seed_demo_energy --days N is what demo.backfill_energy runs: N days of 15-minute
    # meter readings from the building model through store.backfill (what is older than
    # raw retention lands in the rollups), then the ledger brought up to date.
    log(f"  energy: {days} days of meter history and the ledger (the slow part)…")
    call_command("seed_demo_energy", "--days", str(days), stdout=out)
    call_command("seed_demo_maintenance", stdout=out)
    call_command("seed_demo_availability", stdout=out)
    return site, days


def held(site: Site, month_start: datetime, month_end: datetime) -> dict:
    """What the site holds, for the benchmark's JSON: the reports' work scales with it."""
    hours = BoundaryHour.objects.filter(site=site, room=None).aggregate(
        first=Min("hour"), last=Max("hour")
    )
    failovers = Failover.objects.filter(group__site=site)
    drills = DrillRecord.objects.filter(plan__site=site)
    return {
        "site": site.slug,
        "timezone": site.timezone,
        "devices": Device.objects.filter(site=site).count(),
        "gpus": GPU.objects.filter(device__site=site).count(),
        "racks": Rack.objects.filter(room__site=site).count(),
        "meters": Meter.objects.filter(site=site, enabled=True).count(),
        "redundancy_groups": RedundancyGroup.objects.filter(site=site).count(),
        "failovers": failovers.count(),
        "failovers_in_report_month": failovers.filter(
            detected_at__gte=month_start, detected_at__lt=month_end
        ).count(),
        "dr_drills": drills.count(),
        "maintenance_windows": MaintenanceWindow.objects.filter(site=site).count(),
        "ledger_first_hour": hours["first"].isoformat() if hours["first"] else None,
        "ledger_last_hour": hours["last"].isoformat() if hours["last"] else None,
        "ledger_days": (
            round((hours["last"] - hours["first"]).total_seconds() / 86400, 1)
            if hours["first"]
            else 0
        ),
    }
