"""Counts for the Overview page: what exists, where, and in which state.

Five grouped queries, whatever the size of the fleet: each model is counted once, grouped by
site and status (and role for devices), and every total, per-status and per-site figure is
summed from those rows in Python. Rows are bounded by sites × statuses × roles, never by
the number of devices or GPUs.
"""

from collections import Counter
from typing import Any

from django.db.models import Count

from dcim.inventory.choices import DeviceRole, DeviceStatus, RackStatus
from dcim.inventory.models import GPU, Device, Rack, Room, Site


def _by_choice(counts: Counter, choices: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Every choice in its declared order (zeros included, so the page layout never shifts),
    then any stored value the choices no longer know, so nothing is silently dropped."""
    total = sum(counts.values())
    known = dict(choices)
    values = [value for value, _ in choices] + sorted(set(counts) - set(known))
    return [
        {
            "value": value,
            "label": known.get(value, value),
            "count": counts[value],
            "share": round(100 * counts[value] / total) if total else 0,
        }
        for value in values
    ]


def inventory_summary() -> dict[str, Any]:
    """Sites, rooms, racks, devices and GPUs: totals, counts by status, devices by role, and
    one row per site.

    GPUs take the status of the device they sit in: a GPU in a server under maintenance is
    under maintenance.
    """
    sites = list(Site.objects.order_by("name").values("pk", "name", "timezone"))
    # .order_by() clears each model's default ordering, which would otherwise join GROUP BY.
    rooms = Counter(dict(Room.objects.values_list("site").annotate(n=Count("pk")).order_by()))
    racks = Rack.objects.values_list("room__site", "status").annotate(n=Count("pk")).order_by()
    devices = (
        Device.objects.values_list("site", "status", "role").annotate(n=Count("pk")).order_by()
    )
    gpus = (
        GPU.objects.values_list("device__site", "device__status").annotate(n=Count("pk")).order_by()
    )

    racks_site, racks_status = Counter(), Counter()
    for site, status, n in racks:
        racks_site[site] += n
        racks_status[status] += n
    devices_site, devices_status, devices_role = Counter(), Counter(), Counter()
    for site, status, role, n in devices:
        devices_site[site] += n
        devices_status[status] += n
        devices_role[role] += n
    gpus_site, gpus_status = Counter(), Counter()
    for site, status, n in gpus:
        gpus_site[site] += n
        gpus_status[status] += n

    roles = dict(DeviceRole.choices)
    return {
        "sites": len(sites),
        "rooms": rooms.total(),
        "racks": racks_site.total(),
        "racks_by_status": _by_choice(racks_status, RackStatus.choices),
        "devices": devices_site.total(),
        "devices_by_status": _by_choice(devices_status, DeviceStatus.choices),
        "devices_by_role": [
            {"role": role, "label": roles.get(role, role), "count": n}
            for role, n in sorted(devices_role.items(), key=lambda item: (-item[1], item[0]))
        ],
        "gpus": gpus_site.total(),
        "gpus_by_status": _by_choice(gpus_status, DeviceStatus.choices),
        "per_site": [
            {
                "name": site["name"],
                "timezone": site["timezone"],
                "rooms": rooms[site["pk"]],
                "racks": racks_site[site["pk"]],
                "devices": devices_site[site["pk"]],
                "gpus": gpus_site[site["pk"]],
            }
            for site in sites
        ],
    }
