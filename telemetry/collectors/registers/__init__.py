"""Modbus register maps as data: one ``RegisterMap`` per unit model (cooling units, meters,
a standby generator).

A map is written the way vendor documents print it, one ``Row`` per register:

- ``number``: the register number as the document prints it. The map's ``numbering`` says
  how to read it, and it is converted to pymodbus's 0-based protocol address once, here:

  ``"modicon"``  40001–49999 / 400001–465536 are holding registers (function 3) and
                 30001–39999 / 300001–365536 input registers (function 4); 40001 is address 0.
  ``"1-based"``  register 1 is address 0; the function comes from the row or the map.
  ``"0-based"``  the number is the protocol address; the function comes from the row or map.

- ``dtype``: int16, uint16, int32, uint32, float32 (two registers), or int64, uint64,
  float64 (four registers, for meters' totals). ``word_order`` "big" is the most
  significant word first (ABCD), "little" the least significant first (CDAB for 32 bits,
  all four words reversed for 64). Bytes inside a register are always big-endian, as
  Modbus says.
- ``scale`` and ``unit``: the document's scale column and unit; value = raw × scale, in
  that unit. ``UNITS`` converts it to the base unit the reading is stored in.
- ``valid``: the plausible range, in the document's unit after scaling. Outside it the
  value is skipped (a wrong map or a broken sensor, not a temperature of 3 000 °C).
- ``sentinels``: raw values meaning "not available" (default 0x8000 for int16, 0xFFFF for
  uint16, 0x80000000 / 0xFFFFFFFF for 32-bit integers, 0x8000000000000000 /
  0xFFFFFFFFFFFFFFFF for 64-bit ones; a NaN float is never stored).
- ``bits``: for a "bitmask" row, bit number → alarm name. The word is stored as read and
  each named bit as its own 0/1 reading (``cooling_alarm_active``, component
  ``alarm:<name>``), so an alert rule can name the alarm.

A map's ``meanings`` say what each of its metric names means, for the metric catalog (alert
rules, the device page, docs/metrics.md); ``catalog()`` adds the rows' notes and alarm bits.

The maps in this package are *modelled on* published vendor maps, with plausible register
numbers: check the unit's own document before pointing them at real equipment.
"""

from __future__ import annotations

from telemetry.collectors.registers import cdu, chiller, crah, generator, meter
from telemetry.collectors.registers.shapes import (
    ALARM_BIT,
    ALARM_BIT_METRIC,
    DEFAULT_SENTINELS,
    DTYPES,
    UNITS,
    Register,
    RegisterMap,
    Row,
    to_address,
)

__all__ = [
    "ALARM_BIT",
    "ALARM_BIT_METRIC",
    "DEFAULT_SENTINELS",
    "DTYPES",
    "UNITS",
    "Register",
    "RegisterMap",
    "Row",
    "to_address",
    "MAPS",
]


def _load() -> dict[str, RegisterMap]:
    maps = [m for module in (crah, chiller, cdu, meter, generator) for m in module.MAPS]
    keyed = {m.key: m for m in maps}
    if len(keyed) != len(maps):
        raise ValueError("two register maps share a key")
    for reg_map in maps:
        reg_map.catalog()  # every metric of a shipped map says what it means
    return keyed


MAPS: dict[str, RegisterMap] = _load()
