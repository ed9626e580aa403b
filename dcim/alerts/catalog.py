"""Which metric names exist: the collectors' metric catalog plus the store's series registry.

A rule naming a metric nothing produces would never fire and nobody would notice, so admin
refuses it. Every collector declares what it can emit as data (the NVML collector's
``METRICS``, the DCGM mapping, the SNMP profiles, the Modbus maps), gathered by
``telemetry.collectors.catalog``.
"""

from __future__ import annotations

from functools import lru_cache

from telemetry import store
from telemetry.collectors import catalog


@lru_cache(maxsize=1)
def collector_metrics() -> frozenset[str]:
    """Every metric name some collector can produce."""
    return frozenset(catalog.metrics())


def is_known_metric(name: str) -> bool:
    """In a collector's catalog, or already a series in the store."""
    if name in collector_metrics():
        return True
    return bool(store.find_series(metric=name)[:1])
