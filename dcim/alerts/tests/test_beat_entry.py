"""The alerting tick's beat entry sends it to the ``alerts`` queue: a beat entry's queue
overrides the task route, and the tick must not wait behind polls on the default queue."""

from django_celery_beat.models import PeriodicTask


def test_the_tick_runs_on_the_alerts_queue_every_15_s(db):
    entry = PeriodicTask.objects.get(task="dcim.alerts.tasks.tick")
    assert entry.queue == "alerts"
    assert (entry.interval.every, entry.interval.period) == (15, "seconds")
