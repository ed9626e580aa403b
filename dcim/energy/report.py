"""The figures of a site (or one room) as plain data: what ``manage.py energy --json``
prints and what the Power & PUE page shows, from the same call, so the two never differ.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from dcim.energy.figures import compute
from dcim.energy.periods import Period
from dcim.inventory.models import Room, Site


def metered_rooms(site: Site) -> list[Room]:
    """The rooms of ``site`` that are a meter's boundary: the ones with a pPUE."""
    return list(Room.objects.filter(site=site, meters__isnull=False).distinct().order_by("name"))


def figures_json(
    site: Site, period: Period, room: Room | None = None, now: datetime | None = None
) -> dict:
    """``compute(...).as_dict()`` for the boundary (the site, or ``room``); for the site,
    also ``rooms``: each metered room's pPUE figures over the same period."""
    now = now or timezone.now()
    out = compute(site, period, room=room, now=now).as_dict()
    if room is None:
        out["rooms"] = [
            compute(site, period, room=r, now=now).as_dict() for r in metered_rooms(site)
        ]
    return out
