"""Small, explicit inventory and users for the dashboard tests (plain ORM, no factories).

The inventory is chosen so that every count on the Overview differs from every other one,
so a figure shown in the wrong place cannot pass by coincidence.
"""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dcim.accounts.roles import assign_role
from dcim.inventory.choices import DeviceRole, DeviceStatus, RackStatus
from dcim.inventory.models import GPU, Device, DeviceType, Manufacturer, Rack, Room, Site

PASSWORD = "correct horse battery staple"


def add_device(name, device_type, site, rack=None, status=DeviceStatus.ACTIVE, gpus=0):
    """A device (its role from its type) with ``gpus`` GPUs numbered from 0."""
    device = Device.objects.create(
        name=name,
        device_type=device_type,
        role=device_type.default_role,
        status=status,
        site=site,
        room=rack.room if rack else None,
        rack=rack,
    )
    GPU.objects.bulk_create(GPU(device=device, index=i, model="H100") for i in range(gpus))
    return device


@pytest.fixture
def device_types(db) -> dict[str, DeviceType]:
    vendor = Manufacturer.objects.create(name="Acme", slug="acme")
    return {
        "gpu": DeviceType.objects.create(
            manufacturer=vendor,
            model="G8",
            slug="g8",
            u_height=4,
            default_role=DeviceRole.GPU_SERVER,
            gpu_count=8,
        ),
        "switch": DeviceType.objects.create(
            manufacturer=vendor, model="S1", slug="s1", default_role=DeviceRole.SWITCH
        ),
        "pdu": DeviceType.objects.create(
            manufacturer=vendor, model="P0", slug="p0", u_height=0, default_role=DeviceRole.PDU
        ),
    }


@pytest.fixture
def inventory(device_types) -> dict[str, Site]:
    """Two sites. Alpha: 2 rooms, 3 racks, 4 devices, 7 GPUs; Beta: 1, 1, 2, 2.

    Racks: 2 active, 1 planned, 1 reserved. Devices: 3 active, 1 maintenance, 1 failed,
    1 planned; 4 GPU servers, 1 switch, 1 PDU. GPUs follow their server: 4 active,
    2 maintenance, 1 failed, 2 planned.
    """
    alpha = Site.objects.create(name="Alpha", slug="alpha", timezone="Europe/Paris")
    beta = Site.objects.create(name="Beta", slug="beta", timezone="America/New_York")
    hall1 = Room.objects.create(site=alpha, name="Hall 1")
    Room.objects.create(site=alpha, name="Hall 2")
    hall_b = Room.objects.create(site=beta, name="Hall B")
    a01 = Rack.objects.create(room=hall1, name="A01", status=RackStatus.ACTIVE)
    a02 = Rack.objects.create(room=hall1, name="A02", status=RackStatus.ACTIVE)
    Rack.objects.create(room=hall1, name="A03", status=RackStatus.PLANNED)
    b01 = Rack.objects.create(room=hall_b, name="B01", status=RackStatus.RESERVED)
    gpu, switch, pdu = device_types["gpu"], device_types["switch"], device_types["pdu"]
    add_device("gpu-01", gpu, alpha, a01, DeviceStatus.ACTIVE, gpus=4)
    add_device("gpu-02", gpu, alpha, a01, DeviceStatus.MAINTENANCE, gpus=2)
    add_device("gpu-03", gpu, alpha, a02, DeviceStatus.FAILED, gpus=1)
    add_device("sw-01", switch, alpha, a02)
    add_device("gpu-04", gpu, beta, b01, DeviceStatus.PLANNED, gpus=2)
    add_device("pdu-01", pdu, beta)
    return {"alpha": alpha, "beta": beta}


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """``make_user("alice", role="Viewer")``: a user with a known password and that role."""

    def make(username: str, role: str | None = None) -> User:
        user = User.objects.create_user(username, password=PASSWORD)
        if role:
            assign_role(user, role)
        return user

    return make


@pytest.fixture
def viewer_client(make_user) -> Client:
    client = Client()
    client.force_login(make_user("vera", role="Viewer"))
    return client
