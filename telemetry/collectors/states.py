"""The words of each state metric's codes: what ``if_oper_status 2`` or ``gpu_lost 1`` says.

Part of the metric catalog (``Metric.states`` reads it): pages, charts and alerts show the
word, never the code, and they take it from here so a port that is down reads "down" on
the device page, on the chart's axis and in the alert alike. Codes follow the sources
cited in each metric's meaning (IF-MIB, RFC 1628 UPS-MIB, APC PowerNet, the Modbus maps).

A ``bool`` metric with no entry reads no/yes; a ``bitmask`` entry names bits, not codes.
"""

from __future__ import annotations

BOOL = {0: "no", 1: "yes"}
_LOAD = {1: "low", 2: "normal", 3: "near overload", 4: "overload"}
_CLOCK_EVENT = {0: "inactive", 1: "active"}
_COMPRESSOR = {0: "off", 1: "running", 2: "fault", 3: "locked out"}
_VRRP = {1: "initialize", 2: "backup", 3: "master"}

STATES: dict[str, dict[int, str]] = {
    # IF-MIB (RFC 2863) ifAdminStatus / ifOperStatus.
    "if_admin_status": {1: "up", 2: "down", 3: "testing"},
    "if_oper_status": {
        1: "up",
        2: "down",
        3: "testing",
        4: "unknown",
        5: "dormant",
        6: "not present",
        7: "lower layer down",
    },
    # ENTITY-SENSOR-MIB truthvalue sensors.
    "sensor_truth_value": {1: "yes", 2: "no"},
    # RFC 1628 upsBatteryStatus and upsOutputSource.
    "ups_battery_status": {1: "unknown", 2: "normal", 3: "low", 4: "depleted"},
    "ups_output_source": {
        1: "other",
        2: "none",
        3: "normal",
        4: "bypass",
        5: "on battery",
        6: "booster",
        7: "reducer",
    },
    # The genset gateway's map (generator.py).
    "generator_engine_state": {
        0: "stopped",
        1: "starting",
        2: "running",
        3: "cooling down",
        4: "stopped by alarm",
    },
    "generator_breaker_state": {0: "open", 1: "closed"},
    # APC PowerNet Rack ATS.
    "ats_selected_source": {1: "source A", 2: "source B"},
    "ats_preferred_source": {1: "source A", 2: "source B", 3: "none"},
    "ats_redundancy_state": {1: "redundancy lost", 2: "fully redundant"},
    # HA pairs: KEEPALIVED-MIB VrrpState; VRRP-MIB and VRRPv3-MIB share their codes.
    "keepalived_vrrp_instance_state": {
        0: "init",
        1: "backup",
        2: "master",
        3: "fault",
        4: "unknown",
    },
    "vrrp_oper_state": _VRRP,
    "vrrpv3_oper_state": _VRRP,
    # APC rPDU2 load state (device and phase).
    "pdu_load_state": _LOAD,
    "pdu_phase_load_state": _LOAD,
    # Modbus maps (crah.py, chiller.py): the rows' notes.
    "cooling_unit_state": {0: "off", 1: "running", 2: "standby", 3: "stopped by alarm"},
    "cooling_compressor_state": _COMPRESSOR,
    "cooling_alarm_active": {0: "ok", 1: "alarm"},
    # NVML.
    "gpu_lost": {0: "ok", 1: "lost"},
    "gpu_remapped_rows_pending": {0: "none", 1: "pending"},
    "gpu_remapped_rows_failure": {0: "ok", 1: "failed"},
    "gpu_clocks_event_sw_power_cap": _CLOCK_EVENT,
    "gpu_clocks_event_hw_slowdown": _CLOCK_EVENT,
    "gpu_clocks_event_sw_thermal_slowdown": _CLOCK_EVENT,
    "gpu_clocks_event_hw_thermal_slowdown": _CLOCK_EVENT,
    "gpu_clocks_event_hw_power_brake": _CLOCK_EVENT,
    # Bits of NVML's clocks event reasons (nvmlClocksEventReason*).
    "gpu_clocks_event_reasons": {
        0x1: "GPU idle",
        0x2: "applications clocks",
        0x4: "SW power cap",
        0x8: "HW slowdown",
        0x10: "sync boost",
        0x20: "SW thermal",
        0x40: "HW thermal",
        0x80: "HW power brake",
        0x100: "display clocks",
    },
}


def words(name: str, unit: str) -> tuple[tuple[int, str], ...]:
    """The (code, word) pairs of a metric, sorted by code; () when its codes have none."""
    found = STATES.get(name) or (BOOL if unit == "bool" else {})
    return tuple(sorted(found.items()))
