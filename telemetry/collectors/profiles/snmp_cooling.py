"""Cooling over SNMP: Vertiv/Liebert LIEBERT-GP-FLEXIBLE-MIB.

The flexible table carries every data point of a Liebert unit as text: a label (.10), a
value written as a decimal string that may read "Unavailable" (.20) and a unit (.30). The
metric is picked by label, because the label is what the unit documents and shows; unit
text converts into base units (deg F becomes celsius). Labels the profile does not know are
skipped and counted ("unknown_type"): add them here when a unit shows new ones.
"""

from __future__ import annotations

from telemetry.collectors.profiles.snmp_shapes import Metric, Profile, Table

FLEX = "1.3.6.1.4.1.476.1.42.3.9.20.1"

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
MEANINGS = {
    "cooling_return_air_temperature_celsius": "Temperature of the air returning to the unit.",
    "cooling_supply_air_temperature_celsius": "Temperature of the air the unit supplies.",
    "cooling_return_air_humidity_percent": "Relative humidity of the air returning to the unit.",
    "cooling_supply_air_humidity_percent": "Relative humidity of the air the unit supplies.",
    "cooling_setpoint_celsius": "Air temperature the unit controls to (its set point).",
    "cooling_fan_speed_percent": "Fan speed, percent of its maximum.",
    "cooling_valve_percent": "Opening of the chilled-water valve, percent.",
    "cooling_supply_fluid_temperature_celsius": "Temperature of the fluid entering the unit.",
    "cooling_return_fluid_temperature_celsius": "Temperature of the fluid leaving the unit.",
    "cooling_capacity_percent": "Cooling the unit delivers, percent of its capacity.",
    "cooling_power_watts": "Sensible cooling the unit delivers (heat removed from the air).",
    "cooling_fluid_flow_liters_per_second": "Flow of cooling fluid through the unit.",
}


def _temp(name: str) -> Metric:
    return Metric(name, "celsius", low=-40, high=100)


def _pct(name: str) -> Metric:
    return Metric(name, "percent", low=0, high=100)


_LABELS = {
    "return air temperature": _temp("cooling_return_air_temperature_celsius"),
    "supply air temperature": _temp("cooling_supply_air_temperature_celsius"),
    "return air humidity": _pct("cooling_return_air_humidity_percent"),
    "return humidity": _pct("cooling_return_air_humidity_percent"),
    "supply air humidity": _pct("cooling_supply_air_humidity_percent"),
    "air temperature set point": _temp("cooling_setpoint_celsius"),
    "supply air temperature set point": _temp("cooling_setpoint_celsius"),
    "fan speed": _pct("cooling_fan_speed_percent"),
    "chilled water valve position": _pct("cooling_valve_percent"),
    "supply fluid temperature": _temp("cooling_supply_fluid_temperature_celsius"),
    "return fluid temperature": _temp("cooling_return_fluid_temperature_celsius"),
    "cooling capacity": _pct("cooling_capacity_percent"),
    "sensible cooling power": Metric("cooling_power_watts", "watts", low=0, high=5e6),
    "fluid flow rate": Metric(
        "cooling_fluid_flow_liters_per_second", "liters_per_second", low=0, high=1e4
    ),
}

LIEBERT_GP = Profile(
    "liebert_gp",
    "Vertiv/Liebert LIEBERT-GP-FLEXIBLE-MIB: labelled text values, 'Unavailable' skipped.",
    tables=(
        Table(
            component="",
            text={"label": f"{FLEX}.10"},
            value=f"{FLEX}.20",
            units=f"{FLEX}.30",
            type_from="text:label",
            types=_LABELS,
            text_values=True,
        ),
    ),
    meanings=MEANINGS,
)

PROFILES = (LIEBERT_GP,)
