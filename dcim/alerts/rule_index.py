"""The rule index: enabled rules compiled once per process, looked up by metric per batch.

Ingest calls the engine for every poll, so finding "which rules care about these readings"
must cost a dictionary look-up, not a query. The index is rebuilt when a rule is saved in
this process (signal) and at most ``ALERTS_RULE_CACHE_TTL_S`` seconds late elsewhere.
Device facts used for scoping (site, room, rack, role) are cached the same way.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from django.conf import settings
from django.db.models import Count, Max
from django.template import Template

from dcim.alerts.models import Condition, Rule, Source
from dcim.alerts.summary_template import compile_summary
from dcim.inventory.models import Device

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceMeta:
    id: int
    name: str
    site_id: int
    site: str
    room_id: int | None
    room: str
    rack_id: int | None
    rack: str
    role: str
    status: str


@dataclass(eq=False, slots=True)
class CompiledRule:
    """A rule as the engine needs it: plain attributes and a compiled template."""

    id: int
    name: str
    severity: str
    source: str
    metric: str
    condition: str
    threshold: float | None
    high: float | None
    values: frozenset[float]
    reference: str
    reference_metric: str
    for_s: int
    keep_s: int
    absent_s: int
    site_id: int | None
    room_id: int | None
    rack_id: int | None
    role: str
    device_id: int | None
    component: str  # exact or shell pattern
    labels: dict
    template: Template

    def in_scope(self, meta: DeviceMeta | None, component: str) -> bool:
        if self.component and not (
            component == self.component or fnmatchcase(component, self.component)
        ):
            return False
        if meta is None:
            return not (self.site_id or self.room_id or self.rack_id or self.role or self.device_id)
        return (
            (not self.device_id or self.device_id == meta.id)
            and (not self.rack_id or self.rack_id == meta.rack_id)
            and (not self.room_id or self.room_id == meta.room_id)
            and (not self.site_id or self.site_id == meta.site_id)
            and (not self.role or self.role == meta.role)
        )


@dataclass
class RuleIndex:
    by_metric: dict[str, list[CompiledRule]] = field(default_factory=lambda: defaultdict(list))
    # Device-scoped rules, so that thousands of per-device rules cost nothing per batch.
    by_device_metric: dict[tuple[int, str], list[CompiledRule]] = field(
        default_factory=lambda: defaultdict(list)
    )
    metrics: set[str] = field(default_factory=set)
    reference_metrics: set[str] = field(default_factory=set)
    collector: list[CompiledRule] = field(default_factory=list)
    absence: list[CompiledRule] = field(default_factory=list)
    by_id: dict[int, CompiledRule] = field(default_factory=dict)

    def for_reading(self, device_id: int | None, metric: str) -> list[CompiledRule]:
        generic = self.by_metric.get(metric, [])
        if device_id is None or not self.by_device_metric:
            return generic
        return generic + self.by_device_metric.get((device_id, metric), [])


def compile_rule(rule: Rule) -> CompiledRule:
    device_id, component = rule.device_id, rule.component
    if rule.gpu_id:
        device_id, component = rule.gpu.device_id, f"gpu{rule.gpu.index}"
    return CompiledRule(
        id=rule.pk,
        name=rule.name,
        severity=rule.severity,
        source=rule.source,
        metric=rule.metric,
        condition=rule.condition,
        threshold=rule.threshold,
        high=rule.threshold_high,
        values=frozenset(rule.value_list()) if rule.condition == Condition.IN else frozenset(),
        reference=rule.reference,
        reference_metric=rule.reference_metric,
        for_s=rule.for_s,
        keep_s=rule.keep_firing_for_s,
        absent_s=rule.absent_for_s,
        site_id=rule.site_id,
        room_id=rule.room_id,
        rack_id=rule.rack_id,
        role=rule.device_role,
        device_id=device_id,
        component=component,
        labels=dict(rule.labels or {}),
        template=compile_summary(rule.summary_template),
    )


def build_index() -> RuleIndex:
    idx = RuleIndex()
    for rule in Rule.objects.filter(enabled=True).select_related("gpu"):
        try:
            c = compile_rule(rule)
        except Exception:  # a rule saved around validation (shell, bulk) must not stop the rest
            log.exception("alert rule %s cannot be compiled; skipped", rule.pk)
            continue
        idx.by_id[c.id] = c
        if c.source == Source.COLLECTOR:
            idx.collector.append(c)
            continue
        if c.condition == Condition.ABSENT:
            idx.absence.append(c)
        if c.device_id and not (c.site_id or c.room_id or c.rack_id or c.role):
            idx.by_device_metric[(c.device_id, c.metric)].append(c)
        else:
            idx.by_metric[c.metric].append(c)
        idx.metrics.add(c.metric)
        if c.reference_metric:
            idx.reference_metrics.add(c.reference_metric)
    return idx


_state: dict[str, object] = {
    "index": None,
    "at": 0.0,
    "stamp": None,
    "devices": {},
    "devices_at": 0.0,
}


def _ttl() -> float:
    return float(getattr(settings, "ALERTS_RULE_CACHE_TTL_S", 15))


def _stamp() -> tuple:
    """Changes whenever a rule is added, edited or deleted (one cheap aggregate)."""
    agg = Rule.objects.aggregate(n=Count("id"), m=Max("updated"), top=Max("id"))
    return (agg["n"], agg["m"], agg["top"])


def index() -> RuleIndex:
    """The current rule index of this process.

    After the TTL only a stamp is read; the index (a second per 10,000 rules, templates
    compiled) is rebuilt only when the rules really changed.
    """
    now = time.monotonic()
    if _state["index"] is not None and now - _state["at"] <= _ttl():
        return _state["index"]  # type: ignore[return-value]
    stamp = _stamp()
    if _state["index"] is None or stamp != _state["stamp"]:
        _state["index"], _state["stamp"] = build_index(), stamp
    _state["at"] = now
    return _state["index"]  # type: ignore[return-value]


def invalidate() -> None:
    _state["index"] = None
    _state["devices"] = {}


def device_meta(device_ids: set[int]) -> dict[int, DeviceMeta]:
    """Scoping facts of devices, cached per process for the TTL."""
    now = time.monotonic()
    if now - _state["devices_at"] > _ttl():  # type: ignore[operator]
        _state["devices"], _state["devices_at"] = {}, now
    cache: dict[int, DeviceMeta] = _state["devices"]  # type: ignore[assignment]
    missing = [d for d in device_ids if d is not None and d not in cache]
    if missing:
        rows = Device.objects.filter(pk__in=missing).values_list(
            "id",
            "name",
            "site_id",
            "site__name",
            "room_id",
            "room__name",
            "rack_id",
            "rack__name",
            "role",
            "status",
        )
        for r in rows:
            cache[r[0]] = DeviceMeta(
                r[0], r[1], r[2], r[3], r[4], r[5] or "", r[6], r[7] or "", r[8], r[9]
            )
    return {d: cache[d] for d in device_ids if d in cache}
