"""Which metric names exist: the collectors' metric catalog, metrics apps above alerts
declare, and the store's series registry.

A rule naming a metric nothing produces would never fire and nobody would notice, so admin
refuses it. Every collector declares what it can emit as data (the NVML collector's
``METRICS``, the DCGM mapping, the SNMP profiles, the Modbus maps), gathered by
``telemetry.collectors.catalog``. Apps above alerts that derive metrics and write them to
the store (energy: PUE, meter coverage) declare them with ``declare()`` from their
``ready()``: the layers point one way, so alerts never imports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from telemetry import store
from telemetry.collectors import catalog
from telemetry.collectors.metric import Metric

_declared: dict[str, Metric] = {}


@lru_cache(maxsize=1)
def collector_metrics() -> frozenset[str]:
    """Every metric name some collector can produce."""
    return frozenset(catalog.metrics())


def declare(metrics: Iterable[Metric]) -> None:
    """Metrics no collector produces but an app derives and writes to the store, known
    before their first value is written (a rule on them validates on a fresh install)."""
    for metric in metrics:
        _declared[metric.name] = metric


def declared(name: str) -> Metric | None:
    """The declaration of a derived metric, or None."""
    return _declared.get(name)


def is_known_metric(name: str) -> bool:
    """In a collector's catalog, declared by an app, or already a series in the store."""
    if name in collector_metrics() or name in _declared:
        return True
    return bool(store.find_series(metric=name)[:1])
