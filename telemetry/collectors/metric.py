"""One entry of a collector's metric catalog: a name, its unit, its kind and what it means.

Every collector declares what it can emit as data of this type: the NVML collector
(``nvml.METRICS``), the dcgm-exporter mapping (``prometheus.METRICS``), each SNMP profile
(``Profile.catalog()``) and each Modbus register map (``RegisterMap.catalog()``).
``telemetry.collectors.catalog`` gathers them for alert rules, pages and docs/metrics.md.

A leaf: it imports nothing of the product, so profiles, maps and collectors can all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telemetry.collectors.states import words

GAUGE = "gauge"  # a level that goes up and down: compare, average, chart
COUNTER = "counter"  # only grows (until a reset or wrap): alert on its increase or rate
STATE = "state"  # an enumerated code, a bool or a bitmask: compare exactly, never average
KINDS = (GAUGE, COUNTER, STATE)

_NAME = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$")


@dataclass(frozen=True, slots=True)
class Metric:
    """What one metric name means, as its readings carry it.

    ``unit`` is the unit string of the readings (``Reading.unit``): a base unit ("celsius",
    "watts", "bytes", "joules" ...), a dimensionless word ("percent", "count", "bool",
    "bitmask", "state", "pstate", "xid"), or "" where the source gives none. It is part of a
    series' identity in the store, so two collectors emitting one name must agree on it.
    Prometheus conventions hold: a counter's name ends in ``_total`` and nothing else's does.

    ``states`` are the words of a state metric's codes, (code, word) pairs (bits for a
    bitmask): what pages, charts and alerts show instead of the number. Left empty, they
    come from ``states.STATES``, so every collector emitting one name gives it one set.
    """

    name: str
    unit: str
    kind: str
    meaning: str
    states: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"metric name {self.name!r} is not snake_case")
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind {self.kind!r} is not one of {KINDS}")
        if (self.kind == COUNTER) != self.name.endswith("_total"):
            raise ValueError(f"{self.name}: a counter's name ends in _total, and only a counter's")
        if not self.meaning.strip():
            raise ValueError(f"{self.name}: say what it means")
        if not self.states and self.kind == STATE:
            object.__setattr__(self, "states", words(self.name, self.unit))  # frozen

    def words(self) -> dict[int, str]:
        """The states as a dict, code (or bit) -> word."""
        return dict(self.states)


def gauge(name: str, unit: str, meaning: str) -> Metric:
    return Metric(name, unit, GAUGE, meaning)


def counter(name: str, unit: str, meaning: str) -> Metric:
    return Metric(name, unit, COUNTER, meaning)


def state(name: str, unit: str, meaning: str) -> Metric:
    return Metric(name, unit, STATE, meaning)
