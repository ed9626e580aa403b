"""Chillers: an air-cooled chiller behind a Modbus gateway.

*Modelled on* the maps chiller makers and BMS gateways publish (live values in input
registers, IEEE float32 in the swapped "CDAB" word order that Modicon PLCs used, setpoints
in holding registers); numbers and bits are plausible, not a vendor's.
"""

from telemetry.collectors.registers.shapes import RegisterMap, Row

CHILLER_ALARMS = {
    0: "low_chilled_water_temperature",  # freeze protection
    1: "low_chilled_water_flow",
    2: "high_condensing_pressure",
    3: "low_suction_pressure",
    4: "compressor_1_fault",
    5: "compressor_2_fault",
    6: "high_chilled_water_temperature",
    7: "communication_failure",
}
COMPRESSOR_STATES = "0 off, 1 running, 2 fault, 3 locked out"

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
MEANINGS = {
    "chiller_supply_water_temperature_celsius": "Temperature of the chilled water leaving.",
    "chiller_return_water_temperature_celsius": "Temperature of the water coming back.",
    "chiller_water_flow_liters_per_second": "Chilled-water flow through the chiller.",
    "chiller_power_watts": "Electrical power the chiller draws.",
    "chiller_cooling_output_watts": "Cooling the chiller delivers (heat removed from the water).",
    "chiller_outdoor_air_temperature_celsius": "Outdoor air temperature at the chiller.",
    "cooling_compressor_state": "State of one compressor (the component):",
    "chiller_energy_joules_total": "Electrical energy the chiller used (its meter).",
    "cooling_alarm_word": "The chiller's alarm word as read.",
    "chiller_supply_water_setpoint_celsius": "Chilled-water temperature the chiller controls to.",
}

CHILLER_GATEWAY = RegisterMap(
    key="chiller_gateway",
    kind="chiller",
    title="Air-cooled chiller, modelled on chiller/BMS-gateway Modbus maps (float32 CDAB)",
    numbering="modicon",
    function=None,  # taken from the 3xxxx / 4xxxx number
    word_order="little",
    meanings=MEANINGS,
    rows=(
        # number  type       scale unit    metric                                       valid
        Row(30001, "float32", 1, "degC", "chiller_supply_water_temperature_celsius", (-10, 40)),
        Row(30003, "float32", 1, "degC", "chiller_return_water_temperature_celsius", (-10, 50)),
        Row(30005, "float32", 1, "m3/h", "chiller_water_flow_liters_per_second", (0, 2000)),
        Row(30007, "float32", 1, "kW", "chiller_power_watts", (0, 3000)),
        Row(30009, "float32", 1, "kW", "chiller_cooling_output_watts", (0, 10000)),
        Row(30011, "int16", 0.1, "degC", "chiller_outdoor_air_temperature_celsius", (-50, 60)),
        Row(
            30021,
            "uint16",
            1,
            "state",
            "cooling_compressor_state",
            (0, 3),
            component="compressor:1",
            note=COMPRESSOR_STATES,
        ),
        Row(
            30022,
            "uint16",
            1,
            "state",
            "cooling_compressor_state",
            (0, 3),
            component="compressor:2",
            note=COMPRESSOR_STATES,
        ),
        Row(30031, "uint32", 1, "kWh", "chiller_energy_joules_total"),
        Row(30041, "uint16", 1, "bitmask", "cooling_alarm_word", bits=CHILLER_ALARMS),
        Row(40001, "float32", 1, "degC", "chiller_supply_water_setpoint_celsius", (-10, 30)),
    ),
)

MAPS = (CHILLER_GATEWAY,)
