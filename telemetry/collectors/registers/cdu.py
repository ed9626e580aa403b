"""Coolant distribution units (CDU) for direct-to-chip liquid cooling.

The facility side is the primary loop (facility water from chillers or dry coolers); the
secondary side is the technology cooling system (TCS) loop that runs through the cold
plates. *Modelled on* the Vertiv Liebert XDU Modbus map: 1-based holding registers,
IEEE float32 most significant word first. Numbers are plausible, not Vertiv's.
"""

from telemetry.collectors.registers.shapes import RegisterMap, Row

CDU_ALARMS = {
    0: "leak_detected",
    1: "high_secondary_supply_temperature",
    2: "low_secondary_flow",
    3: "pump_1_failure",
    4: "pump_2_failure",
    5: "high_filter_differential_pressure",
    6: "low_reservoir_level",
    7: "dew_point_warning",
}

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
# Facility: the primary loop (from chillers or dry coolers); secondary: the loop through
# the cold plates (technology cooling system).
MEANINGS = {
    "cdu_facility_supply_temperature_celsius": "Facility water temperature into the CDU.",
    "cdu_facility_return_temperature_celsius": "Facility water temperature out of the CDU.",
    "cdu_secondary_supply_temperature_celsius": "Coolant temperature to the cold plates.",
    "cdu_secondary_return_temperature_celsius": "Coolant temperature back from the cold plates.",
    "cdu_secondary_flow_liters_per_second": "Coolant flow through the secondary (cold-plate) loop.",
    "cdu_facility_flow_liters_per_second": "Facility water flow through the CDU.",
    "cdu_differential_pressure_pascals": "Pressure the pumps add across the secondary loop.",
    "cdu_power_watts": "Electrical power the CDU draws (mostly its pumps).",
    "cdu_pump_speed_percent": "Speed of one pump (the component), percent of its maximum.",
    "cdu_secondary_supply_setpoint_celsius": "Coolant supply temperature the CDU controls to.",
    "cooling_alarm_word": "The CDU's alarm word as read.",
}

CDU_VERTIV = RegisterMap(
    key="cdu_vertiv",
    kind="cdu",
    title="Liquid-cooling CDU, modelled on the Vertiv Liebert XDU Modbus map",
    numbering="1-based",
    meanings=MEANINGS,
    rows=(
        # number type     scale unit    metric                                   valid
        Row(1, "float32", 1, "degC", "cdu_facility_supply_temperature_celsius", (0, 60)),
        Row(3, "float32", 1, "degC", "cdu_facility_return_temperature_celsius", (0, 70)),
        Row(5, "float32", 1, "degC", "cdu_secondary_supply_temperature_celsius", (0, 70)),
        Row(7, "float32", 1, "degC", "cdu_secondary_return_temperature_celsius", (0, 80)),
        Row(9, "float32", 1, "l/min", "cdu_secondary_flow_liters_per_second", (0, 5000)),
        Row(11, "float32", 1, "l/min", "cdu_facility_flow_liters_per_second", (0, 5000)),
        Row(13, "float32", 1, "kPa", "cdu_differential_pressure_pascals", (0, 1000)),
        Row(15, "float32", 1, "kW", "cdu_power_watts", (0, 100)),
        Row(17, "float32", 1, "%", "cdu_pump_speed_percent", (0, 100), component="pump:1"),
        Row(19, "float32", 1, "%", "cdu_pump_speed_percent", (0, 100), component="pump:2"),
        Row(21, "float32", 1, "degC", "cdu_secondary_supply_setpoint_celsius", (10, 60)),
        Row(101, "uint16", 1, "bitmask", "cooling_alarm_word", bits=CDU_ALARMS),
    ),
)

MAPS = (CDU_VERTIV,)
