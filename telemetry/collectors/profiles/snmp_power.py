"""Power profiles: UPS-MIB (RFC 1628), APC PowerNet rPDU2 and Rack ATS, Raritan PDU2,
ServerTech Sentry4.

Metric names are shared across vendors so that a page can add up PDU power whatever the
brand: ``pdu_power_watts`` is a PDU's (or inlet's, or input cord's) total input power, with
the component saying which; ``pdu_energy_joules_total`` its energy counter (user-resettable
on all three: a decrease is a reset, not a wrap).
"""

from __future__ import annotations

from telemetry.collectors.profiles.snmp_shapes import Metric, Profile, Table

KWH = 3.6e6  # joules

# What each metric means (the metric catalog: rule validation, page titles, docs/metrics.md).
# The component says which part: a PDU, an inlet or input cord, a phase, an outlet, a line.
MEANINGS = {
    "ups_battery_status": "Battery condition: 1 unknown, 2 normal, 3 low, 4 depleted.",
    "ups_on_battery_seconds": "Time on battery since the last switch to it; 0 on mains.",
    "ups_battery_runtime_seconds": "Estimated time the battery can still carry the load.",
    "ups_battery_charge_percent": "Estimated battery charge, percent of full.",
    "ups_battery_voltage_volts": "Battery voltage.",
    "ups_battery_temperature_celsius": "Battery temperature (ambient, where the UPS reads that).",
    "ups_input_line_bads_total": "Times the input went out of tolerance (upsInputLineBads).",
    "ups_output_source": (
        "What feeds the output: 1 other, 2 none, 3 normal (mains), 4 bypass, 5 battery, "
        "6 booster, 7 reducer."
    ),
    "ups_output_frequency_hertz": "Output frequency.",
    "ups_alarms_present": "Number of alarms the UPS reports now.",
    "ups_input_voltage_volts": "Input voltage of one input line.",
    "ups_input_frequency_hertz": "Input frequency of one input line.",
    "ups_input_power_watts": "Real power drawn on one input line (output plus losses).",
    "ups_output_voltage_volts": "Output voltage of one output line.",
    "ups_output_current_amperes": "Output current of one output line.",
    "ups_output_power_watts": "Real power delivered on one output line.",
    "ups_output_load_percent": "Load on one output line, percent of the UPS's capacity.",
    "pdu_load_state": (
        "PDU load against its thresholds: 1 low, 2 normal, 3 near overload, 4 overload."
    ),
    "pdu_power_watts": "Total input power of the PDU, inlet or input cord (the component).",
    "pdu_energy_joules_total": (
        "Energy through the PDU, inlet or input cord since its meter was last reset "
        "(resettable by users: a decrease is a reset, not a wrap)."
    ),
    "pdu_current_amperes": "Input current of a PDU inlet.",
    "pdu_voltage_volts": "Input voltage of a PDU inlet.",
    "pdu_apparent_power_voltamperes": "Apparent power of a PDU inlet.",
    "pdu_power_factor": "Power factor of a PDU inlet: real over apparent power, 0 to 1.",
    "pdu_frequency_hertz": "Input frequency of a PDU inlet.",
    "pdu_power_utilization_percent": "Input power of a cord, percent of its rated power.",
    "pdu_phase_load_state": (
        "Phase load against its thresholds: 1 low, 2 normal, 3 near overload, 4 overload."
    ),
    "pdu_phase_current_amperes": "Current on one input phase.",
    "pdu_phase_voltage_volts": "Voltage of one input phase.",
    "pdu_phase_power_watts": "Power on one input phase.",
    "pdu_outlet_current_amperes": "Current drawn through one outlet.",
    "pdu_outlet_voltage_volts": "Voltage at one outlet.",
    "pdu_outlet_power_watts": "Power drawn through one outlet.",
    "pdu_outlet_energy_joules_total": "Energy drawn through one outlet since its meter was reset.",
    "ats_selected_source": (
        "Input the transfer switch feeds its output from: 1 source A, 2 source B "
        "(PowerNet-MIB atsStatusSelectedSource). Leaving the preferred source is a transfer."
    ),
    "ats_preferred_source": (
        "Input the transfer switch uses while both are good: 1 source A, 2 source B, 3 none "
        "(atsConfigPreferredSource)."
    ),
    "ats_redundancy_state": (
        "Whether the transfer switch could still transfer: 1 redundancy lost (one input "
        "out of tolerance), 2 fully redundant (atsStatusRedundancyState)."
    ),
    "ats_output_current_amperes": "Output current of one output bank of the transfer switch.",
    "ats_output_power_watts": "Output power of one output bank of the transfer switch.",
    "env_temperature_celsius": "Air temperature at a probe plugged into the PDU.",
    "env_humidity_percent": "Relative humidity at a probe plugged into the PDU.",
}


