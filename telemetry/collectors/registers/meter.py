"""Meters: an electrical power and energy meter, and a water flow meter with a totaliser.

These are what PUE and WUE are computed from (ISO/IEC 30134-2 and -9): the energy and
volume *counters* above all, since PUE is a ratio of energies over a period, never of
instantaneous power. Both maps are *modelled on* the vendors' published lists; check the
unit's own document (and its firmware) before pointing them at real equipment.
"""

from telemetry.collectors.registers.shapes import RegisterMap, Row

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
MEANINGS = {
    "meter_phase_current_amperes": "Current on one phase (the component) at the metering point.",
    "meter_voltage_volts": "Line-to-line voltage at the metering point, average of the three.",
    "meter_phase_voltage_volts": "Line-to-neutral voltage of one phase (the component).",
    "meter_active_power_watts": (
        "Active power through the metering point, all phases (negative: flowing back)."
    ),
    "meter_apparent_power_voltamperes": "Apparent power through the metering point.",
    "meter_power_factor": "Power factor at the metering point: active over apparent, 0 to 1.",
    "meter_frequency_hertz": "Frequency of the supply at the metering point.",
    "meter_active_energy_joules_total": (
        "Active energy delivered through the metering point (into the load): the counter PUE "
        "is computed from."
    ),
    "water_flow_liters_per_second": "Water flowing through the meter now.",
    "water_volume_liters_total": (
        "Water that has passed the meter (its totaliser): the counter WUE is computed from."
    ),
}

PF_4Q = (
    "Read as Schneider's four-quadrant PF float, which is the power factor itself in "
    "quadrant 1 (energy delivered, lagging); the other quadrants' encodings fall outside "
    "0-1 and are skipped rather than stored wrong"
)


def _per_phase(first: int, unit: str, metric: str, valid: tuple[float, float]) -> tuple[Row, ...]:
    """Three float32 rows, phases 1-3 (A, B, C) at consecutive register pairs."""
    return tuple(
        Row(first + 2 * i, "float32", 1, unit, metric, valid, component=f"phase:{i + 1}")
        for i in range(3)
    )


# Schneider Electric PowerLogic PM8000 / PM5000 series (the demo's PM8240): modelled on the
# public register list shared by the series (Schneider FAQ FA319771, PM8000_Modbus_Map.xlsx;
# "PM5100/PM5300 Public Register List"). Holding registers, numbered from 1 (register 3060 is
# protocol address 3059), IEEE float32 and INT64 most significant word first.
#
# The energy counter is read as INT64 in Wh (3204), not as the float32 kWh copy the meter
# also keeps (2700): a float32 has a 24-bit mantissa, so past 16.8 GWh (2^24 kWh: two
# years of a 1 MW board, four months of a 6 MW site) it counts in steps of 2 kWh and more,
# half the 4.2 kWh a 1 MW board uses between two 15 s polls. INT64 Wh is exact far beyond
# any meter's life.
POWER_METER_PM8000 = RegisterMap(
    key="meter_pm8000",
    kind="power_meter",
    title="Power and energy meter, modelled on the Schneider PowerLogic PM8000/PM5000 map",
    numbering="1-based",
    function=3,
    word_order="big",
    # 3000-3111 are all defined on the meter (unbalance, reactive power, displacement PF
    # ...), so one read of 112 registers covers them: two requests a poll, not seven.
    max_gap=30,
    meanings=MEANINGS,
    rows=(
        # Current A, B, C and Voltage A-N, B-N, C-N: float32 each, one per phase.
        *_per_phase(3000, "A", "meter_phase_current_amperes", (0, 100_000)),
        *_per_phase(3028, "V", "meter_phase_voltage_volts", (0, 30_000)),
        # number type     scale unit  metric                          valid
        Row(3026, "float32", 1, "V", "meter_voltage_volts", (0, 50_000)),  # Voltage L-L Avg
        Row(3060, "float32", 1, "kW", "meter_active_power_watts", (-100_000, 100_000)),
        Row(3076, "float32", 1, "kVA", "meter_apparent_power_voltamperes", (0, 100_000)),
        Row(3084, "float32", 1, "pf", "meter_power_factor", (0, 1), note=PF_4Q),
        Row(3110, "float32", 1, "Hz", "meter_frequency_hertz", (45, 65)),
        # Active Energy Delivered (Into Load), INT64 Wh; 0x8000000000000000 = not available.
        Row(3204, "int64", 1, "Wh", "meter_active_energy_joules_total", (0, 1e18)),
    ),
)

# Siemens SITRANS F M MAG 6000 electromagnetic flow transmitter (with a MAG 5100 W water
# sensor) and its Modbus RTU module, reached through a Modbus TCP gateway: modelled on the
# holding-register table of "SITRANS F Modbus RTU RS 485" (operating instructions
# A5E00753974), where 4:03003 is the volume flow (float, m³/s) and 4:03015 totaliser 1
# (double, m³). The module also keeps totaliser 1 as a float32 at 4:03023: not used, as a
# float32 resolves only ~1 L past 8,192 m³ and ~16 L past 131,072 m³, coarser than the
# water of one 15 s poll at the demo's flows. The float byte order is a setting of the
# module: this map assumes most significant word first.
WATER_METER_MAG6000 = RegisterMap(
    key="water_mag6000",
    kind="water_meter",
    title="Water flow meter, modelled on the Siemens SITRANS F M MAG 6000 Modbus map",
    numbering="modicon",
    function=3,
    word_order="big",
    meanings=MEANINGS,
    rows=(
        Row(43003, "float32", 1, "m3/s", "water_flow_liters_per_second", (0, 1000)),
        Row(43015, "float64", 1, "m3", "water_volume_liters_total", (0, 1e13)),
    ),
)

MAPS = (POWER_METER_PM8000, WATER_METER_MAG6000)
