"""The Celery app. Schedules live in the database (django-celery-beat), editable in admin.

Every task, whatever app declares it, runs under the poison-message guard
(``telemetry.dead_letters.GuardedTask``, the app's default task class): with ``acks_late``
a message that kills its worker would otherwise come back for ever (ADR 0028). The class is
named as a string so that it is imported only when the first task is built.
"""

import os

from celery import Celery

import telemetry.broker  # noqa: F401  (the Redis transport that keeps a copy: ADR 0028)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dcim.settings")

app = Celery("dcim", task_cls="telemetry.dead_letters:GuardedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
