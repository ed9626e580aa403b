"""Telemetry's models: collection targets (here) and the store's series registry
(``telemetry.store.models``, re-exported so that Django finds it).

Collection targets: what to poll, how, how often, and how it went.

A target is one device reached over one protocol. Its health (last success, last error,
latency, consecutive failures) lives on the row for pages and alert rules to read, and
every change between "answering" and "failing" is kept as a ``TargetFlip`` row, from which
collector downtime is computed (the Healthchecks way).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from telemetry.collectors.catalog import unknown_profiles
from telemetry.store.models import RollupState, Series, SeriesSet


class Protocol(models.TextChoices):
    NVML = "nvml", "NVML (GPU host agent)"
    SNMP = "snmp", "SNMP"
    MODBUS = "modbus", "Modbus TCP"
    PROMETHEUS = "prometheus", "Prometheus / dcgm-exporter"


DEFAULT_PORTS = {Protocol.SNMP: 161, Protocol.MODBUS: 502, Protocol.PROMETHEUS: 9400}


class CollectionTarget(models.Model):
    """One device, one protocol: address, credentials, profile and interval.

    ``profile`` names data, not code: SNMP profile keys (comma-separated, e.g.
    "if_mib,entity_sensor"), a Modbus register map key, or for Prometheus the URL path.
    For NVML the address is the GPU host's name, and its Celery queue is ``nvml.<host>``.
    """

    device = models.ForeignKey(
        "inventory.Device", on_delete=models.CASCADE, related_name="collection_targets"
    )
    protocol = models.CharField(max_length=12, choices=Protocol.choices)
    address = models.CharField(max_length=255, help_text="IP address or host name.")
    port = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    credential = models.ForeignKey(
        "inventory.Credential", on_delete=models.PROTECT, null=True, blank=True
    )
    profile = models.CharField(max_length=200, blank=True)
    interval_s = models.PositiveIntegerField(
        "interval (s)", default=30, validators=[MinValueValidator(5), MaxValueValidator(86400)]
    )
    timeout_s = models.FloatField(
        "timeout (s)", default=2.0, validators=[MinValueValidator(0.1), MaxValueValidator(60)]
    )
    retries = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(5)])
    enabled = models.BooleanField(default=True)

    # Scheduling: the dispatcher claims due targets by moving next_poll_at forward.
    next_poll_at = models.DateTimeField(default=timezone.now)
    # Health, written after every poll.
    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_latency_ms = models.FloatField(null=True, blank=True)
    last_values = models.PositiveIntegerField(default=0)
    last_skipped = models.JSONField(default=dict, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # What the last poll found worth a person's attention (e.g. GPUs not in the inventory).
    last_report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["device__name", "protocol"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "protocol", "address", "port"],
                name="collectiontarget_unique_endpoint",
                violation_error_message="This device already has a target at that address.",
            )
        ]
        indexes = [
            # The dispatcher's query: enabled targets that are due. Disabled ones are most
            # of nothing it needs, so they stay out of the index.
            models.Index(
                fields=["protocol", "next_poll_at"],
                condition=Q(enabled=True),
                name="target_due_enabled",
            )
        ]

    def __str__(self) -> str:
        return f"{self.device} via {self.get_protocol_display()} ({self.endpoint})"

    @property
    def endpoint(self) -> str:
        port = self.port or DEFAULT_PORTS.get(self.protocol)
        return f"{self.address}:{port}" if port else self.address

    @property
    def queue(self) -> str:
        """The Celery queue its polls go to; NVML polls run on the GPU host itself."""
        if self.protocol == Protocol.NVML:
            return f"nvml.{self.address}"
        return "poll.http" if self.protocol == Protocol.PROMETHEUS else f"poll.{self.protocol}"

    @property
    def state(self) -> str:
        if not self.enabled:
            return "disabled"
        if self.last_poll_at is None:
            return "new"
        return "down" if self.consecutive_failures else "up"

    def clean(self) -> None:
        kind = self.credential.kind if self.credential_id else None
        if self.protocol == Protocol.SNMP and kind not in ("snmp_v2c", "snmp_v3"):
            raise ValidationError({"credential": "An SNMP target needs an SNMP credential."})
        if self.protocol == Protocol.MODBUS and kind != "modbus":
            raise ValidationError({"credential": "A Modbus target needs a Modbus credential."})
        if self.protocol in (Protocol.SNMP, Protocol.MODBUS) and not self.profile:
            raise ValidationError({"profile": "Name the profile (register map) to read."})
        if self.profile and (bad := unknown_profiles(self.protocol, self.profile)):
            raise ValidationError({"profile": f"Unknown profile: {', '.join(bad)}."})

    def record(
        self,
        *,
        ok: bool,
        at: datetime,
        latency_s: float,
        error: str = "",
        values: int = 0,
        skipped: dict | None = None,
        report: dict | None = None,
    ) -> None:
        """Store one poll's outcome; a change between up and down leaves a TargetFlip."""
        # None: never polled, so the first outcome always leaves a flip.
        was_up = None if self.last_poll_at is None else self.consecutive_failures == 0
        self.last_poll_at = at
        self.last_latency_ms = round(latency_s * 1000, 2)
        self.last_values = values
        self.last_skipped = dict(skipped or {})
        if report is not None:
            self.last_report = report
        if ok:
            self.last_success_at = at
            self.consecutive_failures = 0
        else:
            self.last_error_at = at
            self.last_error = error[:2000]
            self.consecutive_failures = F("consecutive_failures") + 1
        self.save(
            update_fields=[
                "last_poll_at",
                "last_latency_ms",
                "last_values",
                "last_skipped",
                "last_success_at",
                "consecutive_failures",
                "last_error_at",
                "last_error",
                "last_report",
            ]
        )
        self.refresh_from_db(fields=["consecutive_failures"])
        if was_up is None or ok != was_up:
            TargetFlip.objects.create(target=self, at=at, up=ok, error="" if ok else error[:500])


