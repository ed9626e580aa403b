"""The HA page: groups with their live state, 2N racks that would not survive losing a
feed, a timeline of failovers, the availability table, DR plans with last and next
drill (overdue drills and open actions flagged), and the failovers to annotate.

One builder serves the page and its JSON twin (``dcim.ui.json_twin``). Viewers see all
of it; the buttons to record a failover or a drill show only to Operators (the actions
check the permission again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dcim.availability.drills import PlanStatus, plan_statuses
from dcim.availability.figures import group_figures
from dcim.availability.models import Failover, RedundancyGroup
from dcim.availability.redundancy import GroupLive, RackFeedCheck, feed_checks, group_states
from dcim.availability.views import words
from dcim.availability.views.choice import chosen_period
from dcim.inventory.models import Site
from dcim.ui.json_twin import fleet_tz, page_and_api, stamp
from dcim.ui.sites import chosen_site
from dcim.ui.tables import badge, cell

RECENT_FAILOVERS = 50


def build_page(request: HttpRequest) -> dict[str, Any]:
    """Groups, feeds, failovers, availability and DR plans of one site (``?site=``)."""
    site = chosen_site(request)
    now = timezone.now()
    if site is None:
        return stamp({"site": None, "sites": [], "tiles": {}, "tables": {}}, fleet_tz())
    tz = ZoneInfo(site.timezone)
    choice = chosen_period(request, tz, now)
    groups = list(RedundancyGroup.objects.filter(site=site).order_by("name"))
    live = group_states(groups, now)
    checks = feed_checks(site.pk)
    at_risk = [c for c in checks if c.survives is False]
    figures = group_figures(groups, choice.period, now)
    plans = [p for p in plan_statuses(now) if p.plan.site_id == site.pk]
    failovers = list(
        Failover.objects.filter(group__site=site)
        .select_related("group", "old_active__device", "new_active__device")
        .order_by("-detected_at")[:RECENT_FAILOVERS]
    )
    in_period = [f for f in failovers if choice.period.start <= f.detected_at < choice.period.end]
    counts = {v: sum(1 for g in live if g.value == v) for v in (0, 1, 2)}
    return stamp(
        {
            "site": {"slug": site.slug, "name": site.name, "tz": site.timezone},
            "sites": _sites(),
            "period": choice.as_data(),
            "tiles": {
                "groups_healthy": str(counts[0]),
                "groups_degraded": str(counts[1]),
                "groups_failed": str(counts[2]),
                "racks_at_risk": str(len(at_risk)),
                "failovers_period": str(len(in_period)),
                "to_annotate": str(sum(1 for f in failovers if f.needs_annotation)),
                "drills_overdue": str(sum(1 for p in plans if p.overdue)),
                "actions_open": str(sum(len(p.open_actions) for p in plans)),
            },
            "tables": {
                "groups": [_group_row(g) for g in live],
                "feeds": [_feed_row(c) for c in checks],
                "availability": [
                    [_group_link(g), *words.availability_cells(figures[g.pk])] for g in groups
                ],
                "plans": [_plan_row(p, tz) for p in plans],
                "failovers": [failover_row(f, tz) for f in failovers],
            },
            "headers": columns(),
            "charts": {"timeline": timeline(failovers, tz, choice.period.start, now)},
        },
        tz,
    )


def _sites() -> list[dict[str, str]]:
    return [
        {"slug": s, "name": n} for s, n in Site.objects.order_by("name").values_list("slug", "name")
    ]


def _group_link(g: RedundancyGroup) -> dict:
    return cell(g.name, href=reverse("availability:group", args=[g.slug]))


def _group_row(g: GroupLive) -> list[dict]:
    lost = ", ".join(f"{m.device}: {m.lost}" for m in g.members if m.lost)
    return [
        _group_link(g.group),
        cell(g.group.get_kind_display()),
        badge(("healthy", "degraded", "failed")[g.value], g.label, g.tone),
        cell(
            f"{len(g.members) - g.lost} of {len(g.members)}", sort=len(g.members) - g.lost, num=True
        ),
        cell(g.group.may_fail, num=True),
        cell(g.active or None),
        cell(lost or None),
    ]


GROUP_COLUMNS = "Group,Kind,State,Members up|n,May fail|n,Active now,Lost"


def _feed_row(c: RackFeedCheck) -> list[dict]:
    survives = c.survives
    verdict = (
        badge("no_data", "No PDU power data", "muted")
        if survives is None
        else badge("ok", "Survives losing a side", "ok")
        if survives
        else badge("failed", "Would not survive losing a side", "crit")
    )
    return [
        cell(c.rack),
        cell(c.room),
        cell(
            None if c.draw_w is None else f"{c.draw_w / 1000:,.2f} kW",
            sort=c.draw_w or -1,
            num=True,
        ),
        *[
            cell(
                f"{c.side_w[s] / 1000:,.2f} kW" if s in c.side_w else None,
                sort=c.side_w.get(s, -1),
                num=True,
            )
            for s in ("A", "B")
        ],
        words.percent(c.ratio, 1),
        verdict,
    ]


FEED_COLUMNS = "Rack,Room,Draw A + B|n,Side A available|n,Side B available|n,Of one side|n,Verdict"


def _plan_row(p: PlanStatus, tz: ZoneInfo) -> list[dict]:
    drill = (
        badge("failed", "Overdue", "crit")
        if p.overdue
        else badge("ok", "On schedule", "ok")
        if p.due
        else badge("no_data", "No schedule", "muted")
    )
    actions = (
        badge("failed", f"{len(p.open_actions)} open, {len(p.overdue_actions)} past due", "crit")
        if p.overdue_actions
        else badge("warning", f"{len(p.open_actions)} open", "warn")
        if p.open_actions
        else badge("ok", "None open", "ok")
    )
    return [
        cell(p.plan.name, href=reverse("availability:plan", args=[p.plan.pk])),
        cell(p.plan.scope),
        words.duration_cell(p.plan.rto),
        words.duration_cell(p.plan.rpo),
        cell(
            words.local(p.last.started_at, tz) if p.last else "never",
            sort=p.last.started_at.timestamp() if p.last else -1,
        ),
        cell(p.last.get_outcome_display() if p.last else None),
        cell(words.local(p.due, tz) if p.due else None),
        cell(words.local(p.next, tz) if p.next else None),
        drill,
        actions,
    ]


PLAN_COLUMNS = (
    "Plan,Scope,RTO|n,RPO|n,Last drill,Outcome,Drill due,Next scheduled,Drill,Follow-up actions"
)


def _met(value: bool | None) -> dict:
    if value is None:
        return badge("no_data", "Unknown", "muted")
    return badge("ok", "Met", "ok") if value else badge("failed", "Missed", "crit")


def failover_row(f: Failover, tz: ZoneInfo) -> list[dict]:
    href = reverse("availability:failover", args=[f.pk])
    return [
        cell(words.local(f.detected_at, tz), sort=f.detected_at.timestamp(), href=href),
        _group_link(f.group),
        cell(f.get_kind_display()),
        cell(f.old_active.device.name if f.old_active else None),
        cell(f.new_active.device.name if f.new_active else None),
        cell(f.get_source_display()),
        words.duration_cell(f.time_to_restore),
        _met(f.rto_met),
        _met(f.rpo_met),
        badge("warning", "To annotate", "warn")
        if f.needs_annotation
        else badge("ok", "Annotated" if f.annotated_by_id else "Entered", "ok"),
    ]


FAILOVER_COLUMNS = "Detected,Group,Kind,From,To,Source,Time to restore|n,RTO,RPO,Record"


def timeline(failovers: list[Failover], tz: ZoneInfo, start: datetime, end: datetime) -> dict:
    """One marker per failover at its detection time, one row per group; the hover says
    what moved where. x values are site-local wall time (plotly shows them as given); the
    axis spans the chosen period so far, or back to the oldest failover shown."""
    by_group: dict[str, dict[str, list]] = {}
    for f in sorted(failovers, key=lambda f: f.detected_at):
        t = by_group.setdefault(f.group.name, {"x": [], "y": [], "text": []})
        t["x"].append(_local(f.detected_at, tz))
        t["y"].append(f.group.name)
        moved = " → ".join(m.device.name for m in (f.old_active, f.new_active) if m is not None)
        t["text"].append(f"{f.get_kind_display()}: {moved or 'members not known'}")
    if failovers:
        start = min(start, min(f.detected_at for f in failovers))
    pad = (end - start) * 0.02  # a marker at either edge is drawn whole
    start, end = start - pad, end + pad
    return {
        "tz": str(tz),
        "range": [_local(start, tz), _local(end, tz)],
        "traces": [{"name": name, **t} for name, t in by_group.items()],
        "empty": "" if by_group else "No failovers recorded yet.",
    }


def _local(t: datetime, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


page, page_api = page_and_api("availability/page.html", build_page, "availability:page_api")


def columns() -> dict[str, str]:
    return {
        "groups": GROUP_COLUMNS,
        "feeds": FEED_COLUMNS,
        "availability": "Group," + words.AVAILABILITY_COLUMNS,
        "plans": PLAN_COLUMNS,
        "failovers": FAILOVER_COLUMNS,
    }
