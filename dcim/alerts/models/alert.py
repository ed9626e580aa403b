"""Alerts and their history: every state change is a row (the Healthchecks way).

The transitions live on ``Alert`` (``open``, ``fire``, ``resolve``, ``acknowledge``...),
each changing the fields and writing its ``AlertEvent`` in one place, so the history cannot
drift from the state. The engine only decides which transition a reading or a tick calls for.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from dcim.alerts.models.choices import (
    OPEN_STATES,
    EventKind,
    NotificationStatus,
    Severity,
    State,
)
from dcim.alerts.models.rule import Rule

if TYPE_CHECKING:
    from dcim.alerts.models.channel import Notification
    from dcim.alerts.models.silence import Silence


class Alert(models.Model):
    """One episode of a rule's condition on one subject: pending → firing → resolved.

    ``subject_key`` is the dedup key with the rule: "<device>/<component>" for metric rules,
    "target:<id>" for collector rules. At most one open (pending or firing) alert exists
    per rule and subject; when it resolves, the next episode is a new row.
    """

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="alerts")
    subject_key = models.CharField(max_length=200)
    subject_label = models.CharField(max_length=200)
    device = models.ForeignKey(
        "inventory.Device", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    component = models.CharField(max_length=120, blank=True)
    target = models.ForeignKey(
        "telemetry.CollectionTarget",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    value = models.FloatField(null=True, blank=True)
    value_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(help_text="When the condition became true.")
    fired_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    cleared_since = models.DateTimeField(
        null=True, blank=True, help_text="Firing, but the condition is false since then."
    )
    summary = models.TextField(blank=True)
    labels = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ack_comment = models.CharField("acknowledgement comment", max_length=500, blank=True)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key"],
                condition=Q(state__in=["pending", "firing"]),
                name="alert_one_open_per_rule_subject",
            )
        ]
        indexes = [
            models.Index(fields=["state", "severity"], name="alert_state_severity"),
            models.Index(fields=["subject_key", "rule"], name="alert_subject_rule"),
            models.Index(fields=["-started_at"], name="alert_started"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.name} on {self.subject_label} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    # -- the lifecycle: pending → firing → resolved ---------------------------------------
    #
    # The engine decides what happens (the condition holds, its duration elapsed, the
    # keep-firing period ran out); these methods make it happen: they change the fields and
    # write the history row together, so the row always says what the alert did. Given a
    # ``batch`` (``AlertBatch``) they only record the change, and the batch writes every
    # change of an evaluation in three bulk queries: the engine runs on every ingest.

    @classmethod
    def open(
        cls,
        at: datetime,
        value: float | None,
        *,
        rule_id: int,
        subject_key: str,
        subject_label: str,
        severity: str,
        device_id: int | None = None,
        component: str = "",
        target_id: int | None = None,
        labels: dict | None = None,
        summary: str = "",
        batch: AlertBatch | None = None,
    ) -> Alert:
        """A new episode: the condition became true at ``at``, so the alert starts pending.

        Pending even for a rule with no duration (the caller fires it at once): the history
        then shows when the condition began as well as when the alert fired.
        """
        alert = cls(
            rule_id=rule_id,
            subject_key=subject_key,
            subject_label=subject_label,
            device_id=device_id,
            component=component,
            target_id=target_id,
            state=State.PENDING,
            severity=severity,
            value=value,
            value_at=at,
            started_at=at,
            summary=summary,
            labels=labels if labels is not None else {},
        )
        alert._record(EventKind.PENDING, at, value, batch=batch, fields=None)
        return alert

    def observe(
        self, at: datetime, value: float | None, holds: bool, *, batch: AlertBatch | None = None
    ) -> None:
        """The latest verdict on an open alert: its value, and whether the condition holds.

        Not a transition, so no history row: a firing alert whose condition stops holding
        stays firing and only starts its keep-firing clock (``cleared_since``), which a
        verdict that holds again stops. The caller decides whether a transition follows.
        """
        self._refuse_unless(OPEN_STATES, "take a new value")
        self.value, self.value_at = value, at
        if holds:
            self.cleared_since = None
        elif self.state == State.FIRING:
            self.cleared_since = self.cleared_since or at
        if batch is not None:
            batch.touch(self)
        else:
            self.save(update_fields=["value", "value_at", "cleared_since"])

    def fire(
        self, at: datetime, *, summary: str | None = None, batch: AlertBatch | None = None
    ) -> AlertEvent:
        """Pending → firing: the condition held for the rule's duration; notices follow.

        ``summary`` is the text rendered with the value it fires on (the pending one was
        rendered with the first value). The history row carries the value it fired on.
        """
        self._refuse_unless((State.PENDING,), "fire")
        self.state, self.fired_at, self.cleared_since = State.FIRING, at, None
        if summary is not None:
            self.summary = summary
        return self._record(
            EventKind.FIRING,
            at,
            self.value,
            batch=batch,
            fields=["state", "fired_at", "cleared_since", "summary"],
        )

    def resolve(
        self, at: datetime, *, note: str = "", batch: AlertBatch | None = None
    ) -> AlertEvent:
        """Pending or firing → resolved: the episode is over, and the row is kept as history.

        ``note`` says why when it is not the plain "the condition stopped holding" (cleared
        before its duration elapsed, the rule was disabled). The next breach opens a new
        alert, so a resolved one never moves again.
        """
        self._refuse_unless(OPEN_STATES, "resolve")
        self.state, self.resolved_at = State.RESOLVED, at
        return self._record(
            EventKind.RESOLVED,
            at,
            self.value,
            batch=batch,
            note=note,
            fields=["state", "resolved_at"],
        )

    # -- what people and notices do: recorded, the state is left alone --------------------

    def acknowledge(self, user, comment: str = "", at: datetime | None = None) -> AlertEvent:
        """Someone is on it: repeats stop; the alert stays recorded and keeps its state."""
        if self.acknowledged:
            raise TransitionError(f"Alert {self.pk} is already acknowledged.")
        at = at or timezone.now()
        self.acknowledged_at, self.acknowledged_by, self.ack_comment = at, user, comment[:500]
        return self._record(
            EventKind.ACKNOWLEDGED,
            at,
            None,
            user=user,
            note=comment,
            fields=["acknowledged_at", "acknowledged_by", "ack_comment"],
        )

    def unacknowledge(self, user, at: datetime | None = None) -> AlertEvent:
        """Nobody is on it after all: repeats resume; who took it back is in the history."""
        if not self.acknowledged:
            raise TransitionError(f"Alert {self.pk} is not acknowledged.")
        self.acknowledged_at, self.acknowledged_by, self.ack_comment = None, None, ""
        return self._record(
            EventKind.UNACKNOWLEDGED,
            at or timezone.now(),
            None,
            user=user,
            fields=["acknowledged_at", "acknowledged_by", "ack_comment"],
        )

    def record_silence(self, silence: Silence, user, at: datetime | None = None) -> AlertEvent:
        """Someone silenced this alert: kept in its history, because the ``Silence`` matches
        labels, names no alert, and may be expired or edited later."""
        return self._record(
            EventKind.SILENCED,
            at or timezone.now(),
            None,
            user=user,
            note=f"{silence} — {silence.reason}",
            fields=[],
        )

    def record_suppressed(self, kind: str, reason: str, at: datetime) -> AlertEvent:
        """A notice of ``kind`` was held back (silence, maintenance, acknowledgement): the
        history says why nobody was told."""
        return self._record(EventKind.SUPPRESSED, at, None, note=f"{kind}: {reason}", fields=[])

    def record_notices(self, notices: list[Notification], at: datetime) -> list[AlertEvent]:
        """Notices that went out (or failed to) on their channels: one history row each, and
        ``last_notified_at`` moved when any was sent, in one transaction."""
        events = []
        for n in notices:
            failed = n.status == NotificationStatus.FAILED
            note = f"{n.kind} to {n.channel.name}" + (f": {n.error}" if failed else "")
            kind = EventKind.NOTIFY_FAILED if failed else EventKind.NOTIFIED
            events.append(AlertEvent(alert=self, at=n.sent_at or at, kind=kind, note=note[:500]))
        with transaction.atomic():
            AlertEvent.objects.bulk_create(events)
            if any(n.status == NotificationStatus.SENT for n in notices):
                self.last_notified_at = at
                self.save(update_fields=["last_notified_at"])
        return events

    # -- helpers ---------------------------------------------------------------------------

    def _refuse_unless(self, states: tuple[str, ...], action: str) -> None:
        """Refuse a transition from a state that does not allow it: a bug in the caller
        (resolving twice would write a second "resolved" row), so it is raised, not ignored."""
        if self.state not in states:
            raise TransitionError(
                f"Alert {self.pk or '(new)'} cannot {action}: it is {self.state}, not "
                + " or ".join(str(s) for s in states)
                + "."
            )

    def _record(
        self,
        kind: str,
        at: datetime,
        value: float | None,
        *,
        fields: list[str] | None,
        batch: AlertBatch | None = None,
        user=None,
        note: str = "",
    ) -> AlertEvent:
        """The history row of a change, written with the changed ``fields`` (None: the
        whole new row) at once, or left to ``batch``."""
        event = AlertEvent(alert=self, at=at, kind=kind, value=value, user=user, note=note[:500])
        if batch is not None:
            batch.add(self, event)
            return event
        with transaction.atomic():
            if fields is None:
                self.save(force_insert=True)
            elif fields:
                self.save(update_fields=fields)
            event.save()
        return event


class TransitionError(Exception):
    """A change the alert's state does not allow, such as resolving a resolved alert."""


