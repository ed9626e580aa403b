"""The beat entry that fires due subscriptions every minute (editable in admin)."""

import json

from django.db import migrations

SCHEDULE = "reports: send the reports that are due"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=SCHEDULE,
        defaults={
            "task": "dcim.reports.tasks.tick",
            "interval": interval,
            "queue": "celery",
            "kwargs": json.dumps({}),
            "expire_seconds": 60,  # the next tick does the same work
            "description": "Created by the reports migration; edit freely.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
