"""Availability's beat entry and built-in alert rules (editable rows, created once; an
admin's edit stays).

The rules judge the derived readings ``dcim.availability.alerting`` writes every minute:

- group degraded (= 1): it still carries the load but has lost its spare; a warning,
  since the next failure is an outage. Held 2 minutes: a member's poll that fails once
  (stale for one run) should not page.
- group failed (= 2): more members lost than may fail: critical, at once.
- 2N rack would not survive losing a feed (ratio > 1): the whole rack's draw is above
  one side's available power (80 % of its breaker). Held 15 minutes and kept 30: a
  training job's power peak of a few minutes is not the design problem this flags.
- DR drill overdue, and follow-up actions overdue (> 0): warnings, kept a day once
  resolved so that a record entered and removed the same hour does not page twice.
"""

import json

from django.db import migrations

SCHEDULE = "availability: HA alerts (group state, 2N feeds, drills)"
RULES = [
    (
        "HA group degraded: lost its spare",
        "warning",
        dict(
            metric="ha_group_state",
            condition="eq",
            threshold=1,
            for_s=120,
            summary_template="HA group {{ component|slice:'6:' }} is degraded: it has lost "
            "its spare (one more failure is an outage)",
        ),
        "A redundancy group has lost members, but no more than it may lose: it still "
        "carries its load with no spare left.",
    ),
    (
        "HA group failed",
        "critical",
        dict(
            metric="ha_group_state",
            condition="eq",
            threshold=2,
            summary_template="HA group {{ component|slice:'6:' }} has failed: more members "
            "lost than it may lose",
        ),
        "A redundancy group has lost more members than it tolerates: its service is down "
        "or running without redundancy beyond its design.",
    ),
    (
        "2N rack would not survive losing a feed",
        "warning",
        dict(
            metric="ha_rack_one_feed_load_ratio",
            condition="gt",
            threshold=1.0,
            for_s=900,
            keep_firing_for_s=1800,
            summary_template="Rack {{ component|slice:'5:' }} draws "
            "{% widthratio value 1 100 %} % of one feed's available power: it would not "
            "survive losing a side",
        ),
        "A + B draw of a 2N rack against the available power (80 % of breaker, NEC "
        "continuous load) of its smaller side.",
    ),
    (
        "DR drill overdue",
        "warning",
        dict(
            metric="ha_dr_drill_overdue",
            condition="gt",
            threshold=0,
            keep_firing_for_s=86400,
            summary_template="DR plan {{ component|slice:'5:' }}: drill overdue",
        ),
        "A DR plan's scheduled drill is past its date plus grace with no drill recorded.",
    ),
    (
        "DR follow-up actions overdue",
        "warning",
        dict(
            metric="ha_dr_actions_overdue",
            condition="gt",
            threshold=0,
            keep_firing_for_s=86400,
            summary_template="DR plan {{ component|slice:'5:' }}: {{ value|floatformat:0 }} "
            "follow-up action(s) past due",
        ),
        "Follow-up actions from DR drills that are open past their due date.",
    ),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE,
        defaults={
            "task": "availability.publish_alerts",
            "interval": interval,
            "queue": "celery",
            "kwargs": json.dumps({}),
            "expire_seconds": 60,
            "description": "Created by the availability migration; edit freely.",
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
        ("availability", "0001_initial"),
        ("alerts", "0004_ashrae_inlet_component"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