class AlertBatch:
    """Alert changes of one evaluation, written together: new alerts, changed ones, history.

    The engine evaluates every ingest batch and every beat tick. Saving row by row would
    cost two queries per transition; a batch costs one INSERT of new alerts, one UPDATE of
    changed ones and one INSERT of history rows, however many subjects moved. The changes
    themselves are still made by the model's methods, given ``batch=``.
    """

    # Every field a lifecycle method changes, so one bulk UPDATE carries them all.
    FIELDS = ["state", "value", "value_at", "fired_at", "resolved_at", "cleared_since", "summary"]

    def __init__(self) -> None:
        self.new: list[Alert] = []
        self._new_ids: set[int] = set()  # id() of the new ones: unsaved models have no pk
        self.changed: dict[int, Alert] = {}
        self.events: list[AlertEvent] = []

    def __bool__(self) -> bool:
        return bool(self.new or self.changed or self.events)

    def touch(self, alert: Alert) -> None:
        """Mark a saved alert changed; an unsaved one is in ``new`` and inserted whole."""
        if alert.pk is not None:
            self.changed[alert.pk] = alert
        elif id(alert) not in self._new_ids:
            self._new_ids.add(id(alert))
            self.new.append(alert)

    def add(self, alert: Alert, event: AlertEvent) -> None:
        self.touch(alert)
        self.events.append(event)

    def save(self) -> None:
        """Write everything recorded, in the caller's transaction."""
        if self.new:
            Alert.objects.bulk_create(self.new)
        if self.changed:
            Alert.objects.bulk_update(list(self.changed.values()), self.FIELDS)
        for e in self.events:
            e.alert_id = e.alert.pk
        if self.events:
            AlertEvent.objects.bulk_create(self.events)


class AlertEvent(models.Model):
    """A transition or an action on an alert, with the value and time it happened at."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    value = models.FloatField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["alert", "at"], name="alertevent_alert_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M:%S}"


class CounterMark(models.Model):
    """The last value of each counter a rate rule watches: a rate needs no sample scan,
    and every worker process sees the same previous value."""

    device_id = models.BigIntegerField(null=True)
    component = models.CharField(max_length=120)
    metric = models.CharField(max_length=120)
    ts = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device_id", "component", "metric"], name="countermark_unique_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.component}/{self.metric} = {self.value}"
