"""Environment monitors: the NetBotz rack monitor's probes (NETBOTZV2-MIB).

NETBOTZV2-MIB (enterprise 1.3.6.1.4.1.5528.100, BotzWare 2.x) keeps one table per kind of
numeric sensor under netBotzNumericSensors (.4.1): temperature (.1), humidity (.2), dew
point (.3), airflow (.5). Every table has the same columns: 1 id, 2 value in tenths, 3
errorStatus, 4 label, 5 enclosure id, 6 port id, 7 value as text, 8 value in whole units
(temperature adds 9, whole degrees Fahrenheit). The tenths (column 2) are read: whole
degrees would hide the drift an inlet alert is about.

Rows: the MIB's INDEX is the sensor id string, but appliances index by an integer they
derive from it (``tempSensorId.21604919 = nbHawkEnc_1_TEMP``), so nothing is read from the
index: the probe is named by its label. Where the label says which side of the rack the
probe reads ("Inlet", "Front door", "Rear"), the component is ``inlet`` or ``outlet``
(``inlet:<label>`` when the label says more), which rack pages and the ASHRAE inlet rules
use; otherwise ``sensor:<label>``.

errorStatus (normal 0, info 1, warning 2, error 3, critical 4, failure 5) is the severity of
the probe's worst unresolved alert, its own thresholds included: a probe above its high
threshold reads "warning" and its value is the one to see. So rows are not skipped by it;
a value outside the MIB's range is skipped as implausible, as everywhere.

Which devices speak it: the NetBotz 3xx/4xx/5xx appliances. Monitoring tools (check_netbotz,
LibreNMS) read the NetBotz Rack Monitor 250 through PowerNet-MIB (enterprise 318) instead:
check a real 250 before pointing this profile at it. The demo's simulated monitors
(``telemetry.simulators.snmp.netbotz``) speak NETBOTZV2-MIB.
"""

from __future__ import annotations

from telemetry.collectors.profiles.snmp_shapes import Metric, Profile, Table

NETBOTZ = "1.3.6.1.4.1.5528.100.4.1"  # netBotzNumericSensors
TEMP, HUMI, DEW, AIR = (f"{NETBOTZ}.{n}.1" for n in (1, 2, 3, 5))  # the tables' entries

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
MEANINGS = {
    "env_temperature_celsius": (
        "Air temperature at a probe. Component `inlet` or `outlet` where the probe's label "
        "says which side of the rack it reads (front door: inlet, the ASHRAE point; rear "
        "door: outlet), else `sensor:<label>`."
    ),
    "env_humidity_percent": "Relative humidity at a probe (component as for temperature).",
    "env_dew_point_celsius": (
        "Dew point at a probe, as the monitor computes it (ASHRAE's humidity limits are dew "
        "points)."
    ),
    "env_air_speed_meters_per_second": "Speed of the air past an airflow probe.",
}


def _tenths(name: str, unit: str, column: str, lo: float, hi: float, scale=0.1) -> Metric:
    return Metric(name, unit, f"{column}.2", scale=scale, low=lo, high=hi)


def _table(entry: str, metric: Metric) -> Table:
    return Table(
        component="sensor:{label|index}",
        text={"label": f"{entry}.4"},
        side="label",
        metrics=(metric,),
    )


NETBOTZ_V2 = Profile(
    "netbotz_v2",
    "NetBotz NETBOTZV2-MIB: temperature, humidity, dew point and airflow probes, in tenths; "
    "a probe labelled by rack side reads as component inlet or outlet.",
    tables=(
        # tempSensorValue: Integer32 (-500..1000), tenths of a degree Celsius
        _table(TEMP, _tenths("env_temperature_celsius", "celsius", TEMP, -50, 100)),
        # humiSensorValue: Integer32 (0..1000), tenths of a percent relative humidity
        _table(HUMI, _tenths("env_humidity_percent", "percent", HUMI, 0, 100)),
        # dewPointSensorValue: Integer32 (-500..1000), tenths of a degree Celsius
        _table(DEW, _tenths("env_dew_point_celsius", "celsius", DEW, -50, 100)),
        # airFlowSensorValue: Integer32 (0..10000), tenths of a metre per minute
        _table(
            AIR,
            _tenths(
                "env_air_speed_meters_per_second", "meters_per_second", AIR, 0, 1000 / 60, 0.1 / 60
            ),
        ),
    ),
    meanings=MEANINGS,
)

PROFILES = (NETBOTZ_V2,)
