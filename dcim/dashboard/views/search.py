"""Search by device name, serial, asset tag or GPU UUID (or GPU serial): the quickest way
from a ticket or a log line to the device page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

from dcim.inventory.models import GPU, Device
from dcim.ui.json_twin import fleet_tz, page_and_api, stamp
from dcim.ui.tables import badge, cell

LIMIT = 50
MIN_LENGTH = 2


def build_search(request: HttpRequest) -> dict[str, Any]:
    """Devices and GPUs matching the query (case-insensitive substring), at most 50 each."""
    q = request.GET.get("q", "").strip()[:100]
    devices, gpus = [], []
    if len(q) >= MIN_LENGTH:
        devices = list(
            Device.objects.filter(
                Q(name__icontains=q) | Q(serial__icontains=q) | Q(asset_tag__icontains=q)
            )
            .select_related("rack")
            .order_by("name")[:LIMIT]
        )
        gpus = list(
            GPU.objects.filter(Q(uuid__icontains=q) | Q(serial__icontains=q))
            .select_related("device__rack")
            .order_by("device__name", "index")[:LIMIT]
        )
    rows = [
        [
            cell(d.name, href=reverse("dashboard:device", args=[d.pk])),
            cell(d.get_role_display()),
            cell(d.rack and d.rack.name),
            cell(d.serial or None),
            cell(d.asset_tag),
            badge(d.status, d.get_status_display()),
        ]
        for d in devices
    ]
    rows += [
        [
            cell(
                f"{g.device.name} GPU{g.index}",
                href=reverse("dashboard:device", args=[g.device_id]),
            ),
            cell("GPU"),
            cell(g.device.rack and g.device.rack.name),
            cell(g.serial or None),
            cell(g.uuid),
            badge(g.device.status, g.device.get_status_display()),
        ]
        for g in gpus
    ]
    if not q:
        message = "Type a device name, serial number, asset tag or GPU UUID."
    elif len(q) < MIN_LENGTH:
        message = f"Type at least {MIN_LENGTH} characters."
    else:
        message = f"{len(rows)} result{'s' if len(rows) != 1 else ''} for “{q}”."
    return stamp({"q": q, "message": message, "tables": {"results": rows}}, fleet_tz())


search, search_api = page_and_api("dashboard/search.html", build_search, "dashboard:search_api")
