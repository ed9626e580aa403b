"""Every task of every app runs under the poison-message guard (the Celery app's default
task class) with time limits of its own, and none may outlive the broker's visibility
timeout: past it, Redis hands the still-running message to another worker (ADR 0028)."""

from django.conf import settings

from dcim.celery import app
from telemetry.dead_letters import GuardedTask

APPS = ("telemetry.", "dcim.", "energy.", "maintenance.", "availability.")


def test_every_task_is_guarded_and_limited_within_the_visibility_timeout():
    app.loader.import_default_modules()
    # The product's tasks live in its apps' tasks modules (tests register their own).
    names = sorted(
        n
        for n, t in app.tasks.items()
        if n.startswith(APPS) and t.run.__module__.endswith(".tasks")
    )
    assert len(names) == 13, names  # five of telemetry, eight of the pages
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for name in names:
        task = app.tasks[name]
        assert isinstance(task, GuardedTask), name
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert 0 < soft < hard < visibility, (name, soft, hard)
