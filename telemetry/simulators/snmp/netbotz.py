"""A simulated NetBotz rack monitor (NETBOTZV2-MIB), as the ``netbotz_v2`` profile reads it.

One probe per row: a front-door temperature probe labelled "Inlet", a rear-door one labelled
"Outlet" and a humidity probe on the front door (labelled "Inlet" in the humidity table), so
that the collector names them ``inlet`` and ``outlet``. More sensors than three are further
front-door temperature probes. Rows are indexed the way appliances do it, by an integer
derived from the sensor id, not by the id string the MIB's INDEX clause names.

Every moving value goes through ``_value``: a sine wave stand-alone, or with ``modelled``
the rack's air from the demo building's model (``rack/<rack>/inlet_c`` ...).
"""

from __future__ import annotations

import random
import zlib

from telemetry.simulators.snmp.records import Record, model, rec, uptime, wave

NETBOTZ = "1.3.6.1.4.1.5528.100.4.1"  # netBotzNumericSensors
TEMP, HUMI = f"{NETBOTZ}.1.1", f"{NETBOTZ}.2.1"  # tempSensorEntry, humiSensorEntry
ENCLOSURE = "nbHawkEnc_0"  # the base unit's enclosure id


def _value(
    rack: str,
    quantity: str,
    mean: float,
    swing: float,
    period: float,
    scale: float,
    modelled: bool = False,
) -> tuple[str, str]:
    """One moving value of the monitor in ``rack``, in the MIB's raw units (× ``scale``).

    ``quantity`` is "inlet_c", "outlet_c" or "humidity_percent": the rack's air from the
    building model when ``modelled``, else a wave around ``mean``.
    """
    if modelled and rack:
        return model(f"rack/{rack}/{quantity}", scale, "2")
    return wave(mean * scale, swing * scale, period)


def _index(sensor_id: str) -> int:
    """The row index an appliance gives a sensor: a positive 31-bit number from its id."""
    return zlib.crc32(sensor_id.encode()) & 0x7FFFFFFF


def netbotz_rack_monitor(
    sensors: int = 3, rng: random.Random | None = None, rack: str = "", modelled: bool = False
) -> list[Record]:
    """A NetBotz with ``sensors`` probes: inlet and outlet temperature, inlet humidity, then
    more inlet temperature probes. Inlet air ~22–25 °C, outlet ~12 °C warmer, ~40 % RH."""
    rng = rng or random.Random(5)  # noqa: S311 - simulated readings, not secrets
    inlet = rng.uniform(22.8, 24.2)
    # (table, sensor id suffix, label, quantity, mean, swing, period in s)
    probes = [
        (TEMP, "TEMP1", "Inlet", "inlet_c", inlet, 0.8, 1200),
        (TEMP, "TEMP2", "Outlet", "outlet_c", inlet + 12, 1.5, 1300),
        (HUMI, "HUMI1", "Inlet", "humidity_percent", rng.uniform(38, 42), 3, 1500),
    ]
    probes += [
        (TEMP, f"TEMP{n}", f"Inlet {n}", "inlet_c", inlet + rng.uniform(-0.5, 0.5), 0.8, 1200)
        for n in range(4, sensors + 1)
    ]
    out = [uptime()]
    for port, (table, suffix, label, quantity, mean, swing, period) in enumerate(
        probes[:sensors], start=1
    ):
        sensor_id = f"{ENCLOSURE}_{suffix}"

        def value(scale: float, q=quantity, m=mean, s=swing, p=period) -> tuple[str, str]:
            return _value(rack, q, m, s, p, scale, modelled)

        i = _index(sensor_id)
        out += [
            rec(f"{table}.1.{i}", "4", sensor_id),
            rec(f"{table}.2.{i}", value(10)),  # tenths
            rec(f"{table}.3.{i}", "2", 0),  # errorStatus normal(0)
            rec(f"{table}.4.{i}", "4", label),
            rec(f"{table}.5.{i}", "4", ENCLOSURE),
            rec(f"{table}.6.{i}", "4", f"{ENCLOSURE}_DIN{port}"),
            rec(f"{table}.8.{i}", value(1)),  # whole units
        ]
    return out
