"""The alerting tick runs on its own queue (``alerts``), apart from polls and ingest, so a
backlog of slow polls never delays rule evaluation (issue 15, ADR 0024). A beat entry's
queue overrides the task route, so the entry of migration 0003 is moved too, unless an
admin already chose another queue for it."""

from django.db import migrations

NAME = "alerts: tick (durations, absence, repeats)"


def to_alerts(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME, queue="celery").update(queue="alerts")


def to_celery(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME, queue="alerts").update(queue="celery")


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_ashrae_inlet_component")]

    operations = [migrations.RunPython(to_alerts, to_celery)]
