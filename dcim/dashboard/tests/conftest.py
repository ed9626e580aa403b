"""Small, explicit inventory and live readings for the dashboard tests (plain ORM, no
factories). Users and logged-in clients (``make_user``, ``viewer_client``, ...) come from
the root conftest.

The inventory is chosen so that every count on the Overview differs from every other one,
so a figure shown in the wrong place cannot pass by coincidence.
"""

from datetime import datetime

import pytest
from django.utils import timezone

from dcim.inventory.choices import DeviceRole, DeviceStatus, RackStatus
from dcim.inventory.models import GPU, Device, DeviceType, Manufacturer, Rack, Room, Site
from telemetry import store
from telemetry.readings import Reading
from telemetry.store.db import clear_caches


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


def ingest(device: Device, readings: list[Reading], ts: datetime | None = None) -> None:
    """Store ``readings`` for ``device`` as a collector would (at ``ts``, default now)."""
    batch = store.Batch(batch_id=f"test-{device.pk}")
    batch.add_readings(device.pk, readings, ts or timezone.now())
    store.ingest(batch)


def gpu_readings(index: int, temp: float, util: float = 50.0, reasons: int = 0, lost: int = 0):
    c = f"gpu{index}"
    return [
        Reading("gpu_temperature_celsius", temp, "celsius", c),
        Reading("gpu_utilization_percent", util, "percent", c),
        Reading("gpu_power_watts", 300 + index, "watts", c),
        Reading("gpu_clocks_event_reasons", reasons, "bitmask", c),
        Reading("gpu_lost", lost, "bool", c),
    ]


@pytest.fixture(autouse=True)
def _fresh_store_caches():
    """The store's registry cache must not outlive a test's rolled-back transaction."""
    clear_caches()
    yield
    clear_caches()


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
def live(inventory, device_types):
    """gpu-01 (4 GPUs, active) reporting: GPU2 throttled (HW thermal), GPU3 lost; a PDU in
    rack A01 at 7.5 kW; gpu-02 (maintenance) reporting too."""
    gpu01 = Device.objects.get(name="gpu-01")
    GPU.objects.filter(device=gpu01, index=1).update(uuid="GPU-1234abcd-0000")
    readings = gpu_readings(0, 61.0) + gpu_readings(1, 64.5) + gpu_readings(2, 88.0, reasons=0x40)
    ingest(gpu01, readings + gpu_readings(3, 40.0, lost=1))
    ingest(Device.objects.get(name="gpu-02"), gpu_readings(0, 50.0) + gpu_readings(1, 51.0))
    a01 = Rack.objects.get(name="A01")
    pdu = add_device("pdu-a01", device_types["pdu"], a01.room.site, a01)
    ingest(pdu, [Reading("pdu_power_watts", 7500.0, "watts", "inlet:1")])
    return {"gpu01": gpu01, "pdu": pdu, "rack": a01}


@pytest.fixture
def air(live):
    """A rack monitor in A01: inlet 28.4 °C (above ASHRAE recommended), outlet 40.1 °C,
    inlet humidity 41.2 %; a rear PDU probe says 38.0 °C at the exhaust."""
    rack = live["rack"]
    monitor_type = DeviceType.objects.create(
        manufacturer=Manufacturer.objects.get(slug="acme"),
        model="NB",
        slug="nb",
        u_height=0,
        default_role=DeviceRole.ENV_SENSOR,
    )
    monitor = add_device("a01-env", monitor_type, rack.room.site, rack)
    ingest(
        monitor,
        [
            Reading("env_temperature_celsius", 28.4, "celsius", "inlet"),
            Reading("env_temperature_celsius", 40.1, "celsius", "outlet"),
            Reading("env_humidity_percent", 41.2, "percent", "inlet"),
        ],
    )
    ingest(live["pdu"], [Reading("env_temperature_celsius", 38.0, "celsius", "sensor:Exhaust")])
    return monitor
