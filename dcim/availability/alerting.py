"""HA alerts through the ordinary alert engine: derived readings, judged by rules.

As energy does (``dcim.energy.alerting``), each run turns what this app knows into
derived metrics, written through the store's public ingest like any collector's readings
and evaluated by ``dcim.alerts.engine.evaluate``: rules on them are ordinary metric rules
(scoped, silenced, routed to the alert channels, shown on the Alerts page). Rules ship in
migration 0002.

- ``ha_group_state``: 0 healthy, 1 degraded (lost its spare), 2 failed; per group, on
  its first member's device, component ``group:<slug>``.
- ``ha_rack_one_feed_load_ratio``: a 2N rack's whole draw (A + B) over one side's
  available power; above 1 it would not survive losing a side. On the rack's first PDU,
  component ``rack:<name>``.
- ``ha_dr_drill_overdue``: 1 while a plan's drill is overdue; ``ha_dr_actions_overdue``:
  its follow-up actions past due. On the first member device of the plan's first group,
  component ``plan:<name>`` (a plan that names no group has no device to hang them on:
  the HA page still flags it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from dcim.alerts import engine
from dcim.availability.drills import plan_statuses
from dcim.availability.models import Member, RedundancyGroup
from dcim.availability.redundancy import feed_checks, group_states
from telemetry import store
from telemetry.collectors.metric import GAUGE, Metric
from telemetry.readings import Reading

GROUP_METRIC = "ha_group_state"
FEED_METRIC = "ha_rack_one_feed_load_ratio"
DRILL_METRIC = "ha_dr_drill_overdue"
ACTIONS_METRIC = "ha_dr_actions_overdue"

DERIVED_METRICS = (
    Metric(
        GROUP_METRIC,
        "",
        GAUGE,
        "A redundancy group's live state: 0 healthy, 1 degraded (lost members, no more "
        "than may fail: its spare is gone), 2 failed. Component group:<slug>, on the "
        "device of its first member.",
    ),
    Metric(
        FEED_METRIC,
        "",
        GAUGE,
        "A 2N rack's draw (A + B) over the available power (80 % of breaker) of its "
        "smaller side: above 1 the rack would not survive losing a feed. Component "
        "rack:<name>, on the rack's first PDU.",
    ),
    Metric(
        DRILL_METRIC,
        "",
        GAUGE,
        "1 while a DR plan's drill is overdue (its date plus grace passed without a "
        "drill), else 0. Component plan:<name>.",
    ),
    Metric(
        ACTIONS_METRIC,
        "",
        GAUGE,
        "How many follow-up actions of a DR plan's drills are open past their due date. "
        "Component plan:<name>.",
    ),
)


@dataclass
class AlertingReport:
    readings: int = 0
    opened: int = 0
    fired: int = 0
    resolved: int = 0


def readings(now: datetime) -> dict[int, list[Reading]]:
    """{device id: derived readings} for every group, 2N rack and plan."""
    out: dict[int, list[Reading]] = defaultdict(list)
    for g in group_states(list(RedundancyGroup.objects.all()), now):
        if g.members:
            out[g.members[0].device_id].append(
                Reading(GROUP_METRIC, g.value, "", f"group:{g.group.slug}", ts=now)
            )
    for c in feed_checks():
        if c.pdu_device_id is not None and c.ratio is not None:
            out[c.pdu_device_id].append(
                Reading(FEED_METRIC, round(c.ratio, 4), "", f"rack:{c.rack}", ts=now)
            )
    first_device: dict[int, int] = {}
    for group_id, device_id in Member.objects.order_by("device__name").values_list(
        "group_id", "device_id"
    ):
        first_device.setdefault(group_id, device_id)
    for s in plan_statuses(now):
        groups = sorted(s.plan.groups.all(), key=lambda g: g.name)
        device = next((first_device[g.pk] for g in groups if g.pk in first_device), None)
        if device is None:
            continue
        component = f"plan:{s.plan.name}"
        out[device] += [
            Reading(DRILL_METRIC, float(s.overdue), "", component, ts=now),
            Reading(ACTIONS_METRIC, float(len(s.overdue_actions)), "", component, ts=now),
        ]
    return out


def publish(now: datetime | None = None) -> AlertingReport:
    """Write this run's derived readings and evaluate the rules on them."""
    now = now or timezone.now()
    report = AlertingReport()
    by_device = readings(now)
    if not by_device:
        return report
    batch = store.Batch(batch_id=f"availability-alerting/{now.isoformat()}")
    for device_id, rs in by_device.items():
        batch.add_readings(device_id, rs, now)
        report.readings += len(rs)
    store.ingest(batch)
    for device_id, rs in by_device.items():
        result = engine.evaluate(device_id, rs, now)
        report.opened += result.opened
        report.fired += result.fired
        report.resolved += result.resolved
    return report
