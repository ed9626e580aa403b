"""Counts for the Overview page: what exists, by status."""

from django.db.models import Count

from dcim.inventory.choices import DeviceStatus, RackStatus
from dcim.inventory.models import GPU, Device, Rack, Room, Site


def _by_status(queryset, field: str, choices) -> list[dict]:
    counts = dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())
    return [
        {"value": value, "label": label, "count": counts.get(value, 0)} for value, label in choices
    ]


def inventory_summary() -> dict:
    """Sites, rooms, racks, devices and GPUs, each with a total and counts by status.

    GPUs take the status of the device they sit in: a GPU in a server under maintenance is
    under maintenance.
    """
    return {
        "sites": Site.objects.count(),
        "rooms": Room.objects.count(),
        "racks": Rack.objects.count(),
        "racks_by_status": _by_status(Rack.objects.all(), "status", RackStatus.choices),
        "devices": Device.objects.count(),
        "devices_by_status": _by_status(Device.objects.all(), "status", DeviceStatus.choices),
        "devices_by_role": list(
            Device.objects.values("role").annotate(count=Count("pk")).order_by("-count", "role")
        ),
        "gpus": GPU.objects.count(),
        "gpus_by_status": _by_status(GPU.objects.all(), "device__status", DeviceStatus.choices),
    }
