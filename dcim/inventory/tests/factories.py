"""Valid inventory objects for tests, built by plain functions (no factory library).

Every ``make_*`` function runs ``full_clean()`` before saving, so a factory can never hide a
model rule: if a default stops being valid, the tests that use it fail loudly. Keyword
arguments override any field. Names come from a counter so objects never collide.
"""

from __future__ import annotations

import itertools
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.text import slugify

from dcim.accounts.roles import assign_role
from dcim.inventory.choices import CredentialKind, DeviceRole
from dcim.inventory.models import (
    GPU,
    Credential,
    Device,
    DeviceType,
    Interface,
    Link,
    Manufacturer,
    PowerFeed,
    PowerOutlet,
    PowerPanel,
    PowerPort,
    Rack,
    Room,
    Row,
    Site,
)

PASSWORD = "correct-horse-battery"  # noqa: S105 - test users only
_sequence = itertools.count(1)
M = TypeVar("M", bound=models.Model)


def unique(prefix: str) -> str:
    """A name no other object made in this test run has."""
    return f"{prefix}-{next(_sequence)}"


def _save(obj: M) -> M:
    obj.full_clean()
    obj.save()
    return obj


def make_site(**fields: Any) -> Site:
    name = fields.pop("name", None) or unique("Site")
    fields.setdefault("slug", slugify(name))
    return _save(Site(name=name, **fields))


def make_room(site: Site | None = None, **fields: Any) -> Room:
    fields.setdefault("name", unique("Hall"))
    return _save(Room(site=site or make_site(), **fields))


def make_row(room: Room | None = None, **fields: Any) -> Row:
    fields.setdefault("name", unique("R"))
    return _save(Row(room=room or make_room(), **fields))


def make_rack(room: Room | None = None, **fields: Any) -> Rack:
    fields.setdefault("name", unique("Rack"))
    return _save(Rack(room=room or make_room(), **fields))


def make_manufacturer(**fields: Any) -> Manufacturer:
    name = fields.pop("name", None) or unique("Vendor")
    fields.setdefault("slug", slugify(name))
    return _save(Manufacturer(name=name, **fields))


def make_device_type(manufacturer: Manufacturer | None = None, **fields: Any) -> DeviceType:
    """A 1U full-depth CPU server type unless told otherwise."""
    model = fields.pop("model", None) or unique("Model")
    fields.setdefault("slug", slugify(model))
    fields.setdefault("default_role", DeviceRole.CPU_SERVER)
    return _save(
        DeviceType(manufacturer=manufacturer or make_manufacturer(), model=model, **fields)
    )


def make_device(
    rack: Rack | None = None, device_type: DeviceType | None = None, **fields: Any
) -> Device:
    """A device; in ``rack`` (site and room follow it) or, without one, in a new site."""
    device_type = device_type or make_device_type()
    fields.setdefault("name", unique("dev"))
    fields.setdefault("role", device_type.default_role)
    if rack is not None:
        fields.setdefault("site", rack.room.site)
    elif "site" not in fields:  # not setdefault: that would make a stray site every call
        fields["site"] = make_site()
    return _save(Device(device_type=device_type, rack=rack, **fields))


def make_pdu(rack: Rack | None = None, **fields: Any) -> Device:
    """A zero-U PDU (takes no U position)."""
    pdu_type = make_device_type(u_height=0, default_role=DeviceRole.PDU)
    return make_device(rack=rack, device_type=pdu_type, **fields)


def make_gpu(device: Device | None = None, **fields: Any) -> GPU:
    fields.setdefault("index", 0)
    return _save(GPU(device=device or make_device(), **fields))


def make_power_panel(site: Site | None = None, **fields: Any) -> PowerPanel:
    fields.setdefault("name", unique("PP"))
    return _save(PowerPanel(site=site or make_site(), **fields))


def make_power_feed(panel: PowerPanel | None = None, **fields: Any) -> PowerFeed:
    """A 230 V / 32 A single-phase feed at 80 % (the model defaults)."""
    fields.setdefault("name", unique("feed"))
    return _save(PowerFeed(panel=panel or make_power_panel(), **fields))


def make_power_outlet(device: Device | None = None, **fields: Any) -> PowerOutlet:
    fields.setdefault("name", unique("outlet"))
    return _save(PowerOutlet(device=device or make_pdu(), **fields))


def make_power_port(device: Device | None = None, **fields: Any) -> PowerPort:
    fields.setdefault("name", unique("psu"))
    return _save(PowerPort(device=device or make_device(), **fields))


def make_interface(device: Device | None = None, **fields: Any) -> Interface:
    fields.setdefault("name", unique("eth"))
    return _save(Interface(device=device or make_device(), **fields))


def make_link(a: Interface | None = None, b: Interface | None = None, **fields: Any) -> Link:
    return _save(Link(a=a or make_interface(), b=b or make_interface(), **fields))


def make_credential(**fields: Any) -> Credential:
    """An SNMP v2c credential with a community unless told otherwise."""
    fields.setdefault("name", unique("cred"))
    fields.setdefault("kind", CredentialKind.SNMP_V2C)
    if fields["kind"] == CredentialKind.SNMP_V2C:
        fields.setdefault("snmp_community", "public-ro")
    return _save(Credential(**fields))


def make_user(role: str, username: str | None = None):
    """A user holding exactly one role (Viewer, Operator or Admin), never a superuser."""
    user = get_user_model().objects.create_user(
        username=username or unique(role.lower()), password=PASSWORD
    )
    assign_role(user, role)
    return user


def make_one_of_each() -> dict[type[models.Model], models.Model]:
    """One saved object of every inventory model, wired together as in a real rack.

    A GPU server and a switch in a rack, cabled together; the server plugged into a zero-U
    PDU, the PDU wired to a feed from a panel in the same room; and one credential.
    """
    room = make_room()
    row = make_row(room)
    rack = make_rack(room, row=row)
    server_type = make_device_type(u_height=2, default_role=DeviceRole.GPU_SERVER, gpu_count=1)
    server = make_device(rack, server_type, position_u=1)
    switch = make_device(rack, role=DeviceRole.SWITCH, position_u=3)
    pdu = make_pdu(rack)
    panel = make_power_panel(room.site, room=room)
    feed = make_power_feed(panel, rack=rack)
    make_power_port(pdu, name="inlet", feed=feed)
    outlet = make_power_outlet(pdu)
    interface = make_interface(server)
    return {
        Site: room.site,
        Room: room,
        Row: row,
        Rack: rack,
        Manufacturer: server_type.manufacturer,
        DeviceType: server_type,
        Device: server,
        GPU: make_gpu(server),
        PowerPanel: panel,
        PowerFeed: feed,
        PowerOutlet: outlet,
        PowerPort: make_power_port(server, outlet=outlet),
        Interface: interface,
        Link: make_link(interface, make_interface(switch)),
        Credential: make_credential(),
    }
