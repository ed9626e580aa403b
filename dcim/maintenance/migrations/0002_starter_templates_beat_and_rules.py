"""Starter checklist templates, the two beat entries, and the lifecycle alert rules (rows
created once; an admin's edits stay).

Templates follow common practice (REFERENCE.md "Maintenance"; NFPA 110 for generators:
weekly inspection, a monthly 30-minute run at ≥ 30 % of nameplate load with ATS transfer,
an annual load bank where the monthly runs cannot reach 30 %). "measure" items carry the
unit the technician reads.

Rules: a warranty within 30 days and an end of life within 90 days notify through the
alert channels (``dcim.maintenance.lifecycle`` writes the readings daily).
"""

import json

from django.db import migrations

GENERATE = "maintenance: generate windows from schedules"
LIFECYCLE = "maintenance: warranty and end-of-life readings"
C, M = "check", "measure"

# name, suggested RRULE, minutes, description, [(text, kind, unit)]
TEMPLATES = [
    ("UPS preventive maintenance (semi-annual)", "FREQ=MONTHLY;INTERVAL=6", 240,
     "Vendor or in-house PM of a double-conversion UPS; the load runs on bypass or the "
     "other UPS meanwhile.", [
        ("Read the alarm and event log; note active alarms", C, ""),
        ("Input voltage, L1-L2", M, "V"),
        ("Output voltage, L1-L2", M, "V"),
        ("Output load", M, "%"),
        ("DC bus voltage", M, "V"),
        ("Fans running, air filters clean", C, ""),
        ("Capacitors: no bulging or leaks (thermal scan)", C, ""),
        ("Transfer to bypass and back without a drop", C, ""),
        ("Firmware version recorded", C, ""),
    ]),
    ("UPS batteries (quarterly)", "FREQ=MONTHLY;INTERVAL=3", 120,
     "VRLA battery strings: float voltage, internal resistance (±20 % of baseline means "
     "replace), temperature, terminals.", [
        ("String float voltage", M, "V"),
        ("Highest cell internal resistance", M, "mΩ"),
        ("Battery room temperature", M, "°C"),
        ("No swelling, cracks or leaks", C, ""),
        ("Terminal torque checked", C, ""),
    ]),
    ("Generator weekly inspection", "FREQ=WEEKLY", 30,
     "NFPA 110 weekly inspection, engine not run.", [
        ("Fuel level", M, "%"),
        ("Coolant level and block heater on", C, ""),
        ("Oil level", C, ""),
        ("Starting battery charger voltage", M, "V"),
        ("No leaks; controller in AUTO", C, ""),
    ]),
    ("Generator monthly run, 30 min at ≥ 30 % load", "FREQ=MONTHLY", 60,
     "NFPA 110 monthly exercise under load with ATS transfer: at least 30 minutes at 30 % "
     "or more of the nameplate kW (or the exhaust temperature the maker names).", [
        ("ATS transfers to generator", C, ""),
        ("Run time under load", M, "min"),
        ("Load during the run (≥ 30 % of nameplate)", M, "%"),
        ("Output frequency", M, "Hz"),
        ("Exhaust gas temperature", M, "°C"),
        ("ATS retransfers to utility; cool-down completed", C, ""),
    ]),
    ("Generator annual load bank", "FREQ=YEARLY", 240,
     "NFPA 110 annual load bank test where the monthly runs could not reach 30 % load: "
     "30 min at 50 %, then 60 min at 75 %.", [
        ("30 min at 50 % load completed", C, ""),
        ("60 min at 75 % load completed", C, ""),
        ("Voltage at 75 % load", M, "V"),
        ("Frequency at 75 % load", M, "Hz"),
        ("No wet stacking, no alarms", C, ""),
    ]),
    ("CRAH filters", "FREQ=MONTHLY;INTERVAL=3", 60,
     "Filter change of a CRAH; the room's other units carry the load (N+1).", [
        ("Filter differential pressure before", M, "Pa"),
        ("Filters replaced", C, ""),
        ("Filter differential pressure after", M, "Pa"),
        ("Condensate drain clear", C, ""),
        ("Supply air temperature after restart", M, "°C"),
    ]),
    ("GPU server firmware", "FREQ=MONTHLY;INTERVAL=3", 180,
     "BMC, BIOS, GPU VBIOS and NVSwitch firmware to the validated bundle; jobs drained first.", [
        ("Node drained from the scheduler", C, ""),
        ("BMC and BIOS at the validated versions", C, ""),
        ("GPU VBIOS and NVSwitch firmware at the validated versions", C, ""),
        ("DCGM diagnostics level 3 passed", C, ""),
        ("Node returned to the scheduler", C, ""),
    ]),
]

RULES = [
    ("Warranty ends within 30 days", "maintenance_warranty_days_remaining", 30,
     "{{ labels.device }}: warranty ends in {{ value|floatformat:0 }} days",
     "Days until the device's warranty ends (Device.warranty_end), written daily. Renew "
     "or plan the replacement before support ends."),
    ("End of life within 90 days", "maintenance_end_of_life_days_remaining", 90,
     "{{ labels.device }}: its type reaches end of life in {{ value|floatformat:0 }} days",
     "Days until the end of life of the device's type (DeviceType.end_of_life), written "
     "daily. 90 days is about one procurement cycle."),
]


def create(apps, schema_editor):
    Template = apps.get_model("maintenance", "ChecklistTemplate")
    Item = apps.get_model("maintenance", "ChecklistTemplateItem")
    for name, rule, minutes, description, items in TEMPLATES:
        template, made = Template.objects.get_or_create(
            name=name,
            defaults={"suggested_rrule": rule, "duration_minutes": minutes,
                      "description": description},
        )
        if made:
            Item.objects.bulk_create(
                Item(template=template, position=i, text=t, kind=k, unit=u)
                for i, (t, k, u) in enumerate(items, 1)
            )
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    Task = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, period in (
        (GENERATE, "maintenance.generate_windows", 1, "hours"),
        (LIFECYCLE, "maintenance.lifecycle_notices", 1, "days"),
    ):
        interval, _ = Interval.objects.get_or_create(every=every, period=period)
        Task.objects.get_or_create(
            name=name,
            defaults={"task": task, "interval": interval, "queue": "celery",
                      "kwargs": json.dumps({}),
                      "description": "Created by the maintenance migration; edit freely."},
        )
    Rule = apps.get_model("alerts", "Rule")
    for name, metric, days, summary, description in RULES:
        Rule.objects.get_or_create(
            name=name,
            defaults=dict(metric=metric, condition="lt", threshold=days, severity="warning",
                          summary_template=summary, description=description, builtin=True),
        )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[GENERATE, LIFECYCLE]
    ).delete()
    apps.get_model("alerts", "Rule").objects.filter(
        builtin=True, name__in=[r[0] for r in RULES]
    ).delete()
    apps.get_model("maintenance", "ChecklistTemplate").objects.filter(
        name__in=[t[0] for t in TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("maintenance", "0001_initial"),
        ("alerts", "0004_ashrae_inlet_component"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
