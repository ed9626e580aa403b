"""The periodic work of telemetry, as django-celery-beat entries (editable in admin)."""

import json

from django.db import migrations

# name, task, every (seconds), queue
SCHEDULES = [
    ("telemetry: dispatch due polls", "telemetry.tasks.dispatch_polls", 5, "celery"),
    ("telemetry: rollups (5 min, 1 h)", "telemetry.tasks.rollup_store", 60, "celery"),
    ("telemetry: partitions and retention", "telemetry.tasks.maintain_store", 3600, "celery"),
]


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, every, queue in SCHEDULES:
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period="seconds")
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "queue": queue,
                "kwargs": json.dumps({}),
                "expire_seconds": max(every, 5),
                "description": "Created by telemetry's migration; edit freely.",
            },
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("telemetry", "0003_collection_targets"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
