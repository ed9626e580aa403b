"""Standby generators: a genset controller behind a Modbus gateway.

*Modelled on* the maps genset controller makers publish (an engine state word, the
generator breaker's position, electrical values and the fuel level in input registers,
32-bit values most significant word first); numbers are plausible, not a vendor's. What
the availability app needs from it is the engine state: a standby generator that starts
is an event on the HA page, like a UPS going to battery or a transfer switch moving.
"""

from telemetry.collectors.registers.shapes import RegisterMap, Row

ENGINE_STATES = "0 stopped (ready), 1 starting, 2 running, 3 cooling down, 4 stopped by alarm"
BREAKER_STATES = "0 open, 1 closed (the generator carries the load)"

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
MEANINGS = {
    "generator_engine_state": "State of the generator's engine:",
    "generator_breaker_state": "Position of the generator breaker:",
    "generator_power_watts": "Real power the generator delivers.",
    "generator_frequency_hertz": "Output frequency of the generator.",
    "generator_fuel_level_percent": "Fuel in the day tank, percent of full.",
    "generator_battery_voltage_volts": "Voltage of the starter battery.",
}

GENSET_GATEWAY = RegisterMap(
    key="genset_gateway",
    kind="generator",
    title="Standby generator, modelled on genset-controller Modbus maps",
    numbering="modicon",
    function=None,  # taken from the 3xxxx number
    meanings=MEANINGS,
    rows=(
        # number  type      scale unit     metric                               valid
        Row(30001, "uint16", 1, "state", "generator_engine_state", (0, 4), note=ENGINE_STATES),
        Row(30002, "uint16", 1, "state", "generator_breaker_state", (0, 1), note=BREAKER_STATES),
        Row(30003, "float32", 1, "kW", "generator_power_watts", (0, 5000)),
        Row(30005, "float32", 1, "Hz", "generator_frequency_hertz", (0, 70)),
        Row(30007, "uint16", 1, "%", "generator_fuel_level_percent", (0, 100)),
        Row(30008, "uint16", 0.1, "V", "generator_battery_voltage_volts", (0, 40)),
    ),
)

MAPS = (GENSET_GATEWAY,)
