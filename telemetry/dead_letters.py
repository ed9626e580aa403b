"""Poison-message guard for Celery tasks: a dead-letter record, not an endless retry.

Tasks are acknowledged late (``acks_late``), so a worker killed mid-task gets its message
back: nothing is lost. The price is that a message which itself kills the worker (or
fails every time) would come back for ever. ``GuardedTask`` counts deliveries per task id
in the shared cache; past ``MAX_DELIVERIES`` the message is written to ``DeadLetter`` and
acknowledged without running. A task that raises is retried (for the exceptions it names
in ``autoretry_for``) up to ``max_retries``, then dead-lettered too; a payload the task
cannot decode is dead-lettered at once (``Undecodable``).

It is the Celery app's default task class (dcim.celery), so every task of every app is
guarded. A retry (``self.retry``, ``autoretry_for``) is a new delivery of the same id with
``retries`` one higher: it is paid for by ``max_retries``, not by the delivery budget, so a
task that retries by design (reports' send, ``max_retries=None``) is never taken for a
poison message; and a retry is not a failure (Celery calls ``on_retry``, not
``on_failure``). ``on_failure`` runs in the worker's main process for a hard time limit,
where ``self.request`` is not the task's: it goes by the ``task_id`` it is given.
"""

from __future__ import annotations

import json
import logging

from celery import Task
from django.core.cache import cache

log = logging.getLogger(__name__)

MAX_DELIVERIES = 5
COUNT_TTL_S = 24 * 3600
MAX_PAYLOAD = 20_000


class Undecodable(Exception):
    """The task's arguments are not what it accepts: retrying cannot help."""


def payload_text(args, kwargs) -> str:
    try:
        text = json.dumps({"args": args, "kwargs": kwargs}, default=repr)
    except (TypeError, ValueError):
        text = repr((args, kwargs))
    return text.replace("\x00", "\\x00")[:MAX_PAYLOAD]


def record(task: str, task_id: str, reason: str, attempts: int, error: str, args, kwargs):
    """Write one dead letter; never raises (a broken record must not loop the message)."""
    # Imported here: this module is the app's task class, resolved before Django's apps
    # may be ready (dcim.celery).
    from telemetry.models import DeadLetter

    try:
        DeadLetter.objects.create(
            task=task[:200],
            task_id=(task_id or "")[:100],
            reason=reason,
            attempts=attempts,
            error=error.replace("\x00", "\\x00")[:5000],
            payload=payload_text(args, kwargs),
        )
    except Exception:
        log.exception("could not write a dead letter for %s %s", task, task_id)
    log.error(
        "dead letter: %s %s (%s after %d attempts): %s", task, task_id, reason, attempts, error
    )


class GuardedTask(Task):
    """Base class for tasks that must not loop on a poison message."""

    max_retries = 3

    @staticmethod
    def _key(task_id: str) -> str:
        return f"telemetry:deliveries:{task_id}"

    def __call__(self, *args, **kwargs):
        from telemetry.models import DeadLetterReason

        task_id = self.request.id
        if not task_id:  # called as a plain function
            return super().__call__(*args, **kwargs)
        key = self._key(task_id)
        cache.add(key, 0, COUNT_TTL_S)
        try:
            deliveries = cache.incr(key)
        except ValueError:  # evicted between add and incr
            deliveries = 1
        # A retry is a new delivery of the same id; it has its own budget (max_retries).
        if deliveries - (self.request.retries or 0) > MAX_DELIVERIES:
            record(
                self.name,
                task_id,
                DeadLetterReason.FAILED,
                deliveries,
                "delivered again and again without finishing (poison message?)",
                args,
                kwargs,
            )
            cache.delete(key)
            return None
        try:
            result = super().__call__(*args, **kwargs)
        except Undecodable as exc:
            record(
                self.name, task_id, DeadLetterReason.UNDECODABLE, deliveries, str(exc), args, kwargs
            )
            cache.delete(key)
            return None
        cache.delete(key)
        return result

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Called once the task has failed for good (retries spent, a time limit passed):
        keep the message. Deliveries counted so far, else the retries made, are the
        attempts (the request is not this task's when a hard time limit killed it)."""
        from telemetry.models import DeadLetterReason

        key = self._key(task_id)
        counted = cache.get(key)
        same = self.request.id == task_id
        attempts = counted or ((self.request.retries or 0) + 1 if same else 1)
        record(
            self.name,
            task_id,
            DeadLetterReason.FAILED,
            int(attempts),
            f"{type(exc).__name__}: {exc}",
            args,
            kwargs,
        )
        cache.delete(key)
