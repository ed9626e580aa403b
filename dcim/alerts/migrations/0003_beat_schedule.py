"""The alerting beat tick, as a django-celery-beat entry (editable in admin)."""

import json

from django.db import migrations

NAME = "alerts: tick (durations, absence, repeats)"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=15, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "dcim.alerts.tasks.tick",
            "interval": interval,
            "queue": "celery",
            "kwargs": json.dumps({}),
            "expire_seconds": 15,
            "description": "Created by the alerts migration; edit freely.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_rule_pack"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
