"""Live redundancy: each group's state now, the feed-loss check of 2N racks, and the
maintenance safety check "both members of an HA group".

A member counts as lost when the inventory says failed, decommissioned or in maintenance,
when its last state row says down, or when its data is stale: older than three poll
intervals of its target (``telemetry.freshness``, the rule every page uses), because a
spare nobody can see is not a spare to count on. A group is

- healthy: nothing lost;
- degraded: it lost members but no more than ``may_fail`` (it still carries the load, but
  has lost (part of) its spare);
- failed: more than ``may_fail`` lost.

A 2N rack (feeds on side A and side B) survives losing one side only if the whole rack's
draw (A + B, the latest PDU power) fits the other side's available power, which the
inventory already stores at 80 % of the breaker (NEC continuous load); the check takes
the smaller side, since either may be the one lost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from dcim.availability.models import Member, MemberState, MemberStateChange, RedundancyGroup
from dcim.inventory.choices import DeviceRole, DeviceStatus, FeedStatus
from dcim.inventory.models import Device, PowerFeed
from telemetry import freshness, store

PDU_POWER = "pdu_power_watts"
LOST_STATUSES = {
    DeviceStatus.FAILED: "failed (inventory)",
    DeviceStatus.DECOMMISSIONED: "decommissioned",
    DeviceStatus.MAINTENANCE: "in maintenance",
}
GROUP_STATES = {  # value -> (label, tone); the value is what the alert metric carries
    0: ("Healthy", "ok"),
    1: ("Degraded: lost its spare", "warn"),
    2: ("Failed", "crit"),
}


@dataclass
class MemberLive:
    member_id: int
    device_id: int
    device: str
    role: str
    state: str  # the last state row's, "" when none
    lost: str  # why it is counted as lost, "" when it is not

    @property
    def words(self) -> str:
        if self.lost:
            return self.lost.capitalize()
        return MemberState(self.state).label if self.state else "Up (no state reported)"


@dataclass
class GroupLive:
    group: RedundancyGroup
    members: list[MemberLive] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return sum(1 for m in self.members if m.lost)

    @property
    def value(self) -> int:
        if not self.lost:
            return 0
        return 1 if self.lost <= self.group.may_fail else 2

    @property
    def label(self) -> str:
        return GROUP_STATES[self.value][0]

    @property
    def tone(self) -> str:
        return GROUP_STATES[self.value][1]

    @property
    def active(self) -> str:
        return ", ".join(m.device for m in self.members if m.state == MemberState.ACTIVE)


def group_states(groups: list[RedundancyGroup], now: datetime) -> list[GroupLive]:
    """Every group's live state, in a handful of statements for all groups."""
    members = list(
        Member.objects.filter(group__in=groups)
        .select_related("device")
        .order_by("group_id", "device__name")
    )
    device_ids = [m.device_id for m in members]
    last_state = _last_states([m.pk for m in members])
    stale = freshness.stale_devices(device_ids, now)
    by_group: dict[int, GroupLive] = {g.pk: GroupLive(g) for g in groups}
    for m in members:
        state = last_state.get(m.pk, "")
        lost = LOST_STATUSES.get(m.device.status, "")
        if not lost and state == MemberState.DOWN:
            lost = "down"
        if not lost and m.device_id in stale:
            lost = "stale data"
        by_group[m.group_id].members.append(
            MemberLive(m.pk, m.device_id, m.device.name, m.get_role_display(), state, lost)
        )
    return list(by_group.values())


def _last_states(member_ids: list[int]) -> dict[int, str]:
    """Each member's newest state row (over all its signals)."""
    rows = (
        MemberStateChange.objects.filter(member_id__in=member_ids)
        .order_by("member_id", "-at", "-pk")
        .distinct("member_id")
        .values_list("member_id", "state")
    )
    return dict(rows)


@dataclass
class RackFeedCheck:
    rack_id: int
    rack: str
    room: str
    draw_w: float | None  # A + B now; None without PDU data
    side_w: dict[str, float]  # side -> available power (80 % of breaker) of its feeds
    pdu_device_id: int | None

    @property
    def one_side_w(self) -> float:
        return min(self.side_w.values())

    @property
    def ratio(self) -> float | None:
        """The rack's whole draw as a share of one side's available power."""
        if self.draw_w is None or not self.one_side_w:
            return None
        return self.draw_w / self.one_side_w

    @property
    def survives(self) -> bool | None:
        r = self.ratio
        return None if r is None else r <= 1.0


def feed_checks(site_id: int | None = None) -> list[RackFeedCheck]:
    """Every rack fed from both sides (A and B) with its one-side check."""
    # A failed feed is still one of the rack's sides; planned and offline ones are not.
    feeds = PowerFeed.objects.filter(
        rack__isnull=False, status__in=(FeedStatus.ACTIVE, FeedStatus.FAILED)
    )
    if site_id is not None:
        feeds = feeds.filter(rack__room__site_id=site_id)
    sides: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    names = {}
    for rack_id, rack, room, side, w in feeds.values_list(
        "rack_id", "rack__name", "rack__room__name", "side", "available_power_w"
    ):
        sides[rack_id][side] += w
        names[rack_id] = (rack, room)
    two_sided = [r for r, s in sides.items() if len(s) >= 2]
    pdus = defaultdict(list)
    for pk, rack_id in (
        Device.objects.filter(rack_id__in=two_sided, role=DeviceRole.PDU)
        .order_by("name")
        .values_list("pk", "rack_id")
    ):
        pdus[rack_id].append(pk)
    watts: dict[int, float] = defaultdict(float)
    for x in store.latest_many([PDU_POWER], [d for ds in pdus.values() for d in ds]):
        watts[x.device_id] += x.value
    out = []
    for rack_id in two_sided:
        measured = [d for d in pdus[rack_id] if d in watts]
        draw = sum(watts[d] for d in measured) if measured else None
        rack, room = names[rack_id]
        first_pdu = pdus[rack_id][0] if pdus[rack_id] else None
        out.append(RackFeedCheck(rack_id, rack, room, draw, dict(sides[rack_id]), first_pdu))
    out.sort(key=lambda c: (-(c.ratio or 0), c.room, c.rack))
    return out


def both_members_warning(device_ids: set[int]) -> list[str]:
    """The maintenance safety check: a window that takes down more members of a group
    than it may lose (both sides of a 2N pair, the spare and one more of an N+1 set),
    counting members already failed: the window's one is then the last one."""
    rows = Member.objects.filter(group__members__device_id__in=device_ids).values_list(
        "group_id", "device_id", "device__name", "device__status"
    )
    hit: dict[int, list[str]] = defaultdict(list)
    for group_id, device_id, name, status in rows.distinct():
        if device_id in device_ids:
            hit[group_id].append(name)
        elif status in (DeviceStatus.FAILED, DeviceStatus.DECOMMISSIONED):
            hit[group_id].append(f"{name} (already {status})")
    out = []
    for g in RedundancyGroup.objects.filter(pk__in=hit).order_by("name"):
        names = sorted(hit[g.pk])
        if len(names) > g.may_fail:
            out.append(
                f"HA group {g.name} ({g.get_kind_display()}) may lose {g.may_fail} member(s); "
                f"with this window {len(names)} are down: {', '.join(names)}."
            )
    return out
