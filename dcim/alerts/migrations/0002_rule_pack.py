"""The built-in rule pack for AI data centers: editable rows, created once.

Sources: ASHRAE TC 9.9 (2021) thermal guidelines; NVIDIA XID catalog and NVML API
reference; NEC 210.19/210.20, 215.2 (80 % continuous load); RFC 1628 UPS-MIB; RFC 2863
IF-MIB. Thresholds are starting points: edit them in admin (a site's runtime floor, its
supply-air design temperature).
"""

from django.db import migrations

T = "{{ rule.name }}: {{ subject }} at {{ value|floatformat:1 }}"
CRITICAL_XIDS = "48,63,64,74,79,92,94,95,119,120,140"

# name, severity, fields, description
PACK = [
    ("Rack inlet outside ASHRAE recommended (18–27 °C)", "warning",
     dict(metric="env_temperature_celsius", condition="outside", threshold=18, threshold_high=27,
          for_s=300, keep_firing_for_s=300,
          summary_template="Rack inlet {{ subject }} at {{ value|floatformat:1 }} °C, outside "
                           "the ASHRAE recommended 18–27 °C"),
     "ASHRAE TC 9.9 (2021) recommended envelope for classes A1–A4, at the equipment inlet."),
    ("Rack inlet outside ASHRAE A1 allowable (15–32 °C)", "critical",
     dict(metric="env_temperature_celsius", condition="outside", threshold=15, threshold_high=32,
          for_s=60, keep_firing_for_s=300,
          summary_template="Rack inlet {{ subject }} at {{ value|floatformat:1 }} °C, outside "
                           "the ASHRAE A1 allowable 15–32 °C"),
     "ASHRAE TC 9.9 (2021) class A1 allowable envelope, at the equipment inlet."),
    ("GPU temperature near its slowdown threshold", "warning",
     dict(metric="gpu_temperature_celsius", condition="ge", threshold=-5, reference="sibling",
          reference_metric="gpu_temperature_slowdown_celsius", for_s=60, keep_firing_for_s=120,
          summary_template="{{ subject }} at {{ value|floatformat:0 }} °C, within 5 °C of its "
                           "own slowdown threshold"),
     "Within 5 °C of the GPU's own slowdown temperature, read per GPU from NVML "
     "(nvmlDeviceGetTemperatureThreshold SLOWDOWN) rather than hard-coded: it varies by SKU."),
    ("GPU critical XID error", "critical",
     dict(metric="gpu_xid_last", condition="in", values=CRITICAL_XIDS,
          summary_template="{{ subject }} reported XID {{ value|floatformat:0 }}"),
     "NVIDIA XID catalog: 48 double-bit ECC, 63 row remap recorded, 64 remap failure, 74 "
     "NVLink error, 79 fallen off the bus, 92 high single-bit ECC rate, 94 contained ECC, 95 "
     "uncontained ECC, 119/120 GSP timeout/error, 140 unrecovered ECC."),
    ("GPU uncorrected ECC error", "critical",
     dict(metric="gpu_ecc_uncorrected_volatile_total", condition="increase",
          keep_firing_for_s=3600,
          summary_template="{{ subject }}: {{ value|floatformat:0 }} new uncorrected ECC "
                           "error(s)"),
     "NVML nvmlDeviceGetTotalEccErrors (uncorrected, volatile): any rise is critical."),
    ("GPU row-remap failure", "critical",
     dict(metric="gpu_remapped_rows_failure", condition="ge", threshold=1,
          summary_template="{{ subject }}: row remapping failed — RMA candidate"),
     "NVML nvmlDeviceGetRemappedRows failure flag: the GPU could not remap a row (RMA)."),
    ("GPU lost", "critical",
     dict(metric="gpu_lost", condition="ge", threshold=1,
          summary_template="{{ subject }} is lost (NVML GPU_IS_LOST): reset or drain the node"),
     "NVML_ERROR_GPU_IS_LOST (15): the GPU no longer answers; usually with XID 79."),
    ("GPU thermal throttling sustained", "warning",
     dict(metric="gpu_clocks_event_hw_thermal_slowdown", condition="ge", threshold=1,
          for_s=120, keep_firing_for_s=120,
          summary_template="{{ subject }} clocks held down by HW thermal slowdown"),
     "NVML clocks event reason 0x40 (HW thermal slowdown) for 2 minutes or more."),
    ("GPU power brake sustained", "warning",
     dict(metric="gpu_clocks_event_hw_power_brake", condition="ge", threshold=1,
          for_s=120, keep_firing_for_s=120,
          summary_template="{{ subject }} clocks held down by the HW power brake"),
     "NVML clocks event reason 0x80 (HW power brake: external power supply limit)."),
    ("PDU above 80 % of available feed power", "warning",
     dict(metric="pdu_power_watts", condition="gt", threshold=80, reference="feed",
          for_s=300, keep_firing_for_s=300,
          summary_template="{{ subject }} draws {{ value|floatformat:0 }} W, over 80 % of its "
                           "feeds' available power"),
     "Headroom warning against the feed's available power (V × A × 80 %, NEC 210.19/215.2)."),
    ("PDU above available feed power (NEC 80 % of breaker)", "critical",
     dict(metric="pdu_power_watts", condition="gt", threshold=100, reference="feed",
          for_s=60, keep_firing_for_s=300,
          summary_template="{{ subject }} draws {{ value|floatformat:0 }} W, past its feeds' "
                           "continuous limit"),
     "NEC 210.19/210.20, 215.2: continuous load at most 80 % of the breaker rating."),
    ("UPS on battery", "critical",
     dict(metric="ups_on_battery_seconds", condition="gt", threshold=0,
          summary_template="{{ subject }} on battery for {{ value|floatformat:0 }} s"),
     "RFC 1628 UPS-MIB upsSecondsOnBattery (1.3.6.1.2.1.33.1.2.2.0) > 0."),
    ("UPS output not on mains", "warning",
     dict(metric="ups_output_source", condition="ne", threshold=3, for_s=30,
          summary_template="{{ subject }} output source {{ value|floatformat:0 }} "
                           "(3 normal, 4 bypass, 5 battery)"),
     "RFC 1628 upsOutputSource (.4.1.0): anything but normal(3) is bypass, battery or off."),
    ("UPS battery runtime low", "critical",
     dict(metric="ups_battery_runtime_seconds", condition="lt", threshold=600,
          summary_template="{{ subject }}: {{ value|floatformat:0 }} s of battery runtime left"),
     "RFC 1628 upsEstimatedMinutesRemaining below the site's runtime floor (10 min default)."),
    ("Switch port down", "warning",
     dict(metric="if_oper_status", condition="gt", threshold=0, reference="sibling",
          reference_metric="if_admin_status", for_s=60, keep_firing_for_s=60,
          summary_template="{{ subject }} is down while administratively up"),
     "IF-MIB (RFC 2863): ifAdminStatus up(1) and ifOperStatus not up: oper − admin > 0."),
    ("Switch port input errors", "warning",
     dict(metric="if_in_errors_total", condition="rate_gt", threshold=1, keep_firing_for_s=300,
          summary_template="{{ subject }}: {{ value|floatformat:1 }} input errors/s"),
     "IF-MIB ifInErrors (.2.2.1.14) rate above 1 per second."),
    ("CRAH supply air high", "warning",
     dict(metric="cooling_supply_air_temperature_celsius", condition="gt", threshold=27,
          for_s=120, keep_firing_for_s=300,
          summary_template="{{ subject }} supplying air at {{ value|floatformat:1 }} °C"),
     "Supply air above the ASHRAE recommended inlet maximum (27 °C) cannot keep inlets in "
     "range."),
    ("Cooling unit alarm", "warning",
     dict(metric="cooling_alarm_active", condition="ge", threshold=1,
          summary_template="{{ subject }}: alarm active"),
     "An alarm bit of the cooling unit's Modbus alarm word (vendor register map)."),
    ("Collector failing", "warning",
     dict(source="collector", threshold=3, condition="ge",
          summary_template="{{ subject }}: {{ value|floatformat:0 }} polls failed in a row"),
     "A collection target failed 3 polls running: its data is stale and its alerts blind."),
    ("GPU telemetry stopped", "warning",
     dict(metric="gpu_temperature_celsius", condition="absent", absent_for_s=600,
          summary_template="No GPU temperature from {{ subject }} for 10 minutes"),
     "Absence of data: a GPU series silent for 10 minutes (host agent or NVML down)."),
]


def load(apps, schema_editor):
    Rule = apps.get_model("alerts", "Rule")
    for name, severity, fields, description in PACK:
        Rule.objects.get_or_create(
            name=name,
            defaults=dict(fields, severity=severity, description=description, builtin=True),
        )


def unload(apps, schema_editor):
    apps.get_model("alerts", "Rule").objects.filter(
        builtin=True, name__in=[p[0] for p in PACK]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