def gauge(name: str, unit: str, oid: str = "", scale: float = 1.0, lo=0.0, hi=None) -> Metric:
    return Metric(name, unit, oid, scale=scale, low=lo, high=hi)


def state(name: str, oid: str, lo: int, hi: int) -> Metric:
    """An enumerated code: its meaning lists the values."""
    return Metric(name, "", oid, low=lo, high=hi, state=True)


def energy(name: str, oid: str = "", scale: float = 0.1 * KWH) -> Metric:
    return Metric(name, "joules", oid, scale=scale, counter=32, low=0)


UPS_ROOT = "1.3.6.1.2.1.33.1"
UPS_MIB = Profile(
    "ups_mib",
    "UPS-MIB (RFC 1628): battery, runtime, output source and per-line output.",
    scalars=(
        # 1 unknown, 2 normal, 3 low, 4 depleted
        state("ups_battery_status", f"{UPS_ROOT}.2.1.0", 1, 4),
        gauge("ups_on_battery_seconds", "seconds", f"{UPS_ROOT}.2.2.0", hi=1e7),
        gauge("ups_battery_runtime_seconds", "seconds", f"{UPS_ROOT}.2.3.0", 60, hi=1e7),
        gauge("ups_battery_charge_percent", "percent", f"{UPS_ROOT}.2.4.0", hi=100),
        gauge("ups_battery_voltage_volts", "volts", f"{UPS_ROOT}.2.5.0", 0.1, hi=2000),
        gauge("ups_battery_temperature_celsius", "celsius", f"{UPS_ROOT}.2.7.0", lo=-40, hi=100),
        Metric("ups_input_line_bads_total", "", f"{UPS_ROOT}.3.1.0", counter=32),
        # 1 other, 2 none, 3 normal, 4 bypass, 5 battery, 6 booster, 7 reducer
        state("ups_output_source", f"{UPS_ROOT}.4.1.0", 1, 7),
        gauge("ups_output_frequency_hertz", "hertz", f"{UPS_ROOT}.4.2.0", 0.1, hi=100),
        gauge("ups_alarms_present", "", f"{UPS_ROOT}.6.1.0", hi=1000),
    ),
    tables=(
        Table(
            component="input:{index}",
            metrics=(
                gauge("ups_input_voltage_volts", "volts", f"{UPS_ROOT}.3.3.1.3", hi=1000),
                gauge("ups_input_frequency_hertz", "hertz", f"{UPS_ROOT}.3.3.1.2", 0.1, hi=100),
                # upsInputTruePower: with the output, the UPS's own losses.
                gauge("ups_input_power_watts", "watts", f"{UPS_ROOT}.3.3.1.5", hi=5e6),
            ),
        ),
        Table(
            component="output:{index}",
            metrics=(
                gauge("ups_output_voltage_volts", "volts", f"{UPS_ROOT}.4.4.1.2", hi=1000),
                gauge("ups_output_current_amperes", "amperes", f"{UPS_ROOT}.4.4.1.3", 0.1, hi=1e5),
                gauge("ups_output_power_watts", "watts", f"{UPS_ROOT}.4.4.1.4", hi=5e6),
                gauge("ups_output_load_percent", "percent", f"{UPS_ROOT}.4.4.1.5", hi=250),
            ),
        ),
    ),
    meanings=MEANINGS,
)

