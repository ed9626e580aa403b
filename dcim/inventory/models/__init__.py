"""The inventory: one source of truth for what is installed where."""

from dcim.inventory.models.credential import Credential
from dcim.inventory.models.device import GPU, Device, DeviceType, Manufacturer
from dcim.inventory.models.network import Interface, Link
from dcim.inventory.models.power import PowerFeed, PowerOutlet, PowerPanel, PowerPort
from dcim.inventory.models.site import Rack, Room, Row, Site

__all__ = [
    "GPU",
    "Credential",
    "Device",
    "DeviceType",
    "Interface",
    "Link",
    "Manufacturer",
    "PowerFeed",
    "PowerOutlet",
    "PowerPanel",
    "PowerPort",
    "Rack",
    "Room",
    "Row",
    "Site",
]
