"""Evaluation: readings in, alert transitions out, with few queries per batch.

Per ingest batch (one poll of one device): the rule index names the rules covering the
batch's metrics (no query); the device's scope facts come from a per-process cache; counter
rules read and move their ``CounterMark`` (2 queries, only when a counter rule applies);
open alerts of those rules and subjects are read in one query; new alerts, changed alerts
and history rows are written in bulk. Notifications are queued after commit, never sent
here. ``tick()`` (beat) fires pending alerts whose duration elapsed with no new batch,
resolves alerts whose keep-firing period ran out, checks absence rules and sends repeats.

This module decides which transition a reading or the clock calls for; the transitions
themselves are ``Alert``'s methods (``open``, ``observe``, ``fire``, ``resolve``), which
change the fields and write the history row together, recorded in an ``AlertBatch`` so that
one evaluation's changes are written in bulk.

Times are the readings' own: a batch at 12:00:30 fires a "for 30 s" alert pending since
12:00:00, whatever the wall clock says.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from dcim.alerts import notify, rule_index
from dcim.alerts.conditions import holds
from dcim.alerts.models import (
    OPEN_STATES,
    Alert,
    AlertBatch,
    Condition,
    CounterMark,
    NotificationKind,
    Reference,
    State,
)
from dcim.alerts.rule_index import CompiledRule, DeviceMeta
from dcim.alerts.summary_template import plain_rule, render_summary_text
from dcim.alerts.values import value_text
from dcim.inventory.models import PowerPort
from telemetry import store

if TYPE_CHECKING:
    from telemetry.models import CollectionTarget
    from telemetry.readings import PollResult, Reading

log = logging.getLogger(__name__)
COUNTERS = (Condition.INCREASE, Condition.RATE_GT)


@dataclass(slots=True)
class Observation:
    """What one rule says about one subject at one time."""

    rule: CompiledRule
    key: str
    label: str
    device_id: int | None
    component: str
    target_id: int | None
    active: bool
    value: float | None
    at: datetime
    labels: dict


@dataclass
class Report:
    observed: int = 0
    opened: int = 0
    fired: int = 0
    resolved: int = 0
    notices: list[tuple[int, str]] = field(default_factory=list)


def evaluate_poll(target: CollectionTarget, result: PollResult) -> None:
    """The ingest hook. Alerting trouble is logged, never raised into ingest."""
    try:
        evaluate(target.device_id, result.readings, result.started, target=target)
    except Exception:
        log.exception("alert evaluation failed for target %s", target.pk)


def evaluate(
    device_id: int | None,
    readings: list[Reading],
    at: datetime,
    target: CollectionTarget | None = None,
) -> Report:
    """Evaluate one device's readings (and its collector's health, given the target)."""
    idx = rule_index.index()
    relevant = [r for r in readings if r.metric in idx.metrics]
    if device_id is not None and idx.by_device_metric:
        relevant += [
            r
            for r in readings
            if r.metric not in idx.metrics and (device_id, r.metric) in idx.by_device_metric
        ]
    collector = idx.collector if target is not None else []
    if not relevant and not collector:
        return Report()
    meta = rule_index.device_meta({device_id}).get(device_id) if device_id else None
    obs: list[Observation] = []
    if relevant:
        obs += _observe_readings(idx, device_id, meta, relevant, readings, at)
    for rule in collector:
        if rule.in_scope(meta, ""):
            failures = float(target.consecutive_failures)
            obs.append(
                Observation(
                    rule,
                    f"target:{target.pk}",
                    str(target),
                    device_id,
                    "",
                    target.pk,
                    failures >= (rule.threshold or 1),
                    failures,
                    at,
                    _labels(rule, meta, ""),
                )
            )
    return apply(obs)


def _observe_readings(idx, device_id, meta, relevant, readings, at) -> list[Observation]:
    siblings = {
        (r.component, r.metric): r.value for r in readings if r.metric in idx.reference_metrics
    }
    pairs = [
        (r, rule)
        for r in relevant
        for rule in idx.for_reading(device_id, r.metric)
        if rule.in_scope(meta, r.component)
    ]
    counters = _counter_values(
        device_id, [(r, ru) for r, ru in pairs if ru.condition in COUNTERS], at
    )
    out = []
    for r, rule in pairs:
        ts = r.ts or at
        if rule.condition == Condition.ABSENT:  # data arrived: absence is over
            active, value = False, 0.0
        elif rule.condition in COUNTERS:
            got = counters.get((r.component, r.metric))
            if got is None:
                continue  # first sight of this counter, or a reset: no verdict
            increase, per_s = got
            value = per_s if rule.condition == Condition.RATE_GT else increase
            active = holds(rule.condition, value, rule.threshold, rule.high)
        else:
            x = _relative(rule, r, device_id, siblings)
            if x is None:
                continue
            value = r.value
            active = holds(rule.condition, x, rule.threshold, rule.high, rule.values)
        label = f"{meta.name if meta else device_id} {r.component}".strip()
        out.append(
            Observation(
                rule,
                f"{device_id}/{r.component}",
                label,
                device_id,
                r.component,
                None,
                active,
                value,
                ts,
                _labels(rule, meta, r.component),
            )
        )
    return out


def _relative(rule: CompiledRule, r: Reading, device_id, siblings: dict) -> float | None:
    """The number the condition is applied to: the value, minus a sibling, or % of feed."""
    if rule.reference == Reference.SIBLING:
        ref = siblings.get((r.component, rule.reference_metric))
        if ref is None:
            ref = _latest_sibling(device_id, r.component, rule.reference_metric)
        return None if ref is None else r.value - ref
    if rule.reference == Reference.FEED:
        available = feed_power_w(device_id)
        return None if not available else 100.0 * r.value / available
    return r.value


def _latest_sibling(device_id, component: str, metric: str) -> float | None:
    if device_id is None:
        return None
    for row in store.latest(metric=metric, device_ids=[device_id], component=component):
        return row.value
    return None


def feed_power_w(device_id: int | None) -> int | None:
    """Available power (W) of the feeds a device's inlets connect to (the NEC 80 % figure)."""
    if device_id is None:
        return None
    total = PowerPort.objects.filter(device_id=device_id, feed__isnull=False).aggregate(
        w=Sum("feed__available_power_w")
    )["w"]
    return total or None


