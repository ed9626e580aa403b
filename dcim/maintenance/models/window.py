"""A maintenance window: planned work on named assets, with its own life cycle."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from dcim.maintenance.choices import OPEN_STATES, WindowKind, WindowState
from dcim.maintenance.models.assets import AffectedAssets


class TransitionError(Exception):
    """A state change the window's life cycle does not allow (e.g. finishing a cancelled one)."""


class MaintenanceWindow(AffectedAssets):
    """Planned work: from ``starts_at`` to ``ends_at`` (stored UTC, shown in the site's zone).

    While a window is not cancelled, alerts on the devices it affects (directly or through
    what carries them: ``dcim.maintenance.assets``) are recorded but not notified, and its
    interval counts as planned downtime for availability figures. A started or finished
    window records when it actually started and ended; those times then count instead of
    the planned ones, because the work, not the plan, is what took the assets down.
    """

    site = models.ForeignKey(
        "inventory.Site", on_delete=models.PROTECT, related_name="maintenance_windows"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=16, choices=WindowKind.choices, default=WindowKind.PREVENTIVE
    )
    state = models.CharField(
        max_length=16, choices=WindowState.choices, default=WindowState.SCHEDULED, db_index=True
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True)
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    vendor = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True, help_text="Name, phone or e-mail.")
    work_order_number = models.CharField("work-order number", max_length=64, blank=True)
    notes = models.TextField(blank=True)
    safety_warnings = models.TextField(
        blank=True, help_text="What the safety check warned when the window was scheduled."
    )
    safety_reason = models.TextField(
        blank=True, help_text="Why the work goes ahead despite the safety warnings."
    )
    schedule = models.ForeignKey(
        "maintenance.Schedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="windows",
    )
    occurrence = models.DateTimeField(
        null=True, blank=True, help_text="The schedule's occurrence this window was made for."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=AffectedAssets.ASSET_FIELDS)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="maintenancewindow_ends_after_start",
                violation_error_message="A window must end after it starts.",
            ),
            # One window per occurrence of a schedule: generation may run twice.
            models.UniqueConstraint(
                fields=["schedule", "occurrence"], name="maintenancewindow_one_per_occurrence"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def effective_start(self) -> datetime:
        return self.actual_start or self.starts_at

    @property
    def effective_end(self) -> datetime:
        """When the assets are back: the recorded end, or the planned end (an in-progress
        window overrunning its plan is still in maintenance until it is finished)."""
        if self.actual_end:
            return self.actual_end
        if self.state == WindowState.IN_PROGRESS:
            return max(self.ends_at, timezone.now())
        return self.ends_at

    def is_overdue(self, now: datetime) -> bool:
        """Past its planned end and not finished (never started, or still running)."""
        return self.state in OPEN_STATES and self.ends_at < now

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A window must end after it starts."})

    def start(self, at: datetime | None = None) -> None:
        self._refuse_unless((WindowState.SCHEDULED,), "start")
        self.state, self.actual_start = WindowState.IN_PROGRESS, at or timezone.now()
        self.save()

    def finish(self, at: datetime | None = None) -> None:
        self._refuse_unless((WindowState.SCHEDULED, WindowState.IN_PROGRESS), "finish")
        at = at or timezone.now()
        self.actual_start = self.actual_start or min(at, self.starts_at)
        self.state, self.actual_end = WindowState.DONE, at
        self.save()

    def cancel(self) -> None:
        self._refuse_unless((WindowState.SCHEDULED, WindowState.IN_PROGRESS), "cancel")
        self.state = WindowState.CANCELLED
        if self.actual_start:
            self.actual_end = timezone.now()
        self.save()

    def _refuse_unless(self, states: tuple[str, ...], action: str) -> None:
        if self.state not in states:
            done = {"start": "started", "finish": "finished", "cancel": "cancelled"}[action]
            raise TransitionError(f"A {self.get_state_display().lower()} window cannot be {done}.")
