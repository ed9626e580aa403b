"""Modbus register maps as data: one ``RegisterMap`` per cooling-unit model.

A map is written the way vendor documents print it, one ``Row`` per register:

- ``number``: the register number as the document prints it. The map's ``numbering`` says
  how to read it, and it is converted to pymodbus's 0-based protocol address once, here:

  ``"modicon"``  40001–49999 / 400001–465536 are holding registers (function 3) and
                 30001–39999 / 300001–365536 input registers (function 4); 40001 is address 0.
  ``"1-based"``  register 1 is address 0; the function comes from the row or the map.
  ``"0-based"``  the number is the protocol address; the function comes from the row or map.

- ``dtype``: int16, uint16, int32, uint32 or float32. 32-bit values take two registers;
  ``word_order`` "big" is the most significant word first (ABCD), "little" the swapped
  variant (CDAB). Bytes inside a register are always big-endian, as Modbus says.
- ``scale`` and ``unit``: the document's scale column and unit; value = raw × scale, in
  that unit. ``UNITS`` converts it to the base unit the reading is stored in.
- ``valid``: the plausible range, in the document's unit after scaling. Outside it the
  value is skipped (a wrong map or a broken sensor, not a temperature of 3 000 °C).
- ``sentinels``: raw values meaning "not available" (default 0x8000 for int16, 0xFFFF for
  uint16, 0x80000000 / 0xFFFFFFFF for 32-bit integers; NaN for float32 is never stored).
- ``bits``: for a "bitmask" row, bit number → alarm name. The word is stored as read and
  each named bit as its own 0/1 reading (``cooling_alarm_active``, component
  ``alarm:<name>``), so an alert rule can name the alarm.

The maps in this package are *modelled on* published vendor maps, with plausible register
numbers: check the unit's own document before pointing them at real equipment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DTYPES = {"int16": 1, "uint16": 1, "int32": 2, "uint32": 2, "float32": 2}
DEFAULT_SENTINELS = {
    "int16": frozenset({0x8000}),
    "uint16": frozenset({0xFFFF}),
    "int32": frozenset({0x8000_0000}),
    "uint32": frozenset({0xFFFF_FFFF}),
    "float32": frozenset(),
}
# Document unit -> (stored base unit, factor). Flow is stored in litres per second: the
# size operators read on CDU and chiller data sheets (m³/h and l/min convert exactly).
UNITS: dict[str, tuple[str, float]] = {
    "degC": ("celsius", 1.0),
    "%": ("percent", 1.0),
    "%RH": ("percent", 1.0),
    "W": ("watts", 1.0),
    "kW": ("watts", 1000.0),
    "kWh": ("joules", 3.6e6),
    "l/s": ("liters_per_second", 1.0),
    "l/min": ("liters_per_second", 1 / 60),
    "m3/h": ("liters_per_second", 1000 / 3600),
    "Pa": ("pascals", 1.0),
    "kPa": ("pascals", 1000.0),
    "bar": ("pascals", 100_000.0),
    "state": ("state", 1.0),  # an enumerated state; the map's row documents the values
    "bitmask": ("bitmask", 1.0),
}
ALARM_BIT_METRIC = "cooling_alarm_active"
_METRIC = re.compile(r"^[a-z][a-z0-9_]*$")
_SUFFIX = {"joules": "_joules_total", "state": "_state", "bitmask": "_word"}


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
    kind: str  # crah, crac, chiller, cdu: which simulated physics feeds it
    title: str
    numbering: str
    rows: tuple[Row, ...]
    function: int | None = 3
    word_order: str = "big"
    max_gap: int = 4  # unused registers a read may span to save a request
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

    def register(self, metric: str, component: str = "") -> Register:
        """The register for a metric (and component): for tests, docs and the simulator."""
        for reg in self.registers:
            if reg.metric == metric and reg.component == component:
                return reg
        raise KeyError(f"{self.key} has no {metric} {component}".strip())


def _load() -> dict[str, RegisterMap]:
    from . import cdu, chiller, crah

    maps = [m for module in (crah, chiller, cdu) for m in module.MAPS]
    keyed = {m.key: m for m in maps}
    if len(keyed) != len(maps):
        raise ValueError("two register maps share a key")
    return keyed


MAPS: dict[str, RegisterMap] = _load()
