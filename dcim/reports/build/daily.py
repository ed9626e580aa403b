"""Daily operations: alerts active and new, maintenance today, failovers, collector health,
and yesterday's energy and PUE, for one site.

Every figure is read from its app: alerts from ``dcim.alerts`` (open states as alerting
defines them), maintenance windows from ``dcim.maintenance.windows.overlapping``, failovers
from ``dcim.availability``'s records, collector state from ``CollectionTarget.state``
(what the collectors wrote after each poll), energy from ``dcim.energy.figures.compute``
and ``trend.daily``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from dcim.alerts.models import OPEN_STATES, Alert, State
from dcim.availability.models import Failover
from dcim.energy import trend
from dcim.energy.figures import compute
from dcim.energy.periods import period
from dcim.inventory.models import Site
from dcim.maintenance.windows import overlapping
from dcim.reports.build.energy_figures import headline
from dcim.reports.build.words import local, num
from dcim.reports.content import Chart, Figure, Report, Section, Series, Table
from dcim.reports.links import page
from telemetry.models import CollectionTarget

ALERT_ROWS = 50


def build(site: Site, now: datetime) -> Report:
    tz = ZoneInfo(site.timezone)
    today = now.astimezone(tz).date()
    report = Report(
        "daily_operations",
        "Daily operations",
        site.name,
        site.slug,
        site.timezone,
        f"{today:%A %d %B %Y}",
        now,
    )
    report.sections += [
        _alerts(site, now, tz),
        _maintenance(site, now, tz),
        _failovers(site, now, tz),
        _collectors(site, tz),
        _energy(site, now, today),
    ]
    return report


def _site_alerts(site: Site):
    return Alert.objects.filter(Q(device__site=site) | Q(target__device__site=site))


def _alerts(site: Site, now: datetime, tz: ZoneInfo) -> Section:
    link = page("alerts:list")
    alerts = _site_alerts(site)
    open_ = alerts.filter(state__in=OPEN_STATES).select_related("rule")
    new = alerts.filter(started_at__gte=now - timedelta(hours=24), started_at__lt=now)
    firing = open_.filter(state=State.FIRING)
    figures = [
        Figure("Firing now", str(firing.count()), link, firing.count()),
        Figure("Pending now", str(open_.filter(state=State.PENDING).count()), link),
        Figure(
            "Firing, unacknowledged",
            str(firing.filter(acknowledged_at__isnull=True).count()),
            link,
        ),
        Figure("New in the last 24 h", str(new.count()), link, new.count()),
    ]
    for f in figures:
        f.value = int(f.text)
    rows = [
        [a.severity, a.state, a.rule.name, a.subject_label, local(a.started_at, tz), a.summary]
        for a in open_.order_by("-started_at")[:ALERT_ROWS]
    ]
    table = Table(
        "alerts",
        "Open alerts",
        ["Severity", "State", "Rule", "Subject", "Since (site time)", "Summary"],
        rows,
        link,
        "No open alert.",
    )
    return Section("Alerts", link, figures, [table])


def _maintenance(site: Site, now: datetime, tz: ZoneInfo) -> Section:
    link = page("maintenance:list")
    day = period("today", site.timezone, now=now)
    windows = overlapping(day.start, day.end).filter(site=site).order_by("starts_at")
    rows = [
        [w.title, w.get_state_display(), local(w.starts_at, tz), local(w.ends_at, tz), w.vendor]
        for w in windows
    ]
    table = Table(
        "maintenance",
        "Maintenance windows today",
        ["Window", "State", "Starts (site time)", "Ends (site time)", "Vendor"],
        rows,
        link,
        "No maintenance today.",
    )
    return Section(
        "Maintenance today",
        link,
        [Figure("Windows today", str(len(rows)), link, len(rows))],
        [table],
    )


def _failovers(site: Site, now: datetime, tz: ZoneInfo) -> Section:
    link = page("availability:list")
    since = now - timedelta(hours=24)
    events = (
        Failover.objects.filter(group__site=site, detected_at__gte=since, detected_at__lt=now)
        .select_related("group")
        .order_by("-detected_at")
    )
    rows = [
        [
            f.group.name,
            f.get_kind_display(),
            local(f.detected_at, tz),
            local(f.restored_at, tz),
            f.cause,
        ]
        for f in events
    ]
    table = Table(
        "failovers",
        "Failovers in the last 24 h",
        ["Group", "Kind", "Detected (site time)", "Restored (site time)", "Cause"],
        rows,
        link,
        "No failover in the last 24 hours.",
    )
    figure = Figure("Failovers, last 24 h", str(len(rows)), link, len(rows))
    return Section("Failovers", link, [figure], [table])


def _collectors(site: Site, tz: ZoneInfo) -> Section:
    link = page("dashboard:overview")
    targets = list(CollectionTarget.objects.filter(device__site=site).select_related("device"))
    counts = {s: 0 for s in ("up", "down", "new", "disabled")}
    for t in targets:
        counts[t.state] += 1
    failing = sorted(
        (t for t in targets if t.state == "down"), key=lambda t: -t.consecutive_failures
    )
    rows = [
        [
            t.device.name,
            t.get_protocol_display(),
            t.endpoint,
            t.consecutive_failures,
            local(t.last_success_at, tz),
            t.last_error[:200],
        ]
        for t in failing
    ]
    figures = [Figure(f"Targets {k}", str(v), link, v) for k, v in counts.items()]
    table = Table(
        "collectors",
        "Collection targets failing now",
        [
            "Device",
            "Protocol",
            "Endpoint",
            "Failures in a row",
            "Last success (site time)",
            "Error",
        ],
        rows,
        link,
        "Every enabled target answered its last poll.",
    )
    return Section("Collector health", link, figures, [table])


def _energy(site: Site, now: datetime, today) -> Section:
    link = page("energy:overview", site=site.slug)
    yesterday = period("day", site.timezone, now=now, on=today - timedelta(days=1))
    f = compute(site, yesterday, now=now)
    week = period("7d", site.timezone, now=now, on=today)
    days = trend.daily(site, week, category=f.category, now=now)
    chart = Chart(
        "pue-week",
        "PUE and IT energy, last 7 days",
        link,
        [f"{d.day:%a %d}" for d in days],
        [Series("IT kWh", [d.it_kwh for d in days]), Series("PUE", [d.pue for d in days], "line")],
        "kWh",
    )
    section = Section(f"Energy yesterday ({yesterday.label})", link, headline(f, link)[:4])
    section.charts.append(chart)
    section.notes += f.notes
    section.figures.append(
        Figure("Days shown with a PUE", num(sum(d.pue is not None for d in days), 0), link)
    )
    return section
