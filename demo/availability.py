"""The demo's HA and DR set-up (``manage.py seed_demo_availability``): redundancy groups
on the demo's inventory, a DR plan with its schedule and a few past drills, and a few
past failover records, so the HA page has history on the first ``make run``.

Groups: the UPS pair (2N), the A/B feeds of each rack (the rack's two PDUs, 2N), the
CRAHs of each hall (N+1), the chillers (N+1), the keepalived load balancers LB-01/LB-02
and the VRRP edge routers EDGE-01/EDGE-02 (active/standby, detected from the devices), and
the standby generator GEN-01 (its starts detected from its controller over Modbus).
A group is seeded only when its devices exist (the HA pairs arrive with the telemetry
side's demo inventory).

Idempotent: groups, plans and drills are found by name (or plan and start), records by
their seed key; what exists is kept as an Operator or admin may have changed it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from dcim.availability.models import (
    DrillRecord,
    DrillSchedule,
    DrillStepRun,
    DRPlan,
    DRStep,
    Failover,
    FailoverKind,
    FailoverSource,
    FollowUpAction,
    GroupKind,
    Member,
    MemberRole,
    Outcome,
    RedundancyGroup,
)
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device, Rack, Site

DEMO_SITE_SLUG = "demo"
SEED_KEY = "demo-seed:"
PLAN = "Site power and API front end"
STEPS = (
    ("Announce the drill; freeze changes", "NOC lead"),
    ("Open UPS-A input breaker: load on UPS-B, A side on battery", "Facilities"),
    ("Stop keepalived on LB-01: VIP moves to LB-02", "SRE on call"),
    ("Check API error rate and latency from outside", "SRE on call"),
    ("Restore UPS-A and LB-01; fail back", "Facilities and SRE"),
)


def seed_availability(log: Callable[[str], None] = lambda line: None) -> int:
    """Create what is missing; returns how many rows were created."""
    site = Site.objects.filter(slug=DEMO_SITE_SLUG).first()
    if site is None:
        log("availability: no demo site (run seed_demo first)")
        return 0
    with transaction.atomic():
        created = _groups(site)
        created += _plan(site)
        created += _failovers(site)
    log(f"availability: {created} rows created")
    return created


def _group(site, name, kind, may_fail, rto, rpo, members, description="") -> int:
    """One group with its members ([(device, role)]); none if a device is missing."""
    if not members or any(d is None for d, _ in members):
        return 0
    group, made = RedundancyGroup.objects.get_or_create(
        name=name,
        defaults=dict(
            slug=slugify(name), site=site, kind=kind, may_fail=may_fail, rto=rto, rpo=rpo,
            description=description,
        ),
    )  # fmt: skip
    n = int(made)
    for device, role in members:
        _, m = Member.objects.get_or_create(group=group, device=device, defaults={"role": role})
        n += int(m)
    return n


def _groups(site: Site) -> int:
    devices = {d.name: d for d in Device.objects.filter(site=site)}
    get = devices.get
    n = _group(
        site, "UPS pair", GroupKind.TWO_N, 1, timedelta(0), timedelta(0),
        [(get("UPS-A"), MemberRole.SIDE_A), (get("UPS-B"), MemberRole.SIDE_B)],
        "Each UPS carries one side of every rack; either alone must carry the IT load.",
    )  # fmt: skip
    for rack in Rack.objects.filter(room__site=site).order_by("name"):
        n += _group(
            site, f"{rack.name} A/B feeds", GroupKind.TWO_N, 1, timedelta(0), timedelta(0),
            [(get(f"{rack.name}-PDU-A"), MemberRole.SIDE_A),
             (get(f"{rack.name}-PDU-B"), MemberRole.SIDE_B)],
        )  # fmt: skip
    for prefix in sorted({name.split("-CRAH-")[0] for name in devices if "-CRAH-" in name}):
        crahs = sorted(d for d in devices if d.startswith(f"{prefix}-CRAH-"))
        n += _group(
            site, f"{prefix} CRAHs", GroupKind.N_PLUS_1, 1, timedelta(minutes=10), timedelta(0),
            [(devices[c], MemberRole.PEER) for c in crahs],
            "N+1: the hall's heat load needs all but one unit.",
        )  # fmt: skip
    chillers = sorted(d.name for d in devices.values() if d.role == DeviceRole.CHILLER)
    n += _group(
        site, "Chillers", GroupKind.N_PLUS_1, 1, timedelta(minutes=15), timedelta(0),
        [(devices[c], MemberRole.PEER) for c in chillers],
    )  # fmt: skip
    n += _group(
        site, "API load balancers", GroupKind.ACTIVE_STANDBY, 1, timedelta(seconds=30),
        timedelta(0), [(get("LB-01"), MemberRole.ACTIVE), (get("LB-02"), MemberRole.STANDBY)],
        "HAProxy behind keepalived (instance VI_API, VRID 51): detected over KEEPALIVED-MIB.",
    )  # fmt: skip
    n += _group(
        site, "Edge routers", GroupKind.ACTIVE_STANDBY, 1, timedelta(seconds=10), timedelta(0),
        [(get("EDGE-01"), MemberRole.ACTIVE), (get("EDGE-02"), MemberRole.STANDBY)],
        "VRRP (ifIndex 1, VRID 10): detected over VRRP-MIB.",
    )  # fmt: skip
    n += _group(
        site, "Standby generator", GroupKind.ACTIVE_STANDBY, 0, timedelta(seconds=30),
        timedelta(0), [(get("GEN-01"), MemberRole.STANDBY)],
        "The utility feed is the active side (no device reports it); GEN-01 starts when it "
        "is lost: detected over Modbus from the controller's engine state.",
    )  # fmt: skip
    return n


def _plan(site: Site) -> int:
    tz = ZoneInfo(site.timezone)
    today = timezone.now().astimezone(tz).date()
    plan, made = DRPlan.objects.get_or_create(
        name=PLAN,
        defaults=dict(
            site=site, rto=timedelta(minutes=15), rpo=timedelta(minutes=1),
            scope="Loss of one UPS side and of the active API load balancer: IT load on "
            "the other side, API traffic on the standby, no session lost beyond a minute.",
        ),
    )  # fmt: skip
    n = int(made)
    if made:
        plan.groups.set(RedundancyGroup.objects.filter(name__in=["UPS pair", "API load balancers"]))
        for order, (title, owner) in enumerate(STEPS, start=1):
            DRStep.objects.create(plan=plan, order=order, title=title, owner=owner)
            n += 1
    first = datetime.combine(today.replace(month=1, day=15), time(7), tz)
    _, s = DrillSchedule.objects.get_or_create(
        plan=plan, defaults=dict(rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=3TU", dtstart=first)
    )
    n += int(s)
    steps = list(plan.steps.order_by("order"))
    # Two past drills: one passed, one only partly (a follow-up still open).
    for days_ago, outcome, findings, actions in (
        (170, Outcome.PASSED, "All steps within RTO; failback took 6 min.", []),
        (80, Outcome.PARTIAL, "VIP moved in 4 s, but the API health check took 9 min to "
         "go green: RTO met, with little margin.", [
             ("Shorten the API health check interval to 10 s", "SRE", 30, True),
             ("Document the UPS-A breaker sequence in the runbook", "Facilities", -10, False),
         ]),
    ):  # fmt: skip
        start = datetime.combine(today - timedelta(days=days_ago), time(9), tz)
        drill, d = DrillRecord.objects.get_or_create(
            plan=plan, started_at=start,
            defaults=dict(ended_at=start + timedelta(minutes=42), led_by="NOC lead and SRE",
                          outcome=outcome, findings=findings),
        )  # fmt: skip
        if not d:
            continue
        n += 1
        at = start
        for k, step in enumerate(steps):
            took = timedelta(minutes=(3, 2, 1, 9 if outcome == Outcome.PARTIAL else 4, 6)[k % 5])
            DrillStepRun.objects.create(drill=drill, step=step, started_at=at, ended_at=at + took)
            at += took + timedelta(minutes=2)
            n += 1
        for title, owner, due_in, done in actions:
            due = today - timedelta(days=days_ago) + timedelta(days=due_in + 30)
            FollowUpAction.objects.create(
                drill=drill, title=title, owner=owner, due=due,
                done_at=timezone.now() - timedelta(days=20) if done else None,
            )  # fmt: skip
            n += 1
    return n


def _failovers(site: Site) -> int:
    """A few past records: a UPS transfer to battery, a planned switchover, a drill."""
    members = {
        (m.group.name, m.device.name): m
        for m in Member.objects.filter(group__site=site).select_related("group", "device")
    }
    now = timezone.now().replace(microsecond=0)
    n = 0
    for key, group, kind, old, new, ago, took, cause, impact in (
        ("ups-a-battery", "UPS pair", FailoverKind.AUTOMATIC, "UPS-A", None,
         timedelta(days=41, hours=3), timedelta(seconds=94),
         "Utility sag; UPS-A on battery until the input recovered.", "None: B side held."),
        ("lb-switchover", "API load balancers", FailoverKind.SWITCHOVER, "LB-01", "LB-02",
         timedelta(days=19, hours=5), timedelta(seconds=3),
         "Kernel update on LB-01 (planned switchover).", "3 s of retried connections."),
        ("lb-drill", "API load balancers", FailoverKind.DRILL, "LB-01", "LB-02",
         timedelta(days=80), timedelta(seconds=4),
         "DR drill step 3.", "4 s of retried connections; health check slow (see drill)."),
    ):  # fmt: skip
        g = RedundancyGroup.objects.filter(name=group).first()
        if g is None:
            continue
        start = now - ago
        _, made = Failover.objects.get_or_create(
            source=FailoverSource.OPERATOR, dedup_key=SEED_KEY + key,
            defaults=dict(
                group=g, kind=kind, old_active=members.get((group, old)),
                new_active=members.get((group, new)) if new else None, detected_at=start,
                started_at=start, restored_at=start + took, cause=cause, impact=impact,
                data_loss=timedelta(0),
            ),
        )  # fmt: skip
        n += int(made)
    return n
