"""Monthly availability: per redundancy group, availability with and without planned
maintenance, outages, MTTR and MTBF, failovers and their RTO/RPO, and the DR drills.

Every figure is ``dcim.availability.figures.group_figures`` (the one function the HA page
calls) over ``month_range`` of the month just ended; the drills are
``dcim.availability.drills.plan_statuses``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from dcim.availability.drills import plan_statuses
from dcim.availability.figures import group_figures, month_range
from dcim.availability.models import Failover, RedundancyGroup
from dcim.inventory.models import Site
from dcim.reports.build.words import hours, local, minutes, num, pct
from dcim.reports.content import Chart, Figure, Report, Section, Series, Table
from dcim.reports.links import page

GROUP_HEADER = [
    "Group",
    "Availability (fraction)",
    "Availability without planned maintenance (fraction)",
    "Outages",
    "Outage time (h)",
    "MTTR (min)",
    "MTBF (h)",
    "Failovers",
    "Within RTO (fraction)",
    "Within RPO (fraction)",
]


def build(site: Site, now: datetime) -> Report:
    tz = ZoneInfo(site.timezone)
    before = now.astimezone(tz) - relativedelta(months=1)
    month = month_range(before.year, before.month, tz)
    link = page("availability:list")
    groups = list(RedundancyGroup.objects.filter(site=site).order_by("name"))
    figures = group_figures(groups, month, now) if groups else {}
    report = Report(
        "monthly_availability",
        "Monthly availability",
        site.name,
        site.slug,
        site.timezone,
        month.label,
        now,
    )
    report.sections += [
        _groups(groups, figures, link, month.label),
        _failovers(groups, month, tz, link),
        _drills(site, now, tz, link),
    ]
    return report


def _row(g: RedundancyGroup, a) -> list:
    return [
        g.name,
        a.all.availability,
        a.unplanned.availability,
        a.all.outages,
        hours(a.all.outage),
        minutes(a.all.mttr),
        hours(a.all.mtbf),
        a.events,
        a.rto_share,
        a.rpo_share,
    ]


def _groups(groups, figures, link: str, label: str) -> Section:
    rows = [_row(g, figures[g.pk]) for g in groups]
    shown = [
        [
            r[0],
            pct(r[1], 3),
            pct(r[2], 3),
            str(r[3]),
            num(r[4], 2),
            num(r[5], 1),
            num(r[6], 1),
            str(r[7]),
            pct(r[8], 0),
            pct(r[9], 0),
        ]
        for r in rows
    ]
    section = Section("Availability by redundancy group", link)
    for g in groups:
        a = figures[g.pk]
        glink = page("availability:group", g.slug)
        section.figures.append(
            Figure(
                f"{g.name}: availability",
                f"{pct(a.all.availability, 3)} (without planned maintenance "
                f"{pct(a.unplanned.availability, 3)})",
                glink,
                a.all.availability,
            )
        )
    section.tables.append(
        Table(
            "groups",
            "Availability, outages, MTTR and MTBF",
            GROUP_HEADER,
            rows,
            link,
            "No redundancy group in this site.",
            shown,
        )
    )
    if groups:
        section.charts.append(
            Chart(
                "availability",
                f"Availability by group, {label}",
                link,
                [g.name for g in groups],
                [Series("Availability %", [100 * (r[1] or 0) for r in rows])],
                "%",
                "barh",
            )
        )
    return section


def _failovers(groups, month, tz: ZoneInfo, link: str) -> Section:
    events = (
        Failover.objects.filter(
            group__in=groups, detected_at__gte=month.start, detected_at__lt=month.end
        )
        .select_related("group")
        .order_by("detected_at")
    )
    rows = [
        [
            f.group.name,
            f.get_kind_display(),
            local(f.detected_at, tz),
            local(f.started_at, tz),
            local(f.restored_at, tz),
            f.rto_met,
            f.rpo_met,
            f.cause,
        ]
        for f in events
    ]
    table = Table(
        "failovers",
        "Failovers this month",
        [
            "Group",
            "Kind",
            "Detected (site time)",
            "Service lost (site time)",
            "Restored (site time)",
            "Within RTO",
            "Within RPO",
            "Cause",
        ],
        rows,
        link,
        "No failover this month.",
    )
    return Section(
        "Failovers", link, [Figure("Failovers", str(len(rows)), link, len(rows))], [table]
    )


def _drills(site: Site, now: datetime, tz: ZoneInfo, link: str) -> Section:
    statuses = [s for s in plan_statuses(now) if s.plan.site_id == site.pk]
    rows = [
        [
            s.plan.name,
            local(s.last.started_at if s.last else None, tz),
            local(s.due, tz),
            local(s.next, tz),
            s.overdue,
            len(s.open_actions),
            len(s.overdue_actions),
        ]
        for s in statuses
    ]
    overdue = sum(1 for s in statuses if s.overdue)
    table = Table(
        "drills",
        "DR drills",
        [
            "Plan",
            "Last drill (site time)",
            "Due (site time)",
            "Next scheduled (site time)",
            "Overdue",
            "Open follow-ups",
            "Overdue follow-ups",
        ],
        rows,
        link,
        "No DR plan for this site.",
    )
    return Section(
        "DR drills", link, [Figure("Drills overdue", str(overdue), link, overdue)], [table]
    )
