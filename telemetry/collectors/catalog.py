"""What the collectors know by name: their profiles (SNMP), register maps (Modbus), and the
metric catalog: every metric name some collector can produce, with its unit, kind and
meaning.

Each collector declares its catalog as data (``nvml.METRICS``, ``prometheus.METRICS``,
``Profile.catalog()``, ``RegisterMap.catalog()``); this module gathers them for alert rules
(is this metric real?), pages (what does it mean?) and docs/metrics.md (``markdown()``,
written by ``manage.py metric_catalog``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from telemetry.collectors import nvml, prometheus
from telemetry.collectors.metric import Metric
from telemetry.collectors.profiles.snmp import PROFILES
from telemetry.collectors.registers import MAPS

REGENERATE = "python manage.py metric_catalog > docs/metrics.md"


def unknown_profiles(protocol: str, profile: str) -> list[str]:
    """Profile names a target gives that its protocol's collector does not know."""
    if protocol == "snmp":
        return [p for p in _split(profile) if p not in PROFILES]
    if protocol == "modbus":
        return [] if profile in MAPS else [profile]
    return []


def _split(profile: str) -> list[str]:
    return [p.strip() for p in profile.split(",") if p.strip()]


@dataclass(frozen=True, slots=True)
class Source:
    """The catalog of one collector, or of one SNMP profile or Modbus register map."""

    collector: str  # "nvml", "prometheus", "snmp", "modbus"
    key: str  # the collector, the profile or the map
    title: str
    metrics: tuple[Metric, ...]


_NVML = (
    "The GPUs of the host the collector runs on, read through NVML: component `gpu<index>`, "
    'labels uuid, serial, pci_bus_id and name; `gpu_count` has component "" (the host).'
)
_DCGM = (
    "A dcgm-exporter page scraped over HTTP: DCGM fields mapped to the NVML collector's names "
    "and units (component `gpu<index>`, or `gpu<index>:mig<instance>`), plus DCGM's profiling "
    "fields."
)


@lru_cache(maxsize=1)
def sources() -> tuple[Source, ...]:
    """Every catalog, NVML first: where two give one name, the first describes it."""
    out = [
        Source("nvml", "nvml", _NVML, nvml.METRICS),
        Source("prometheus", "dcgm", _DCGM, prometheus.METRICS),
    ]
    out += [Source("snmp", p.key, p.description, p.catalog()) for p in PROFILES.values()]
    out += [Source("modbus", m.key, m.title, m.catalog()) for m in MAPS.values()]
    return tuple(out)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Metric]:
    found: dict[str, Metric] = {}
    for source in sources():
        for metric in source.metrics:
            found.setdefault(metric.name, metric)
    return found


def metrics() -> dict[str, Metric]:
    """Every metric some collector can produce, by name (a new dict: change it freely)."""
    return dict(_by_name())


def describe(name: str) -> Metric | None:
    """The catalog entry of a metric name, or None if no collector produces it."""
    return _by_name().get(name)


def conflicts() -> list[str]:
    """Names that two catalogs give different units or kinds: a series' unit is part of
    its identity, so one name must mean one quantity whatever collects it."""
    first: dict[str, tuple[str, Metric]] = {}
    out = []
    for source in sources():
        for m in source.metrics:
            where, seen = first.setdefault(m.name, (f"{source.collector}:{source.key}", m))
            if (seen.unit, seen.kind) != (m.unit, m.kind):
                out.append(
                    f"{m.name}: {seen.unit!r} {seen.kind} in {where}, "
                    f"{m.unit!r} {m.kind} in {source.collector}:{source.key}"
                )
    return out


# --- docs/metrics.md --------------------------------------------------------------------

_SECTIONS = {
    "nvml": "NVML",
    "prometheus": "dcgm-exporter",
    "snmp": "SNMP profiles",
    "modbus": "Modbus register maps",
}
_KIND_TEXT = {
    "gauge": "a level that goes up and down: compare it, average it, chart it",
    "counter": "only grows, until a reset or a wrap: alert on its increase or its rate",
    "state": "an enumerated code, a bool or a bitmask: compare it exactly, never average it",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """docs/metrics.md: one table per collector, SNMP profile and Modbus map."""
    lines = [
        "# Metric catalog",
        "",
        "Every metric a collector can produce: its name, the unit its readings carry, its",
        "kind and what it means. Generated from the collectors' catalogs",
        "(`telemetry/collectors/catalog.py`); do not edit by hand, regenerate with:",
        "",
        f"    {REGENERATE}",
        "",
        "Names follow Prometheus conventions: snake_case, the base unit in the name, `_total`",
        "for counters. The unit is part of a series' identity: where two collectors produce",
        "one name, they give it the same unit. Kinds:",
        "",
        *(f"- **{kind}**: {text}." for kind, text in _KIND_TEXT.items()),
    ]
    section = ""
    for source in sources():
        if source.collector != section:
            section = source.collector
            lines += ["", f"## {_SECTIONS[section]}"]
        if source.collector in ("snmp", "modbus"):
            lines += ["", f"### `{source.key}`", "", _cell(source.title)]
        else:
            lines += ["", _cell(source.title)]
        lines += ["", "| Metric | Unit | Kind | Meaning |", "|---|---|---|---|"]
        lines += [
            f"| `{m.name}` | {m.unit or '—'} | {m.kind} | {_cell(m.meaning)} |"
            for m in source.metrics
        ]
    return "\n".join(lines) + "\n"