APC = "1.3.6.1.4.1.318.1.1.26"
# rPDU2 load state: 1 lowLoad, 2 normal, 3 nearOverload, 4 overload.
APC_RPDU2 = Profile(
    "apc_rpdu2",
    "APC PowerNet rPDU2: device power and energy, per-phase and per-outlet metering.",
    tables=(
        Table(
            component="pdu:{index}",
            metrics=(
                state("pdu_load_state", f"{APC}.4.3.1.4", 1, 4),
                gauge("pdu_power_watts", "watts", f"{APC}.4.3.1.5", 10, hi=1e5),  # 0.01 kW
                energy("pdu_energy_joules_total", f"{APC}.4.3.1.9"),  # 0.1 kWh
            ),
        ),
        Table(
            component="phase:{index}",
            metrics=(
                state("pdu_phase_load_state", f"{APC}.6.3.1.4", 1, 4),
                gauge("pdu_phase_current_amperes", "amperes", f"{APC}.6.3.1.5", 0.1, hi=400),
                gauge("pdu_phase_voltage_volts", "volts", f"{APC}.6.3.1.6", hi=500),
                gauge("pdu_phase_power_watts", "watts", f"{APC}.6.3.1.7", 10, hi=1e5),
            ),
        ),
        Table(
            component="outlet:{number|index}",
            text={"name": f"{APC}.9.4.3.1.3", "number": f"{APC}.9.4.3.1.4"},
            labels=("name",),
            metrics=(
                gauge("pdu_outlet_current_amperes", "amperes", f"{APC}.9.4.3.1.6", 0.1, hi=100),
                gauge("pdu_outlet_power_watts", "watts", f"{APC}.9.4.3.1.7", hi=2e4),
            ),
        ),
    ),
    meanings=MEANINGS,
)

APC_ATS_ROOT = "1.3.6.1.4.1.318.1.1.8"
APC_ATS = Profile(
    "apc_ats",
    "APC PowerNet Rack ATS: selected and preferred input, redundancy, output per bank.",
    scalars=(
        state("ats_selected_source", f"{APC_ATS_ROOT}.5.1.2.0", 1, 2),
        state("ats_preferred_source", f"{APC_ATS_ROOT}.4.2.0", 1, 3),
        state("ats_redundancy_state", f"{APC_ATS_ROOT}.5.1.3.0", 1, 2),
    ),
    tables=(
        Table(
            component="bank:{index}",
            metrics=(
                # atsOutputBankCurrent in tenths of an ampere, atsOutputBankPower in watts.
                gauge(
                    "ats_output_current_amperes",
                    "amperes",
                    f"{APC_ATS_ROOT}.5.4.5.1.4",
                    0.1,
                    hi=1000,
                ),
                gauge("ats_output_power_watts", "watts", f"{APC_ATS_ROOT}.5.4.5.1.15", hi=1e5),
            ),
        ),
    ),
    meanings=MEANINGS,
)

ENV_SENSOR = Profile(
    "env_sensor",
    "Temperature/humidity probes of the APC rPDU2 sensor table (AP9335T/TH on a rack PDU).",
    tables=(
        Table(
            component="sensor:{name|index}",
            text={"name": f"{APC}.10.2.2.1.3"},
            metrics=(
                gauge("env_temperature_celsius", "celsius", f"{APC}.10.2.2.1.8", 0.1, -50, 150),
                # -1 when no humidity probe is fitted: skipped as implausible.
                gauge("env_humidity_percent", "percent", f"{APC}.10.2.2.1.10", hi=100),
            ),
        ),
    ),
    meanings=MEANINGS,
)

