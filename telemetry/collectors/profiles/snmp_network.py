"""Switch profiles: sysUpTime, IF-MIB (RFC 2863) and ENTITY-SENSOR-MIB (RFC 3433)."""

from __future__ import annotations

from telemetry.collectors.profiles.snmp_shapes import Metric, Profile, Table

IF = "1.3.6.1.2.1.2.2.1"  # ifEntry
IFX = "1.3.6.1.2.1.31.1.1.1"  # ifXEntry
ENT_SENSOR = "1.3.6.1.2.1.99.1.1.1"  # entPhySensorEntry
ENT_PHYSICAL_NAME = "1.3.6.1.2.1.47.1.1.1.1.7"

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
MEANINGS = {
    "snmp_sys_uptime_seconds": (
        "Time since the SNMP agent started (sysUpTime): a decrease means it restarted, so "
        "its counters restarted too. Wraps after about 497 days."
    ),
    "if_in_bytes_total": "Bytes received on the interface (ifHCInOctets).",
    "if_out_bytes_total": "Bytes sent on the interface (ifHCOutOctets).",
    "if_in_errors_total": "Received packets dropped because they had errors (ifInErrors).",
    "if_out_errors_total": "Packets that could not be sent because of errors (ifOutErrors).",
    "if_in_discards_total": (
        "Received packets dropped without an error, e.g. for lack of buffer (ifInDiscards)."
    ),
    "if_out_discards_total": (
        "Packets to send dropped without an error, e.g. for lack of buffer (ifOutDiscards)."
    ),
    "if_admin_status": "Configured state of the interface: 1 up, 2 down, 3 testing.",
    "if_oper_status": (
        "Actual state of the interface: 1 up, 2 down, 3 testing, 4 unknown, 5 dormant, "
        "6 notPresent, 7 lowerLayerDown."
    ),
    "if_speed_bits_per_second": "Nominal speed of the interface (ifHighSpeed); 0 if it has none.",
    "sensor_voltage_volts": "Voltage a sensor of the device measures (AC or DC).",
    "sensor_current_amperes": "Current a sensor of the device measures.",
    "sensor_power_watts": "Power a sensor of the device measures.",
    "sensor_frequency_hertz": "Frequency a sensor of the device measures.",
    "sensor_temperature_celsius": "Temperature a sensor of the device measures (inlet, ASIC, ...).",
    "sensor_humidity_percent": "Relative humidity a sensor of the device measures.",
    "sensor_fan_speed_rpm": "Speed of a fan of the device.",
    "sensor_airflow_cubic_meters_per_minute": "Airflow a sensor of the device measures.",
    "sensor_truth_value": "A yes/no sensor of the device (e.g. a fan present): 1 true, 2 false.",
}

SYSTEM = Profile(
    "system",
    "SNMPv2-MIB sysUpTime, read from every agent: a decrease means the agent restarted, "
    "which tells a counter reset from a wrap.",
    scalars=(
        # TimeTicks are hundredths of a second and wrap after ~497 days.
        Metric("snmp_sys_uptime_seconds", "seconds", "1.3.6.1.2.1.1.3.0", scale=0.01),
    ),
    meanings=MEANINGS,
)

TERA = 1e12


def _errors(name: str, oid: str) -> Metric:
    return Metric(name, "", oid, counter=32)


IF_MIB = Profile(
    "if_mib",
    "IF-MIB interfaces: 64-bit octet counters, errors, discards, status and speed.",
    tables=(
        Table(
            component="if:{ifName|ifDescr|index}",
            text={"ifName": f"{IFX}.1", "ifDescr": f"{IF}.2", "alias": f"{IFX}.18"},
            labels=("alias",),
            metrics=(
                Metric("if_in_bytes_total", "bytes", f"{IFX}.6", counter=64),
                Metric("if_out_bytes_total", "bytes", f"{IFX}.10", counter=64),
                _errors("if_in_errors_total", f"{IF}.14"),
                _errors("if_out_errors_total", f"{IF}.20"),
                _errors("if_in_discards_total", f"{IF}.13"),
                _errors("if_out_discards_total", f"{IF}.19"),
                # 1 up, 2 down, 3 testing (admin); oper adds 4 unknown .. 7 lowerLayerDown.
                Metric("if_admin_status", "", f"{IF}.7", low=1, high=3, state=True),
                Metric("if_oper_status", "", f"{IF}.8", low=1, high=7, state=True),
                # ifHighSpeed is in Mb/s; 0 for a port without a speed.
                Metric(
                    "if_speed_bits_per_second",
                    "bits_per_second",
                    f"{IFX}.15",
                    scale=1e6,
                    low=0,
                    high=10 * TERA,
                ),
            ),
        ),
    ),
    meanings=MEANINGS,
)

# entPhySensorType -> metric; 1 other / 2 unknown are skipped ("unknown_type").
_SENSOR_TYPES = {
    3: Metric("sensor_voltage_volts", "volts", low=-1000, high=1000),  # voltsAC
    4: Metric("sensor_voltage_volts", "volts", low=-1000, high=1000),  # voltsDC
    5: Metric("sensor_current_amperes", "amperes", low=-1000, high=10000),
    6: Metric("sensor_power_watts", "watts", low=0, high=1e6),
    7: Metric("sensor_frequency_hertz", "hertz", low=0, high=1e9),
    8: Metric("sensor_temperature_celsius", "celsius", low=-60, high=200),
    9: Metric("sensor_humidity_percent", "percent", low=0, high=100),
    10: Metric("sensor_fan_speed_rpm", "rpm", low=0, high=100000),
    11: Metric("sensor_airflow_cubic_meters_per_minute", "cubic_meters_per_minute", low=0),
    12: Metric("sensor_truth_value", "", low=1, high=2, state=True),  # 1 true, 2 false
}

ENTITY_SENSOR = Profile(
    "entity_sensor",
    "ENTITY-SENSOR-MIB: value × 10^(3×(scale−9)) / 10^precision, unit from the sensor type; "
    "rows whose operational status is not ok(1) are skipped.",
    tables=(
        Table(
            component="sensor:{name|index}",
            text={"name": ENT_PHYSICAL_NAME},
            value=f"{ENT_SENSOR}.4",
            type_from=f"col:{ENT_SENSOR}.1",
            types=_SENSOR_TYPES,
            exponent=f"{ENT_SENSOR}.2",
            decimals=f"{ENT_SENSOR}.3",
            status=f"{ENT_SENSOR}.5",
            status_ok=(1,),
        ),
    ),
    meanings=MEANINGS,
)

PROFILES = (SYSTEM, IF_MIB, ENTITY_SENSOR)
