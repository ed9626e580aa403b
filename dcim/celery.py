"""The Celery app. Schedules live in the database (django-celery-beat), editable in admin."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcim.settings")

app = Celery("dcim")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