RARITAN = "1.3.6.1.4.1.13742.6"
# PDU2-MIB sensor types; values are unsigned, divided by 10**<sensor>DecimalDigits.
_RARITAN_INLET = {
    1: gauge("pdu_current_amperes", "amperes", hi=400),
    4: gauge("pdu_voltage_volts", "volts", hi=500),
    5: gauge("pdu_power_watts", "watts", hi=1e5),
    6: gauge("pdu_apparent_power_voltamperes", "voltamperes", hi=1e5),
    7: gauge("pdu_power_factor", "", hi=1),
    8: energy("pdu_energy_joules_total", scale=3600),  # Wh
    23: gauge("pdu_frequency_hertz", "hertz", hi=100),
}
# Per pole (line) of a multi-phase inlet: index pduId.inletId.poleIndex.sensorType.
_RARITAN_POLE = {
    1: gauge("pdu_phase_current_amperes", "amperes", hi=400),
    4: gauge("pdu_phase_voltage_volts", "volts", hi=500),
}
_RARITAN_OUTLET = {
    1: gauge("pdu_outlet_current_amperes", "amperes", hi=100),
    4: gauge("pdu_outlet_voltage_volts", "volts", hi=500),
    5: gauge("pdu_outlet_power_watts", "watts", hi=2e4),
    8: energy("pdu_outlet_energy_joules_total", scale=3600),
}
RARITAN_PDU2 = Profile(
    "raritan_pdu2",
    "Raritan PDU2-MIB: inlet and outlet sensors by type, scaled by their decimal digits.",
    tables=(
        Table(
            component="inlet:{i1}",  # index: pduId.inletId.sensorType
            value=f"{RARITAN}.5.2.3.1.4",
            type_from="index:2",
            types=_RARITAN_INLET,
            decimals=f"{RARITAN}.3.3.4.1.7",
        ),
        Table(
            component="phase:{i2}",  # measurementsInletPoleSensorValue
            value=f"{RARITAN}.5.2.4.1.4",
            type_from="index:3",
            types=_RARITAN_POLE,
            decimals=f"{RARITAN}.3.3.6.1.7",  # inletPoleSensorDecimalDigits
        ),
        Table(
            component="outlet:{i1}",  # index: pduId.outletId.sensorType
            value=f"{RARITAN}.5.4.3.1.4",
            type_from="index:2",
            types=_RARITAN_OUTLET,
            decimals=f"{RARITAN}.3.5.4.1.7",
        ),
    ),
    meanings=MEANINGS,
)

ST4 = "1.3.6.1.4.1.1718.4.1"
# Sentry4 reads -1 where a value is not available: skipped as implausible (low=0).
SERVERTECH_SENTRY4 = Profile(
    "servertech_sentry4",
    "ServerTech Sentry4: input cords, phases, outlets and temperature probes.",
    tables=(
        Table(
            component="cord:{index}",  # unit.cord
            metrics=(
                gauge("pdu_power_watts", "watts", f"{ST4}.3.3.1.3", hi=1e5),
                gauge("pdu_power_utilization_percent", "percent", f"{ST4}.3.3.1.7", 0.1, hi=200),
                energy("pdu_energy_joules_total", f"{ST4}.3.3.1.10"),
            ),
        ),
        Table(
            component="phase:{index}",  # unit.cord.phase
            metrics=(
                gauge("pdu_phase_voltage_volts", "volts", f"{ST4}.5.3.1.3", 0.1, hi=500),
                gauge("pdu_phase_current_amperes", "amperes", f"{ST4}.5.3.1.6", 0.01, hi=400),
            ),
        ),
        Table(
            component="outlet:{index}",  # unit.cord.outlet
            metrics=(
                gauge("pdu_outlet_current_amperes", "amperes", f"{ST4}.8.3.1.3", 0.01, hi=100),
                gauge("pdu_outlet_power_watts", "watts", f"{ST4}.8.3.1.7", hi=2e4),
            ),
        ),
        Table(
            component="sensor:{index}",  # unit.sensor; assumes the unit reports Celsius
            metrics=(gauge("env_temperature_celsius", "celsius", f"{ST4}.9.3.1.1", 0.1, -50, 150),),
            # st4TempSensorStatus: normal(0) and the warning/alarm states carry a reading;
            # notFound(7), lost(8), readError(9) ... do not.
            status=f"{ST4}.9.3.1.2",
            status_ok=(0, 14, 15, 16, 17, 18, 19, 20),
        ),
    ),
    meanings=MEANINGS,
)

PROFILES = (UPS_MIB, APC_RPDU2, APC_ATS, ENV_SENSOR, RARITAN_PDU2, SERVERTECH_SENTRY4)
