"""The safety check before scheduling: does this work break redundancy?

Tier III "concurrently maintainable" asked of the inventory: any one component can be
taken down for planned work without taking the IT load down. Built in:

- a rack that loses both its A and its B feed (the feeds cut, or the PDUs on them down);
- a room that loses its last working cooling unit (CRAH, CRAC, CDU, chiller);

plus every check a higher app registers with ``register_safety_check`` (availability
adds "both members of an HA group"). A warning does not forbid the work: the operator
must give a reason to proceed, which is kept on the window.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from dcim.inventory.choices import COOLING_ROLES, DeviceRole, DeviceStatus
from dcim.inventory.models import Device, PowerFeed, PowerPort, Rack, Room
from dcim.maintenance.assets import Expansion, expand_ids

log = logging.getLogger(__name__)
SafetyCheck = Callable[[set[int]], list[str]]
_checks: list[SafetyCheck] = []
# A unit in these states is not cooling anything today; losing the others still counts.
NOT_WORKING = (DeviceStatus.FAILED, DeviceStatus.DECOMMISSIONED, DeviceStatus.PLANNED)


def register_safety_check(check: SafetyCheck) -> None:
    """Add a check: it receives the device ids a window would take down and returns
    warnings ([] when none). Registering the same function twice keeps one."""
    if check not in _checks:
        _checks.append(check)


def unregister_safety_check(check: SafetyCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def warnings_for(assets: dict[str, set[int]]) -> list[str]:
    """Every warning for a proposed window naming these asset ids."""
    e = expand_ids(**assets)
    out = ab_feed_warnings(e, set(assets.get("racks", ())))
    out += cooling_warnings(e.down)
    for check in list(_checks):
        try:
            out += [w for w in check(set(e.down)) if w]
        except Exception:  # a broken add-on check must not stop scheduling
            log.exception("maintenance safety check %r failed", check)
    return out


def ab_feed_warnings(e: Expansion, named_racks: set[int]) -> list[str]:
    """Racks whose every feed side (A and B) is cut, by feeds or by PDUs taken down. A rack
    named in the window itself is meant to go down, and is not warned about."""
    sides_of: dict[int, set[str]] = defaultdict(set)
    for rack_id, side in PowerFeed.objects.filter(rack__isnull=False).values_list(
        "rack_id", "side"
    ):
        sides_of[rack_id].add(side)
    cut: dict[int, set[str]] = defaultdict(set)
    for rack_id, side in PowerFeed.objects.filter(pk__in=e.feeds, rack__isnull=False).values_list(
        "rack_id", "side"
    ):
        cut[rack_id].add(side)
    pdu_ports = PowerPort.objects.filter(
        device_id__in=e.down, device__role=DeviceRole.PDU, device__rack__isnull=False
    ).select_related("device", "feed", "outlet__device")
    for port in pdu_ports:
        feed = port.upstream_feed()
        if feed is not None:
            cut[port.device.rack_id].add(feed.side)
    out = []
    names = dict(Rack.objects.filter(pk__in=cut).values_list("pk", "name"))
    for rack_id, sides in sorted(cut.items()):
        if rack_id in named_racks or len(sides_of[rack_id]) < 2:
            continue
        if sides >= sides_of[rack_id]:
            out.append(
                f"Rack {names[rack_id]} loses both its A and its B feed: every device in it "
                "goes down."
            )
    return out


def cooling_warnings(down: set[int]) -> list[str]:
    """Rooms where every working cooling unit would be down."""
    units = Device.objects.filter(role__in=sorted(COOLING_ROLES), room__isnull=False).exclude(
        status__in=NOT_WORKING
    )
    by_room: dict[int, set[int]] = defaultdict(set)
    for pk, room_id in units.values_list("pk", "room_id"):
        by_room[room_id].add(pk)
    hit = [room for room, ids in by_room.items() if ids and ids <= down]
    names = dict(Room.objects.filter(pk__in=hit).values_list("pk", "name"))
    return [
        f"Room {names[room]} loses its last working cooling unit: nothing cools it during the work."
        for room in sorted(hit)
    ]
