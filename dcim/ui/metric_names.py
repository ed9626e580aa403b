"""Metric names as people read them: "pdu_energy_joules_total" is "PDU energy".

Names follow Prometheus conventions, the base unit in the name, which is right for rules
and queries and wrong on a page, where the value beside it already says "52 MWh". Pages
show the label and keep the name in the hover; rules, the JSON twins and the chart API
keep using the name.
"""

from __future__ import annotations

from dcim.ui.units import WORDS_UNITS, WORDY
from telemetry.collectors.catalog import describe

# Words of metric names as people write them; names whose words mislead, in full.
ACRONYMS = {
    "gpu": "GPU",
    "pdu": "PDU",
    "ups": "UPS",
    "ats": "ATS",
    "cdu": "CDU",
    "snmp": "SNMP",
    "sys": "system",
    "env": "environment",
    "sm": "SM",
    "ecc": "ECC",
    "xid": "XID",
    "pcie": "PCIe",
    "nvlink": "NVLink",
    "crc": "CRC",
    "dram": "DRAM",
    "hw": "HW",
    "sw": "SW",
    "if": "port",
}
LABELS = {
    "if_in_bytes_total": "Port traffic in",
    "if_out_bytes_total": "Port traffic out",
    "if_oper_status": "Port operational status",
    "ups_on_battery_seconds": "UPS time on battery",
    "gpu_xid_last": "GPU last XID",
}


def label(metric: str) -> str:
    """A metric's name as people read it, without its unit: "pdu_energy_joules_total" ->
    "PDU energy", "gpu_temperature_celsius" -> "GPU temperature". The name itself stays
    the key (alert rules, the JSON twins) and goes in the hover."""
    if metric in LABELS:
        return LABELS[metric]
    known = describe(metric)
    name = metric.removesuffix("_total")
    unit = known.unit if known else ""
    if unit and unit not in WORDY | WORDS_UNITS and name.endswith("_" + unit):
        name = name[: -len(unit) - 1]
    words = " ".join(ACRONYMS.get(w, w) for w in name.split("_") if w)
    return words[:1].upper() + words[1:]
