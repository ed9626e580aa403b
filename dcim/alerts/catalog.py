"""Which metric names exist: the collectors' catalogs plus the store's series registry.

A rule naming a metric nothing produces would never fire and nobody would notice, so admin
refuses it. The catalogs are data already (SNMP profiles, Modbus maps, the DCGM mapping);
the NVML collector documents its readings in its module docstring, which is parsed here so
that the list has one source.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"\bgpu_(?:[a-z0-9_]|\{[a-z0-9_,]+\})*")
_GROUP = re.compile(r"\{([a-z0-9_,]+)\}")


def _expand(token: str) -> list[str]:
    """ "a_{b,c}_{d,e}" -> a_b_d, a_b_e, a_c_d, a_c_e."""
    match = _GROUP.search(token)
    if not match:
        return [token]
    head, tail = token[: match.start()], token[match.end() :]
    return [n for o in match.group(1).split(",") for n in _expand(head + o + tail)]


def _expand_docstring(doc: str) -> set[str]:
    """Metric names of the readings section (up to "Events:") of the NVML docstring."""
    text = doc.split("Events:")[0]
    text = re.sub(r"\{[^}]*\}", lambda m: re.sub(r"\s+", "", m.group()), text)  # line breaks
    return {n for t in _TOKEN.findall(text) for n in _expand(t) if not n.endswith("_")}


@lru_cache(maxsize=1)
def collector_metrics() -> frozenset[str]:
    """Every metric name some collector can produce."""
    from telemetry.collectors import nvml, prometheus
    from telemetry.collectors.profiles.snmp import PROFILES
    from telemetry.collectors.registers import ALARM_BIT_METRIC, MAPS

    names = _expand_docstring(nvml.__doc__ or "")
    names.add("gpu_count")
    names.update(metric for metric, _unit, _f in prometheus.DCGM_FIELDS.values())
    for profile in PROFILES.values():
        names.update(m.name for m in profile.scalars)
        for table in profile.tables:
            names.update(m.name for m in table.metrics)
            names.update(m.name for m in table.types.values())
    for reg_map in MAPS.values():
        names.update(r.metric for r in reg_map.registers)
    names.add(ALARM_BIT_METRIC)
    return frozenset(names)


def is_known_metric(name: str) -> bool:
    """In a collector's catalog, or already a series in the store."""
    if name in collector_metrics():
        return True
    from telemetry import store

    return bool(store.find_series(metric=name)[:1])