def _counter_values(device_id, pairs, at) -> dict[tuple[str, str], tuple[float, float]]:
    """(component, metric) -> (increase, per-second rate) since the last mark; marks move.

    A decrease is a reset (driver reload, agent restart): no verdict for that interval.
    """
    if not pairs:
        return {}
    latest: dict[tuple[str, str], Reading] = {}
    for r, _rule in pairs:
        latest[(r.component, r.metric)] = r
    marks = {
        (m.component, m.metric): m
        for m in CounterMark.objects.filter(
            device_id=device_id,
            metric__in={k[1] for k in latest},
            component__in={k[0] for k in latest},
        )
    }
    out, moved = {}, []
    for key, r in latest.items():
        ts = r.ts or at
        prev = marks.get(key)
        if prev is not None:
            if ts <= prev.ts:
                continue
            delta, dt = r.value - prev.value, (ts - prev.ts).total_seconds()
            if delta >= 0:
                out[key] = (delta, delta / dt)
        moved.append(
            CounterMark(device_id=device_id, component=key[0], metric=key[1], ts=ts, value=r.value)
        )
    CounterMark.objects.bulk_create(
        moved,
        update_conflicts=True,
        unique_fields=["device_id", "component", "metric"],
        update_fields=["ts", "value"],
    )
    return out


def _labels(rule: CompiledRule, meta: DeviceMeta | None, component: str) -> dict:
    labels = {
        "rule": rule.name,
        "severity": rule.severity,
        "metric": rule.metric,
        "component": component,
    }
    if meta is not None:
        labels |= {
            "device": meta.name,
            "rack": meta.rack,
            "room": meta.room,
            "site": meta.site,
            "role": meta.role,
        }
    return labels | rule.labels


# -- transitions -----------------------------------------------------------------------


def apply(obs: list[Observation]) -> Report:
    """Move alerts by a list of observations; retried once if another worker raced us."""
    report = Report(observed=len(obs))
    if not obs:
        return report
    try:
        with transaction.atomic():
            _apply(obs, report)
    except IntegrityError:  # another worker opened the same alert a moment ago
        report = Report(observed=len(obs))
        with transaction.atomic():
            _apply(obs, report)
    _dispatch(report.notices)
    return report


def _apply(obs: list[Observation], report: Report) -> None:
    keys = {o.key for o in obs}
    open_alerts = {
        (a.rule_id, a.subject_key): a
        for a in Alert.objects.filter(
            rule_id__in={o.rule.id for o in obs}, subject_key__in=keys, state__in=OPEN_STATES
        )
    }
    if not open_alerts and not any(o.active for o in obs):
        return  # the common case: all is well, one query spent
    batch = AlertBatch()
    for o in obs:
        alert = open_alerts.get((o.rule.id, o.key))
        if alert is None:
            if not o.active:
                continue
            open_alerts[(o.rule.id, o.key)] = alert = _open(o, batch)
            report.opened += 1
            if o.rule.for_s == 0:
                _fire(alert, o.rule, o.at, batch, report)
            continue
        if not alert.is_open:
            continue  # resolved by an earlier reading of this batch: the episode is over
        if o.at < (alert.value_at or alert.started_at):
            continue  # a late batch: it does not move the state back
        alert.observe(o.at, o.value, o.active, batch=batch)
        if o.active:
            if alert.state == State.PENDING and o.at - alert.started_at >= _s(o.rule.for_s):
                _fire(alert, o.rule, o.at, batch, report)
        elif alert.state == State.PENDING:
            _resolve(alert, o.at, batch, report, note="cleared before its duration elapsed")
        elif o.at - alert.cleared_since >= _s(o.rule.keep_s):
            _resolve(alert, o.at, batch, report)
    batch.save()


