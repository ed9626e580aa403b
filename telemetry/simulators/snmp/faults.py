"""Fault data files for the SNMP tests: one device each, static values chosen to hit a case.

``counters(...)`` is a one-port switch whose counters the tests swap between polls (snmpsim
re-reads a data file whose mtime changed): near the 32- and 64-bit tops, then past them with
sysUpTime still rising (a wrap), or small again with sysUpTime lower (an agent restart).
``garbage()`` answers every profile with something wrong beside something right.
"""

from __future__ import annotations

from telemetry.simulators.snmp.records import (
    APC,
    ENT_NAME,
    ENT_SENSOR,
    IF,
    IFX,
    LIEBERT,
    UPS,
    Record,
)

TOP32, TOP64 = 2**32 - 1, 2**64 - 1


def counters(in_errors: int, in_octets: int, uptime_ticks: int) -> list[Record]:
    """One port with the given Counter32 ifInErrors, Counter64 ifHCInOctets and sysUpTime."""
    return [
        ("1.3.6.1.2.1.1.3.0", "67", str(uptime_ticks)),
        (f"{IF}.2.1", "4", "Ethernet1/1"),
        (f"{IF}.8.1", "2", "1"),
        (f"{IF}.14.1", "65", str(in_errors)),
        (f"{IFX}.1.1", "4", "Eth1/1"),
        (f"{IFX}.6.1", "70", str(in_octets)),
    ]


NEAR_WRAP = counters(TOP32 - 5, TOP64 - 1000, 8_640_000)  # day 1
AFTER_WRAP = counters(10, 500, 8_643_000)  # 30 s later: both counters went past the top
AFTER_RESTART = counters(3, 4096, 1_200)  # 12 s after a reboot: sysUpTime went down


def _sensor(index: int, *values: str) -> list[Record]:
    return [(f"{ENT_SENSOR}.{c}.{index}", "2", v) for c, v in enumerate(values, start=1)]


def garbage() -> list[Record]:
    """Wrong types, exceptions and absurd values beside good ones, across the profiles."""
    return [
        ("1.3.6.1.2.1.1.3.0", "67", "100"),
        # IF-MIB port 1: good name and status, bad counters and speed.
        (f"{IF}.2.1", "4", "Ethernet1/1"),
        (f"{IF}.8.1", "2", "1"),
        (f"{IF}.14.1", "129", ""),  # noSuchInstance
        (f"{IFX}.1.1", "4", "Eth1/1"),
        (f"{IFX}.6.1", "4", "12345"),  # OctetString where a Counter64 belongs
        (f"{IFX}.10.1", "128", ""),  # noSuchObject
        (f"{IFX}.15.1", "66", "1000000000"),  # 10^9 Mb/s: 1 Eb/s, absurd
        # ENTITY-SENSOR: one good temperature, one unavailable, one of type "other".
        (f"{ENT_NAME}.1", "4", "Inlet"),
        (f"{ENT_NAME}.2", "4", "Outlet"),
        (f"{ENT_NAME}.3", "4", "Mystery"),
        # columns: 1 type, 2 scale, 3 precision, 4 value, 5 status (1 ok, 2 unavailable)
        *_sensor(1, "8", "9", "1", "215", "1"),  # 21.5 °C
        *_sensor(2, "8", "9", "0", "30", "2"),  # unavailable
        *_sensor(3, "1", "9", "0", "7", "1"),  # type other
        # UPS: absurd charge, a string for seconds on battery, negative output watts.
        (f"{UPS}.2.1.0", "2", "2"),
        (f"{UPS}.2.2.0", "4", "abc"),
        (f"{UPS}.2.4.0", "2", "1000000000"),
        (f"{UPS}.4.1.0", "2", "3"),
        (f"{UPS}.4.4.1.4.1", "2", "-5"),
        (f"{UPS}.4.4.1.5.1", "2", "40"),
        # APC rPDU2: negative device power, a 5000 °C probe with a sane humidity.
        (f"{APC}.4.3.1.4.1", "2", "2"),
        (f"{APC}.4.3.1.5.1", "2", "-5"),
        (f"{APC}.10.2.2.1.3.1", "4", "Rack inlet"),
        (f"{APC}.10.2.2.1.8.1", "2", "50000"),
        (f"{APC}.10.2.2.1.10.1", "2", "45"),
        # Liebert: one good value, one "Unavailable", one label the profile does not know.
        (f"{LIEBERT}.10.1.1", "4", "Return Air Temperature"),
        (f"{LIEBERT}.10.1.2", "4", "Supply Air Temperature"),
        (f"{LIEBERT}.10.1.3", "4", "Compressor Head Pressure"),
        (f"{LIEBERT}.20.1.1", "4", "30.5"),
        (f"{LIEBERT}.20.1.2", "4", "Unavailable"),
        (f"{LIEBERT}.20.1.3", "4", "210"),
        (f"{LIEBERT}.30.1.1", "4", "deg C"),
        (f"{LIEBERT}.30.1.2", "4", "deg C"),
        (f"{LIEBERT}.30.1.3", "4", "psi"),
    ]
