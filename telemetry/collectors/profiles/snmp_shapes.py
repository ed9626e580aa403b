"""SNMP profiles as data: which OIDs to read and how each becomes a reading.

A device type names its profiles by key ("if_mib", "apc_rpdu2" ...); a target may use several
(a switch: ``if_mib`` + ``entity_sensor``). A profile is scalars (instance OIDs, read with
one GET) and tables (columns, read with GETBULK walks). Each value is turned into base units
by a constant ``scale`` and, where the MIB says so, a per-row factor read from another
column (Raritan's decimal digits, ENTITY-SENSOR's scale and precision). ``low``/``high`` are
the plausible range in base units: a value outside it is skipped and counted, never stored.

This module holds the shapes; vendor tables live in ``snmp_network``, ``snmp_power``,
``snmp_cooling`` and ``snmp_environment``, and ``snmp`` gathers them into the registry. All
OIDs are numeric: no MIB is compiled or loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from telemetry.collectors import metric as entry


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric: where it is read, its name and unit, and how raw becomes base units.

    ``counter`` is 0 for a gauge, else the counter's width in bits (32 or 64); counters are
    reported as read (the store derives rates and detects wraps and resets). ``state``
    marks an enumerated code (a status, a truth value): compared, never averaged.
    """

    name: str
    unit: str
    oid: str = ""  # column OID (tables) or instance OID (scalars); unused in typed tables
    scale: float = 1.0
    counter: int = 0
    low: float | None = None
    high: float | None = None
    state: bool = False

    @property
    def kind(self) -> str:
        return entry.COUNTER if self.counter else entry.STATE if self.state else entry.GAUGE


@dataclass(frozen=True, slots=True)
class Table:
    """A conceptual table: rows by index, a component name per row, metrics per row.

    ``component`` is a template: ``{name}`` is a text column named in ``text``, ``{index}``
    the whole index ("1.2"), ``{i0}``, ``{i1}`` ... its arcs; ``{a|b}`` takes the first that
    is not empty. Text columns listed in ``labels`` become reading labels.

    Typed tables have one ``value`` column and pick the metric of each row from ``types`` by
    a type code: ``type_from`` is "index:N" (the Nth index arc), "col:<OID>" (an integer
    column) or "text:<name>" (a text column, matched lower-cased). Per-row factors:
    ``decimals`` (a column of decimal digits: value / 10**digits), ``exponent`` (an
    ENTITY-SENSOR scale code s: value × 10**(3×(s−9))), ``status``/``status_ok`` (skip rows
    whose status is not OK), ``units`` (a column of unit text, converted by ``UNIT_TEXT``),
    and ``text_values`` (numbers written as strings, as Liebert does).

    ``side`` names a text column (a probe's label) whose words may say which side of the
    rack the probe reads: then the component is ``inlet``/``outlet`` (see ``side_component``)
    instead of the template's.
    """

    component: str = ""
    metrics: tuple[Metric, ...] = ()
    text: Mapping[str, str] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    value: str = ""
    type_from: str = ""
    types: Mapping[int | str, Metric] = field(default_factory=dict)
    decimals: str = ""
    exponent: str = ""
    status: str = ""
    status_ok: tuple[int, ...] = ()
    units: str = ""
    text_values: bool = False
    side: str = ""

    def columns(self) -> list[str]:
        """Every column this table needs walked."""
        cols = [m.oid for m in self.metrics] + list(self.text.values())
        cols += [self.value, self.decimals, self.exponent, self.status, self.units]
        if self.type_from.startswith("col:"):
            cols.append(self.type_from[4:])
        return [c for c in cols if c]


@dataclass(frozen=True, slots=True)
class Profile:
    """Scalars and tables to read; ``meanings`` says what each metric name means (for the
    metric catalog: alert rules, the device page, docs/metrics.md)."""

    key: str
    description: str
    scalars: tuple[Metric, ...] = ()
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = field(default=())
    meanings: Mapping[str, str] = field(default_factory=dict)

    def metrics(self) -> list[Metric]:
        """Every metric this profile reads: scalars, table columns, typed tables' types."""
        out = list(self.scalars)
        for table in self.tables:
            out += table.metrics
            out += table.types.values()
        return out

    def catalog(self) -> tuple[entry.Metric, ...]:
        """Each metric name this profile can emit, once, with its unit, kind and meaning."""
        out: dict[str, entry.Metric] = {}
        for m in self.metrics():
            if m.name not in self.meanings:
                raise ValueError(f"SNMP profile {self.key!r}: no meaning for {m.name}")
            described = entry.Metric(m.name, m.unit, m.kind, self.meanings[m.name])
            if out.setdefault(m.name, described) != described:
                raise ValueError(f"SNMP profile {self.key!r}: {m.name} read two ways")
        return tuple(out.values())


# Unit text as agents write it (lower-cased) -> (unit, factor, offset) into base units.
UNIT_TEXT: Mapping[str, tuple[str, float, float]] = MappingProxyType(
    {
        "deg c": ("celsius", 1.0, 0.0),
        "°c": ("celsius", 1.0, 0.0),
        "c": ("celsius", 1.0, 0.0),
        "deg f": ("celsius", 5 / 9, -32 * 5 / 9),
        "°f": ("celsius", 5 / 9, -32 * 5 / 9),
        "f": ("celsius", 5 / 9, -32 * 5 / 9),
        "%": ("percent", 1.0, 0.0),
        "% rh": ("percent", 1.0, 0.0),
        "%rh": ("percent", 1.0, 0.0),
        "kw": ("watts", 1000.0, 0.0),
        "w": ("watts", 1.0, 0.0),
        "v": ("volts", 1.0, 0.0),
        "a": ("amperes", 1.0, 0.0),
        "rpm": ("rpm", 1.0, 0.0),
        "l/s": ("liters_per_second", 1.0, 0.0),
        "gpm": ("liters_per_second", 3.785411784 / 60, 0.0),
    }
)

# Words of a probe's label that say which side of the rack it reads. The inlet is where the
# equipment takes its air in (front door, cold aisle): the point ASHRAE's limits apply to.
SIDE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("inlet", "intake", "front", "cold"), "inlet"),
        **dict.fromkeys(("outlet", "exhaust", "rear", "back", "hot"), "outlet"),
    }
)
_WORD = re.compile(r"[a-z]+")


def side_component(label: str, fallback: str) -> str:
    """``inlet`` or ``outlet`` when the label is just that word; ``inlet:<label>`` when its
    words name one side ("Front door top"); else ``fallback``, also when they name both."""
    words = _WORD.findall(label.lower())
    sides = {SIDE_WORDS[w] for w in words if w in SIDE_WORDS}
    if len(sides) != 1:
        return fallback
    side = sides.pop()
    return side if words == [side] else f"{side}:{label}"


_FIELD = re.compile(r"\{([^}]*)\}")


def render(template: str, text: Mapping[str, str], index: tuple[int, ...]) -> str:
    """Fill a component template for one row (see ``Table``)."""

    def one(match: re.Match) -> str:
        for name in match.group(1).split("|"):
            if name == "index":
                value = ".".join(map(str, index))
            elif name[:1] == "i" and name[1:].isdigit():
                n = int(name[1:])
                value = str(index[n]) if n < len(index) else ""
            else:
                value = text.get(name, "")
            if value:
                return value
        return ".".join(map(str, index))

    return _FIELD.sub(one, template)