def _s(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


def _open(o: Observation, batch: AlertBatch) -> Alert:
    label = o.label[:200]
    return Alert.open(
        o.at,
        o.value,
        rule_id=o.rule.id,
        subject_key=o.key,
        subject_label=label,
        severity=o.rule.severity,
        device_id=o.device_id,
        component=o.component,
        target_id=o.target_id,
        labels=o.labels,
        summary=render_summary(o.rule, label, o.value, o.component, o.labels),
        batch=batch,
    )


def render_summary(
    rule: CompiledRule, subject: str, value: float | None, component: str, labels: dict
) -> str:
    context = {
        "rule": plain_rule(rule),
        "subject": subject,
        "value": value,
        "shown": value_text(value, rule.source, rule.metric, rule.condition),  # "down"
        "threshold": rule.threshold,
        "device": labels.get("device", ""),
        "component": component,
        "labels": labels,
    }
    try:
        return render_summary_text(rule.template, context).strip()[:2000]
    except Exception as exc:
        return f"{rule.name} on {subject} (summary template failed: {exc})"


def _fire(alert: Alert, rule: CompiledRule, at: datetime, batch: AlertBatch, report: Report):
    """The rule's duration elapsed: fire, with the summary of the value it fires on."""
    summary = render_summary(rule, alert.subject_label, alert.value, alert.component, alert.labels)
    alert.fire(at, summary=summary, batch=batch)
    report.fired += 1
    report.notices.append((alert, NotificationKind.FIRING))


def _resolve(alert: Alert, at: datetime, batch: AlertBatch, report: Report, note: str = ""):
    """The episode is over; whoever was told it fired is told it ended (not for pending)."""
    was_firing = alert.state == State.FIRING
    alert.resolve(at, note=note, batch=batch)
    report.resolved += 1
    if was_firing:
        report.notices.append((alert, NotificationKind.RESOLVED))


def _dispatch(notices: list[tuple[Any, str]]) -> None:
    """Queue notifications once the transitions are committed."""
    if not notices:
        return
    items = [(a.pk if isinstance(a, Alert) else a, kind) for a, kind in notices]
    transaction.on_commit(lambda: notify.enqueue(items))


# -- the beat tick ---------------------------------------------------------------------


@dataclass
class TickReport:
    fired: int = 0
    resolved: int = 0
    absent: int = 0
    repeats: int = 0


def tick(now: datetime | None = None) -> TickReport:
    """Time-driven transitions: durations, keep-firing periods, absence, repeats."""
    now = now or timezone.now()
    idx = rule_index.index()
    out = TickReport()
    report = Report()
    with transaction.atomic():
        batch = AlertBatch()
        for alert in Alert.objects.select_for_update(skip_locked=True).filter(
            state__in=OPEN_STATES
        ):
            rule = idx.by_id.get(alert.rule_id)
            if rule is None:  # rule disabled or deleted: its open alerts end
                _resolve(alert, now, batch, report, note="rule disabled or removed")
            elif alert.state == State.PENDING and now - alert.started_at >= _s(rule.for_s):
                _fire(alert, rule, now, batch, report)
            elif alert.cleared_since and now - alert.cleared_since >= _s(rule.keep_s):
                _resolve(alert, now, batch, report)
        batch.save()
    _dispatch(report.notices)
    out.fired, out.resolved = report.fired, report.resolved
    absence = check_absence(idx, now)
    out.fired += absence.fired
    out.resolved += absence.resolved
    out.absent = absence.opened
    repeats = notify.due_repeats(now)
    notify.enqueue(repeats)
    out.repeats = len(repeats)
    return out


def check_absence(idx, now: datetime) -> Report:
    """Absence rules: every series of the metric in scope, fired when silent too long."""
    obs: list[Observation] = []
    for rule in idx.absence:
        series = store.find_series(metric=rule.metric, device_id=rule.device_id)
        if not series:
            continue
        metas = rule_index.device_meta({s["device_id"] for s in series if s["device_id"]})
        series = [s for s in series if rule.in_scope(metas.get(s["device_id"]), s["component"])]
        seen = {row.series_id: row.ts for row in store.latest([s["id"] for s in series])}
        for s in series:
            last = seen.get(s["id"])
            age = (now - last).total_seconds() if last else None
            meta = metas.get(s["device_id"])
            label = f"{meta.name if meta else s['device_id']} {s['component']}".strip()
            obs.append(
                Observation(
                    rule,
                    f"{s['device_id']}/{s['component']}",
                    label,
                    s["device_id"],
                    s["component"],
                    None,
                    age is None or age >= rule.absent_s,
                    age,
                    now,
                    _labels(rule, meta, s["component"]),
                )
            )
    return apply(obs)
