"""Shapes of a Modbus register map: rows, registers, addressing and units (the maps
themselves are in ``crah``, ``chiller``, ``cdu`` and ``meter``; the package gathers them in
``MAPS``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from telemetry.collectors import metric as entry

# Registers each type takes. The 64-bit types are for meters' totals: an energy counter in
# Wh or a volume totaliser outgrows what 32 bits hold exactly (see ``meter``).
DTYPES = {"int16": 1, "uint16": 1, "int32": 2, "uint32": 2, "float32": 2}
DTYPES |= {"int64": 4, "uint64": 4, "float64": 4}
DEFAULT_SENTINELS = {
    "int16": frozenset({0x8000}),
    "uint16": frozenset({0xFFFF}),
    "int32": frozenset({0x8000_0000}),
    "uint32": frozenset({0xFFFF_FFFF}),
    "int64": frozenset({0x8000_0000_0000_0000}),
    "uint64": frozenset({0xFFFF_FFFF_FFFF_FFFF}),
    "float32": frozenset(),
    "float64": frozenset(),
}
# Document unit -> (stored base unit, factor). Flow is stored in litres per second: the
# size operators read on CDU and chiller data sheets (m³/h and l/min convert exactly). A
# volume is stored in litres, the unit WUE is stated in (L per kWh of IT energy).
UNITS: dict[str, tuple[str, float]] = {
    "degC": ("celsius", 1.0),
    "%": ("percent", 1.0),
    "%RH": ("percent", 1.0),
    "W": ("watts", 1.0),
    "kW": ("watts", 1000.0),
    "kWh": ("joules", 3.6e6),
    "Wh": ("joules", 3600.0),
    "kVA": ("voltamperes", 1000.0),
    "pf": ("", 1.0),  # a power factor: no unit, as the PDUs' pdu_power_factor
    "V": ("volts", 1.0),
    "A": ("amperes", 1.0),
    "Hz": ("hertz", 1.0),
    "l/s": ("liters_per_second", 1.0),
    "l/min": ("liters_per_second", 1 / 60),
    "m3/h": ("liters_per_second", 1000 / 3600),
    "m3/s": ("liters_per_second", 1000.0),
    "l": ("liters", 1.0),
    "m3": ("liters", 1000.0),
    "Pa": ("pascals", 1.0),
    "kPa": ("pascals", 1000.0),
    "bar": ("pascals", 100_000.0),
    "state": ("state", 1.0),  # an enumerated state; the map's row documents the values
    "bitmask": ("bitmask", 1.0),
}
ALARM_BIT_METRIC = "cooling_alarm_active"
ALARM_BIT = entry.state(
    ALARM_BIT_METRIC,
    "bool",
    "One alarm of the unit's alarm word, by name (component alarm:<name>): 1 active, 0 clear.",
)
_METRIC = re.compile(r"^[a-z][a-z0-9_]*$")
_SUFFIX = {
    "joules": "_joules_total",
    "liters": "_liters_total",  # a volume is a totaliser: a counter
    "state": "_state",
    "bitmask": "_word",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One register as the vendor document prints it (see the module docstring)."""

    number: int
    dtype: str
    scale: float
    unit: str
    metric: str
    valid: tuple[float, float] | None = None
    function: int | None = None
    word_order: str | None = None
    component: str = ""
    bits: dict[int, str] = field(default_factory=dict)
    sentinels: frozenset[int] | None = None
    note: str = ""  # e.g. what the states of a "state" register mean


@dataclass(frozen=True, slots=True)
class Register:
    """One register ready to read: 0-based address, function, and how to decode it."""

    metric: str
    number: int
    address: int
    function: int
    dtype: str
    word_order: str
    scale: float
    doc_unit: str
    unit: str
    factor: float
    valid: tuple[float, float] | None
    component: str
    bits: dict[int, str]
    sentinels: frozenset[int]

    @property
    def count(self) -> int:
        return DTYPES[self.dtype]

    @property
    def end(self) -> int:
        """One past the last address this register occupies."""
        return self.address + self.count


def to_address(number: int, numbering: str, function: int | None) -> tuple[int, int]:
    """Convert a documented register number to (function, 0-based address)."""
    if numbering == "modicon":
        for lo, hi, fc in (
            (400001, 465536, 3),
            (300001, 365536, 4),
            (40001, 49999, 3),
            (30001, 39999, 4),
        ):
            if lo <= number <= hi:
                if function not in (None, fc):
                    raise ValueError(f"register {number} is function {fc}, not {function}")
                return fc, number - lo
        raise ValueError(f"register {number} is not a 3xxxx/4xxxx Modicon number")
    if function not in (3, 4):
        raise ValueError(f"register {number}: function must be 3 (holding) or 4 (input)")
    if numbering == "1-based":
        if number < 1:
            raise ValueError(f"register {number}: 1-based numbers start at 1")
        return function, number - 1
    if numbering == "0-based":
        return function, number
    raise ValueError(f"unknown numbering {numbering!r}")


