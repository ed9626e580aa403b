"""Room air units: a chilled-water CRAH and a direct-expansion CRAC.

Both are *modelled on* published maps, not copies of them: register numbers, scales and
alarm bits are plausible, in the style of the vendor documents.
"""

from telemetry.collectors.registers.shapes import RegisterMap, Row

AIR_ALARMS = {
    0: "high_supply_air_temperature",
    1: "high_return_air_temperature",
    2: "low_supply_air_temperature",
    3: "high_humidity",
    4: "low_humidity",
    5: "fan_failure",
    6: "water_leak",
    7: "filter_clogged",
    8: "power_failure",
    9: "sensor_failure",
    15: "summary_alarm",
}

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
MEANINGS = {
    "cooling_return_air_temperature_celsius": "Temperature of the air returning to the unit.",
    "cooling_supply_air_temperature_celsius": "Temperature of the air the unit supplies.",
    "cooling_supply_air_setpoint_celsius": "Supply air temperature the unit controls to.",
    "cooling_return_air_humidity_percent": "Relative humidity of the air returning to the unit.",
    "cooling_fan_speed_percent": "Fan speed, percent of its maximum.",
    "cooling_output_watts": "Cooling the unit delivers (heat removed).",
    "cooling_valve_opening_percent": "Opening of the chilled-water valve, percent.",
    "cooling_alarm_word": "The unit's alarm word as read.",
    "cooling_unit_state": "Operating state of the unit:",
    "cooling_compressor_state": "State of one compressor (the component):",
}

# Stulz CyberAir / C7000-style: Modicon 4xxxx holding registers, 16-bit values in tenths.
CRAH_STULZ = RegisterMap(
    key="crah_stulz",
    kind="crah",
    title="Chilled-water CRAH, modelled on the Stulz C7000 Modbus map",
    numbering="modicon",
    meanings=MEANINGS,
    rows=(
        # number  type     scale  unit     metric                                   valid
        Row(40001, "int16", 0.1, "degC", "cooling_return_air_temperature_celsius", (-20, 80)),
        Row(40002, "int16", 0.1, "degC", "cooling_supply_air_temperature_celsius", (-20, 80)),
        Row(40003, "int16", 0.1, "degC", "cooling_supply_air_setpoint_celsius", (5, 40)),
        Row(40004, "uint16", 0.1, "%RH", "cooling_return_air_humidity_percent", (0, 100)),
        Row(40005, "uint16", 1, "%", "cooling_fan_speed_percent", (0, 100)),
        Row(40006, "uint16", 0.1, "kW", "cooling_output_watts", (0, 600)),
        Row(40007, "uint16", 1, "%", "cooling_valve_opening_percent", (0, 100)),
        Row(40101, "uint16", 1, "bitmask", "cooling_alarm_word", bits=AIR_ALARMS),
        Row(
            40102,
            "uint16",
            1,
            "state",
            "cooling_unit_state",
            (0, 3),
            note="0 off, 1 running, 2 standby, 3 stopped by alarm",
        ),
    ),
)

# Liebert IntelliSlot (Unity card) style: 0-based addresses, 32-bit registers MSW first.
CRAC_LIEBERT = RegisterMap(
    key="crac_liebert",
    kind="crac",
    title="DX CRAC, modelled on the Liebert IntelliSlot Unity Modbus map",
    numbering="0-based",
    meanings=MEANINGS,
    rows=(
        Row(1000, "int32", 0.1, "degC", "cooling_supply_air_temperature_celsius", (-20, 80)),
        Row(1002, "int32", 0.1, "degC", "cooling_return_air_temperature_celsius", (-20, 80)),
        Row(1004, "int32", 0.1, "degC", "cooling_supply_air_setpoint_celsius", (5, 40)),
        Row(1006, "uint32", 0.1, "%RH", "cooling_return_air_humidity_percent", (0, 100)),
        Row(1008, "uint32", 1, "%", "cooling_fan_speed_percent", (0, 100)),
        Row(1010, "uint32", 0.1, "kW", "cooling_output_watts", (0, 300)),
        Row(
            2000,
            "uint32",
            1,
            "bitmask",
            "cooling_alarm_word",
            bits={
                **AIR_ALARMS,
                16: "compressor_high_head_pressure",
                17: "compressor_low_suction_pressure",
                18: "compressor_overload",
            },
        ),
        Row(
            2002,
            "uint16",
            1,
            "state",
            "cooling_compressor_state",
            (0, 3),
            component="compressor:1",
            note="0 off, 1 running, 2 fault, 3 locked out",
        ),
    ),
)

MAPS = (CRAH_STULZ, CRAC_LIEBERT)
