"""The ledger's beat entry, and energy's two built-in alert rules (editable rows, created
once; an admin's edit stays).

The rules judge the readings ``dcim.energy.alerting`` writes after each ledger run, so
they are inert until meters report: shipped enabled. Both values already span 24 hours,
so the rules fire on the first value past the threshold (no further duration) and keep
firing for an hour once it is back, so that a value hovering at the threshold does not
page at every 5-minute run.

- PUE above 1.6: just above the industry average (1.56–1.58, Uptime Institute surveys
  2023–2024), far above what a modern AI hall is designed for; a site's own target is
  set in admin.
- Coverage below 90 %: warns before a figure is withheld (``ENERGY_MIN_COVERAGE``, 80 %
  by default), while the gap can still be found and filled.
"""

import json

from django.db import migrations

SCHEDULE = "energy: update the ledger, then energy alerts"
PUE = "PUE above 1.6 over 24 h"
COVERAGE = "Meter coverage below 90 % over 24 h"

# name, severity, fields, description
RULES = [
    (
        PUE,
        "warning",
        dict(
            metric="energy_pue_ratio",
            condition="gt",
            threshold=1.6,
            keep_firing_for_s=3600,
            summary_template="{{ labels.site|default:subject }}: PUE "
            "{{ value|floatformat:2 }} over the last 24 h, above {{ threshold }}",
        ),
        "PUE (ISO/IEC 30134-2: facility energy / IT energy) over the trailing 24 complete "
        "hours, from the energy ledger, only when the meters covered enough of the day. "
        "1.6 is just above the industry average (1.56–1.58, Uptime Institute 2023–2024); "
        "set your site's target here.",
    ),
    (
        COVERAGE,
        "warning",
        dict(
            metric="energy_meter_coverage_ratio",
            condition="lt",
            threshold=0.9,
            keep_firing_for_s=3600,
            summary_template="Energy meter {{ component|slice:'6:' }} on {{ labels.device }}: "
            "data covers {% widthratio value 1 100 %} % of the last 24 h",
        ),
        "The share of the trailing 24 complete hours an energy meter's data covers. Below "
        "90 % its PUE figures are close to being withheld (80 %): find and fill the gap "
        "(agent cut off, meter unreachable, series renamed).",
    ),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE,
        defaults={
            "task": "energy.update_ledger",
            "interval": interval,
            "queue": "celery",
            "kwargs": json.dumps({}),
            "expire_seconds": 300,  # a run that waited past the next one is not needed
            "description": "Created by the energy migration; edit freely.",
        },
    )
    Rule = apps.get_model("alerts", "Rule")
    for name, severity, fields, description in RULES:
        Rule.objects.get_or_create(
            name=name,
            defaults=dict(fields, severity=severity, description=description, builtin=True),
        )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE).delete()
    apps.get_model("alerts", "Rule").objects.filter(
        builtin=True, name__in=[r[0] for r in RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("energy", "0001_initial"),
        ("alerts", "0004_ashrae_inlet_component"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
