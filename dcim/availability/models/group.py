"""Redundancy groups, their members, and each member's state changes as rows.

A member's downtime is never stored as a counter: it is computed from its state changes
(Healthchecks' Flip rows), so a figure for any past period can be recomputed, and a
correction is one edited row.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from dcim.inventory.models import Device, Site


class GroupKind(models.TextChoices):
    ACTIVE_STANDBY = "active_standby", "Active/standby"
    ACTIVE_ACTIVE = "active_active", "Active/active"
    N_PLUS_1 = "n_plus_1", "N+1"
    TWO_N = "2n", "2N"
    TWO_N_PLUS_1 = "2n_plus_1", "2(N+1)"


class MemberRole(models.TextChoices):
    ACTIVE = "active", "Active (primary)"
    STANDBY = "standby", "Standby"
    PEER = "peer", "Peer (shares the load)"
    SIDE_A = "side_a", "Side A"
    SIDE_B = "side_b", "Side B"
    SPARE = "spare", "Spare (the +1)"


class MemberState(models.TextChoices):
    """What a member is doing now, as the devices (or an Operator) report it."""

    ACTIVE = "active", "Active"
    STANDBY = "standby", "Standby"
    DEGRADED = "degraded", "Degraded (on battery or bypass)"
    DOWN = "down", "Down"


class RedundancyGroup(models.Model):
    """Devices that stand in for each other: how many of them may fail before the
    service is lost, and how fast (RTO) and with how little data loss (RPO) it must
    come back. ``may_fail`` is explicit rather than derived from the kind: a 2N pair
    tolerates one, but an N+1 set of eight CRAHs with two spares is still "N+1" to most
    people, and the figure operators act on is the count."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="redundancy_groups")
    kind = models.CharField(max_length=16, choices=GroupKind.choices)
    may_fail = models.PositiveSmallIntegerField(
        "members that may fail",
        default=1,
        help_text="How many members may be lost while the group still carries its load.",
    )
    rto = models.DurationField(
        "RTO", default=timedelta(minutes=5), help_text="Longest tolerable time to restore."
    )
    rpo = models.DurationField(
        "RPO", default=timedelta(0), help_text="Longest tolerable data loss, as time."
    )
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.pk and self.may_fail >= max(1, self.members.count()) and self.members.exists():
            raise ValidationError(
                {"may_fail": "At least one member must be left: may fail < members."}
            )


class Member(models.Model):
    """A device in a group, with its role; ``signal`` narrows which of the device's
    state readings speak for this group (a keepalived instance name, "<ifIndex>.<vrId>"),
    blank for any."""

    group = models.ForeignKey(RedundancyGroup, on_delete=models.CASCADE, related_name="members")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="ha_memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices)
    signal = models.CharField(max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "device__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "device"], name="ha_member_once_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.group.name}: {self.device.name} ({self.get_role_display()})"


class MemberStateChange(models.Model):
    """One change of a member's state (a Flip row): written only when the state differs
    from the member's last row, so repeated polls and a restarted poller add nothing."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="state_changes")
    at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=16, choices=MemberState.choices)
    source = models.CharField(
        max_length=120, blank=True, help_text="metric/component, webhook source or 'operator'."
    )
    raw_value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["member", "at", "pk"]
        indexes = [models.Index(fields=["member", "-at"], name="ha_state_member_at")]

    def __str__(self) -> str:
        return f"{self.member.device.name} {self.state} at {self.at:%Y-%m-%d %H:%M:%S}"