@dataclass(frozen=True)
class RegisterMap:
    """A unit model's registers; rows are converted and checked once, at import."""

    key: str
    kind: str  # crah, crac, chiller, cdu, power_meter, water_meter: which physics feeds it
    title: str
    numbering: str
    rows: tuple[Row, ...]
    function: int | None = 3
    word_order: str = "big"
    max_gap: int = 4  # unused registers a read may span to save a request
    meanings: Mapping[str, str] = field(default_factory=dict)  # metric -> what it means
    registers: tuple[Register, ...] = field(init=False)

    def __post_init__(self) -> None:
        regs = tuple(self._convert(row) for row in self.rows)
        series = [(r.metric, r.component) for r in regs]
        series += [(ALARM_BIT_METRIC, f"alarm:{n}") for r in regs for n in r.bits.values()]
        if dupes := {s for s in series if series.count(s) > 1}:
            raise ValueError(f"{self.key}: the same reading twice: {sorted(dupes)}")
        seen: dict[tuple[int, int], str] = {}
        for reg in regs:
            for addr in range(reg.address, reg.end):
                if (reg.function, addr) in seen:
                    raise ValueError(
                        f"{self.key}: {reg.metric} overlaps {seen[reg.function, addr]}"
                    )
                seen[reg.function, addr] = reg.metric
        object.__setattr__(self, "registers", regs)

    def _convert(self, row: Row) -> Register:
        where = f"{self.key} register {row.number}"
        if row.dtype not in DTYPES:
            raise ValueError(f"{where}: unknown data type {row.dtype!r}")
        if row.unit not in UNITS:
            raise ValueError(f"{where}: unknown unit {row.unit!r}")
        unit, factor = UNITS[row.unit]
        if not _METRIC.match(row.metric) or not row.metric.endswith(_SUFFIX.get(unit, unit)):
            raise ValueError(f"{where}: metric {row.metric!r} must end in its unit ({unit})")
        if row.bits and (unit != "bitmask" or max(row.bits) >= 16 * DTYPES[row.dtype]):
            raise ValueError(f"{where}: alarm bits need a bitmask row wide enough")
        word_order = row.word_order or self.word_order
        if word_order not in ("big", "little"):
            raise ValueError(f"{where}: word order must be 'big' or 'little'")
        function, address = to_address(row.number, self.numbering, row.function or self.function)
        if row.sentinels is not None:
            sentinels = row.sentinels
        else:  # every pattern of an alarm word means something
            sentinels = frozenset() if unit == "bitmask" else DEFAULT_SENTINELS[row.dtype]
        return Register(
            metric=row.metric,
            number=row.number,
            address=address,
            function=function,
            dtype=row.dtype,
            word_order=word_order,
            scale=row.scale,
            doc_unit=row.unit,
            unit=unit,
            factor=factor,
            valid=row.valid,
            component=row.component,
            bits=dict(row.bits),
            sentinels=sentinels,
        )

    def catalog(self) -> tuple[entry.Metric, ...]:
        """Each metric name this map can emit, once, with its unit, kind and meaning."""
        if undocumented := sorted({r.metric for r in self.registers} - set(self.meanings)):
            raise ValueError(f"{self.key}: say what {', '.join(undocumented)} mean(s)")
        out: dict[str, entry.Metric] = {}
        for row, reg in zip(self.rows, self.registers, strict=True):
            if reg.metric in out:
                continue
            meaning = self.meanings[reg.metric]
            if row.note:
                meaning += f" {row.note}."
            if reg.bits:
                meaning += " Bits: " + ", ".join(f"{b} {n}" for b, n in sorted(reg.bits.items()))
                meaning += f"; each also as {ALARM_BIT_METRIC}."
            if reg.unit in ("state", "bitmask"):
                kind = entry.STATE
            else:
                kind = entry.COUNTER if reg.metric.endswith("_total") else entry.GAUGE
            out[reg.metric] = entry.Metric(reg.metric, reg.unit, kind, meaning)
        if any(reg.bits for reg in self.registers):
            out[ALARM_BIT_METRIC] = ALARM_BIT
        return tuple(out.values())

    def register(self, metric: str, component: str = "") -> Register:
        """The register for a metric (and component): for tests, docs and the simulator."""
        for reg in self.registers:
            if reg.metric == metric and reg.component == component:
                return reg
        raise KeyError(f"{self.key} has no {metric} {component}".strip())