class TargetFlip(models.Model):
    """A target changed between answering and failing: the history downtime comes from."""

    target = models.ForeignKey(CollectionTarget, on_delete=models.CASCADE, related_name="flips")
    at = models.DateTimeField()
    up = models.BooleanField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["target", "-at"], name="flip_target_at")]

    def __str__(self) -> str:
        return f"{self.target} {'up' if self.up else 'down'} at {self.at:%Y-%m-%d %H:%M:%S}"


def downtime(target: CollectionTarget, start: datetime, end: datetime) -> timedelta:
    """How long the target was failing between start and end, from its flips."""
    flips = list(target.flips.filter(at__lt=end).order_by("at"))
    before = [f for f in flips if f.at <= start]
    down_since = start if before and not before[-1].up else None
    total = timedelta(0)
    for flip in (f for f in flips if f.at > start):
        if not flip.up and down_since is None:
            down_since = flip.at
        elif flip.up and down_since is not None:
            total += flip.at - down_since
            down_since = None
    if down_since is not None:
        total += end - down_since
    return total


__all__ = [
    "CollectionTarget",
    "Protocol",
    "RollupState",
    "Series",
    "SeriesSet",
    "TargetFlip",
    "downtime",
]


class DeadLetterReason(models.TextChoices):
    FAILED = "failed", "failed too many times"
    UNDECODABLE = "undecodable", "payload could not be decoded"
    REFUSED = "refused", "refused: not signed by the agent of its own host"


class DeadLetter(models.Model):
    """A task message given up on instead of retried forever (telemetry.dead_letters).

    With late acknowledgement a message that kills its worker, or keeps failing, would
    come back for ever and hold a worker each time; after a few tries it is written here,
    with what it carried, for an Admin to read in Django admin, and acknowledged.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    task = models.CharField(max_length=200)
    task_id = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=20, choices=DeadLetterReason.choices)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    payload = models.TextField(
        blank=True, help_text="The task's arguments, cut at 20,000 characters."
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.task} {self.reason} at {self.at:%Y-%m-%d %H:%M:%S}"
