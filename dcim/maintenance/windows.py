"""Which windows hold assets down when: the queries suppression, coverage and pages share."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device
from dcim.maintenance.assets import Expansion, expand
from dcim.maintenance.choices import LIVE_STATES, WindowState
from dcim.maintenance.models import MaintenanceWindow


def live_at(now: datetime) -> Q:
    """Windows holding their assets at ``now``: a scheduled one within its planned times;
    a started one from its actual start until it is finished (an overrun is still work);
    a done one between its recorded start and end."""
    S, P, D = WindowState.SCHEDULED, WindowState.IN_PROGRESS, WindowState.DONE
    return (
        Q(state=S, starts_at__lte=now, ends_at__gt=now)
        | Q(state=P, actual_start__lte=now)
        | Q(state=P, actual_start__isnull=True, starts_at__lte=now)
        | Q(state=D, actual_start__lte=now, actual_end__gt=now)
    )


def overlapping(start: datetime, end: datetime) -> QuerySet[MaintenanceWindow]:
    """Not-cancelled windows whose (effective) interval may overlap [start, end): the
    planned or actual times, whichever is wider (callers clip to the effective times)."""
    now = timezone.now()
    planned = Q(starts_at__lt=end, ends_at__gt=start)
    actual = Q(actual_start__lt=end) & (
        Q(actual_end__gt=start) | Q(actual_end__isnull=True, state=WindowState.IN_PROGRESS)
    )
    running = Q(state=WindowState.IN_PROGRESS, starts_at__lt=end) & Q(ends_at__lt=now)
    return MaintenanceWindow.objects.filter(state__in=LIVE_STATES).filter(
        planned | actual | running
    )


def windows_holding(device_id: int, now: datetime) -> list[tuple[MaintenanceWindow, Expansion]]:
    """The windows that hold this device at ``now`` (directly or through a carrier)."""
    out = []
    live = MaintenanceWindow.objects.filter(live_at(now)).select_related("site")
    for window in live.prefetch_related(*MaintenanceWindow.ASSET_FIELDS):
        e = expand(window)
        if device_id in e.affected:
            out.append((window, e))
    return out


def could_touch(device_ids: set[int]) -> Q:
    """A cheap pre-filter before expanding: windows that name one of these devices, their
    racks or rooms, a cooling unit of their rooms, or anything of the power chain (which
    only expansion can follow)."""
    places = Device.objects.filter(pk__in=device_ids)
    racks = places.filter(rack__isnull=False).values("rack_id")
    rooms = places.filter(room__isnull=False).values("room_id")
    return (
        Q(devices__in=device_ids)
        | Q(racks__in=racks)
        | Q(rooms__in=rooms)
        | Q(cooling_units__room__in=rooms)
        | Q(power_panels__isnull=False)
        | Q(power_feeds__isnull=False)
        | Q(devices__role__in=[DeviceRole.PDU, DeviceRole.UPS])
    )


def current_and_next(
    device_ids: set[int], now: datetime, ahead: int = 120, site_id: int | None = None
) -> tuple[list[MaintenanceWindow], MaintenanceWindow | None]:
    """(current windows, next scheduled window) touching any of these devices, looking
    ``ahead`` days forward; for the device and rack pages."""
    current, upcoming = [], None
    if not device_ids:
        return current, upcoming
    ids = overlapping(now, now + timedelta(days=ahead)).filter(could_touch(device_ids))
    if site_id is not None:
        ids = ids.filter(site_id=site_id)
    windows = (
        MaintenanceWindow.objects.filter(pk__in=ids.values("pk"))
        .select_related("site")
        .prefetch_related(*MaintenanceWindow.ASSET_FIELDS)
    )
    for window in windows.order_by("starts_at"):
        if not device_ids & expand(window).affected:
            continue
        if window.effective_start <= now < window.effective_end:
            current.append(window)
        elif window.state == WindowState.SCHEDULED and window.starts_at > now and upcoming is None:
            upcoming = window
    return current, upcoming
