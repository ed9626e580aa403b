"""What a piece of work takes down: the named assets and everything they carry.

One function for suppression, coverage and the safety check, so the three never disagree:

- a device: itself, and when it is a UPS or PDU, what its outlets and panels power;
- a rack: its devices; a room: its devices;
- a power panel: its feeds; a feed: the devices whose power ports it feeds, and down the
  chain (PDU outlets → the devices plugged in, UPS → the panels it feeds), at most
  ``MAX_DEPTH`` steps (real chains are 2–4 long; the bound stops a loop entered by mistake);
- a cooling unit: itself is taken down; the room it cools (its room) is *affected*: the
  room's devices may heat up, so their alerts are held back and the time counts as planned,
  but they are not taken down (the safety check must not count the room's other CRAHs
  as lost).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache

from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device, PowerFeed, PowerPanel, PowerPort

MAX_DEPTH = 6
CACHE_S = 60


@dataclass
class Expansion:
    """Device ids taken down, device ids affected (a superset), and feed ids cut."""

    down: set[int] = field(default_factory=set)
    affected: set[int] = field(default_factory=set)
    feeds: set[int] = field(default_factory=set)


def expand_ids(
    devices: Iterable[int] = (),
    racks: Iterable[int] = (),
    rooms: Iterable[int] = (),
    power_panels: Iterable[int] = (),
    power_feeds: Iterable[int] = (),
    cooling_units: Iterable[int] = (),
) -> Expansion:
    """Expand named asset ids into the devices they take down and affect."""
    racks, rooms, cooling = set(racks), set(rooms), set(cooling_units)
    down = set(devices) | cooling
    if racks:
        down |= set(Device.objects.filter(rack_id__in=racks).values_list("pk", flat=True))
    if rooms:
        down |= set(Device.objects.filter(room_id__in=rooms).values_list("pk", flat=True))
    feeds = set(power_feeds)
    if power_panels:
        feeds |= set(
            PowerFeed.objects.filter(panel_id__in=set(power_panels)).values_list("pk", flat=True)
        )
    down, feeds = _down_the_chain(down, feeds)
    affected = set(down)
    cooled_rooms = set(
        Device.objects.filter(pk__in=cooling, room__isnull=False).values_list("room_id", flat=True)
    )
    if cooled_rooms:
        affected |= set(
            Device.objects.filter(room_id__in=cooled_rooms).values_list("pk", flat=True)
        )
    return Expansion(down=down, affected=affected, feeds=feeds)


def _down_the_chain(down: set[int], feeds: set[int]) -> tuple[set[int], set[int]]:
    """Follow the power chain from cut feeds and from sources (UPS, PDU) that are down."""
    frontier_devices, frontier_feeds = set(down), set(feeds)
    for _ in range(MAX_DEPTH):
        if not frontier_devices and not frontier_feeds:
            break
        sources = set(
            Device.objects.filter(
                pk__in=frontier_devices, role__in=[DeviceRole.PDU, DeviceRole.UPS]
            ).values_list("pk", flat=True)
        )
        new_feeds = set()
        if sources:
            panels = PowerPanel.objects.filter(upstream_device_id__in=sources)
            new_feeds = set(PowerFeed.objects.filter(panel__in=panels).values_list("pk", flat=True))
        new_feeds -= feeds
        feeds |= new_feeds
        powered = PowerPort.objects.filter(feed_id__in=frontier_feeds | new_feeds)
        plugged = PowerPort.objects.filter(outlet__device_id__in=sources) if sources else None
        ids = set(powered.values_list("device_id", flat=True))
        if plugged is not None:
            ids |= set(plugged.values_list("device_id", flat=True))
        frontier_devices, frontier_feeds = ids - down, set()
        down |= frontier_devices
    return down, feeds


def expand(obj) -> Expansion:
    """Expand a window or schedule (anything with ``asset_ids()``), cached for
    ``CACHE_S``: alerting asks once per notice and pages once per window shown, and an
    expansion costs 5–15 queries; a cabling change shows within a minute."""
    ids = obj.asset_ids()
    key = (
        "maintenance:expand:"
        + hashlib.sha256(repr(sorted((k, sorted(v)) for k, v in ids.items())).encode()).hexdigest()
    )
    hit = cache.get(key)
    if hit is None:
        hit = expand_ids(**ids)
        cache.set(key, hit, CACHE_S)
    return hit
