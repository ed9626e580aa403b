"""The demo's floor plan, power chain and fabric as pure functions: what exists, no database.

Everything here is derived from position (hall, row, rack, slot), never from what the
database holds, so two runs on two databases name, number and wire everything the same way.

Shape: one site; two halls of 4 rows × 8 racks (64 racks); four DGX H100 per rack (256
servers, 2,048 GPUs), a QM9700 leaf on top of each rack and eight QM9700 spines in the free U
of eight racks; two zero-U PDUs per rack on an A and a B feed (415 V three-phase, 80 A:
46 kW each, so either side alone carries the rack; eight racks on older 63 A circuits, 36 kW,
do not: see UNDERSIZED_FEED_RACKS); RPP panels per hall and side behind a
2N UPS pair; CRAHs and CDUs per hall; chillers, power meters, rooftop PV and a water meter at
site level; a keepalived load-balancer pair and a VRRP edge-router pair split over two racks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from dcim.inventory.choices import DeviceStatus, Fabric, FeedSide, NetworkLayer, RackFace
from demo.inventory import catalog
from demo.inventory.catalog import DeviceTypeSpec
from telemetry.simulators.nvml import gpu_serial, gpu_uuid

SITE = {
    "name": "Demo AI Campus",
    "slug": "demo",
    "timezone": "Europe/Amsterdam",
    "address": "Demoweg 1, Amsterdam (fictional)",
    "description": "Demo data centre made by `manage.py seed_demo`. Safe to delete.",
}
SITE_BUILT = date(2022, 11, 7)  # purchase date of the site-level plant


@dataclass(frozen=True)
class HallSpec:
    number: int
    name: str
    purchased: date  # when its racks were filled: the purchase date of their devices


HALLS = (HallSpec(1, "Hall 1", date(2023, 6, 12)), HallSpec(2, "Hall 2", date(2024, 2, 5)))
HALL_GRID = {"grid_columns": 16, "grid_rows": 14}
ROWS = ("A", "B", "C", "D")
ROW_GRID_Y = {"A": 2, "B": 5, "C": 8, "D": 11}  # two tiles of aisle between rows
RACKS_PER_ROW = 8
FIRST_RACK_X = 4
RACK_U = 42
RACK_MAX_WEIGHT_KG = 1_500
# 4 × 10.2 kW servers + leaf + maybe a spine = 44.2 kW rated, under one 46 kW feed.
GPU_RACK_POWER_KW = Decimal("45.00")
GPU_RACK_COOLING_KW = Decimal("45.00")
SERVERS_PER_RACK = 4
SERVER_POSITIONS = (2, 10, 18, 26)  # 8U each: U2–U33
SPINE_POSITION = 40
LEAF_POSITION = 42  # top of rack
FEED = {"phase": "three", "voltage": 415, "amperage": 80, "max_utilization": 80}
# Racks still on the older 63 A circuits, as real halls have them: 415 V × 63 A × √3 × 80 % =
# 36.2 kW available. Shared by both feeds a full DGX rack (~39 kW training) fits, but when its A
# feed trips the B side carries it past its continuous limit, which is what makes "PDU above
# available feed power" show in the demo (the hourly feed_loss fault picks these racks first).
# One full training rack per job lane, chosen so that in every hour of a year (from 2026-12)
# one of them trains through the fault's window; two racks cover no single week.
UNDERSIZED_FEED_RACKS = (
    "H1-A01",
    "H1-A05",
    "H1-B04",
    "H1-B07",
    "H2-A01",
    "H2-B01",
    "H2-B06",
    "H2-C08",
)
UNDERSIZED_FEED = {**FEED, "amperage": 63}
SPINE_RACKS = ("H1-B01", "H1-B08", "H1-C01", "H1-C08", "H2-B01", "H2-B08", "H2-C01", "H2-C08")
CRAHS_PER_HALL = 6
CDUS_PER_HALL = 2
CHILLERS = 3
# Site meters: name, metering point (what the building model reads there, see
# telemetry.simulators.building.site_power), comments. PV generates behind the utility
# incomer, so the site's energy E_DC = MTR-UTILITY + MTR-PV-ROOF; E_IT = the UPS outputs.
METERS = (
    ("MTR-UTILITY", "grid", "Facility meter: utility incomer, the grid import (E_DC less PV)."),
    ("MTR-UPS-A-OUT", "ups_output:UPS-A", "IT meter: UPS A output (E_IT, PUE category 1)."),
    ("MTR-UPS-B-OUT", "ups_output:UPS-B", "IT meter: UPS B output (E_IT, PUE category 1)."),
    (
        "MTR-MECH",
        "mechanical",
        "Facility meter: mechanical board (chillers, CRAHs, CDUs, pumps).",
    ),
)
# Added after the first release: numbered after every other device (see devices()).
LATER_METERS = (
    (
        "MTR-PV-ROOF",
        "pv",
        "Generation meter: rooftop PV array output, on-site renewable (E_DC = utility + PV).",
    ),
    ("MTR-WATER", "water", "Water meter: the site's mains water supply (WUE = L / kWh of IT)."),
)
METER_POINTS = {name: point for name, point, _ in METERS + LATER_METERS}
# HA pairs (added after the meters, numbered after them): the API's keepalived load-balancer
# pair and the VRRP edge-router pair, (name, protocol, device type, U), member n in the nth
# rack of HA_RACKS, so that losing a rack loses one side of each pair. Racks with a spine
# or on 63 A feeds have no rated power to spare: these two stay under the 45 kW budget.
HA_PAIRS = (
    ("LB", "keepalived", catalog.LOAD_BALANCER, 36),
    ("EDGE", "vrrp", catalog.EDGE_ROUTER, 38),
)
HA_RACKS = ("H1-A02", "H1-A03")
# Fixed so that the Overview's status counts are interesting, and the same on every run.
STATUS_OVERRIDES: dict[str, str] = {
    "H1-B03-DGX02": DeviceStatus.MAINTENANCE,
    "H1-C06-DGX04": DeviceStatus.MAINTENANCE,
    "H2-A02-DGX01": DeviceStatus.MAINTENANCE,
    "H2-CRAH-03": DeviceStatus.MAINTENANCE,
    "H1-D07-DGX01": DeviceStatus.FAILED,
    "H2-B05-DGX03": DeviceStatus.FAILED,
    # The last rack is being installed: its servers are on order, its sensor arrived dead.
    "H2-D08-ENV": DeviceStatus.FAILED,
    **{f"H2-D08-DGX{n:02d}": DeviceStatus.PLANNED for n in range(1, 5)},
}


@dataclass(frozen=True)
class RackPlan:
    number: int  # 1–64 across the site: the third octet of its devices' loopback addresses
    hall: HallSpec
    row: str
    name: str
    grid_x: int
    grid_y: int


@dataclass(frozen=True)
class DevicePlan:
    name: str
    spec: DeviceTypeSpec
    management_address: str
    hall: HallSpec | None = None
    rack: RackPlan | None = None
    position_u: int | None = None
    face: str = RackFace.FRONT
    network_layer: str = ""
    fabric: str = ""
    comments: str = ""
    # Filled in by number(): position in the build order, hence the same on every run.
    type_seq: int = 0
    serial: str = ""
    asset_tag: str = ""

    @property
    def status(self) -> str:
        return STATUS_OVERRIDES.get(self.name, DeviceStatus.ACTIVE)

    @property
    def purchase_date(self) -> date | None:
        if self.status == DeviceStatus.PLANNED:
            return None  # ordered, not delivered
        return self.hall.purchased if self.hall else SITE_BUILT

    @property
    def warranty_end(self) -> date | None:
        bought = self.purchase_date
        return bought.replace(year=bought.year + self.spec.warranty_years) if bought else None


def racks() -> list[RackPlan]:
    """All 64 racks, hall by hall, row by row, with site-wide unique names (H1-A01)."""
    plans, number = [], 0
    for hall in HALLS:
        for row in ROWS:
            for position in range(1, RACKS_PER_ROW + 1):
                number += 1
                plans.append(
                    RackPlan(
                        number=number,
                        hall=hall,
                        row=row,
                        name=f"H{hall.number}-{row}{position:02d}",
                        grid_x=FIRST_RACK_X + position - 1,
                        grid_y=ROW_GRID_Y[row],
                    )
                )
    return plans


def server_names(rack: RackPlan) -> list[str]:
    return [f"{rack.name}-DGX{n:02d}" for n in range(1, SERVERS_PER_RACK + 1)]


def leaf_name(rack: RackPlan) -> str:
    return f"{rack.name}-LEAF"


def spine_names() -> list[str]:
    return [f"SPINE-{n:02d}" for n in range(1, len(SPINE_RACKS) + 1)]


def pdu_name(rack: RackPlan, side: str) -> str:
    return f"{rack.name}-PDU-{side}"


def panel_name(hall: HallSpec, side: str) -> str:
    return f"H{hall.number}-RPP-{side}"


def feed_rating(rack: RackPlan) -> dict:
    """The electrical rating of both feeds of a rack: 80 A, or 63 A on the older circuits."""
    return UNDERSIZED_FEED if rack.name in UNDERSIZED_FEED_RACKS else FEED


def feed_name(rack: RackPlan, side: str) -> str:
    return f"{rack.name}-{side}"


def ups_name(side: str) -> str:
    return f"UPS-{side}"


def rack_devices(rack: RackPlan) -> list[DevicePlan]:
    """What one GPU rack holds. Loopback address 127.10.<rack>.<U>, zero-U gear at .101+."""

    def addr(slot: int) -> str:
        return f"127.10.{rack.number}.{slot}"

    placed = dict(hall=rack.hall, rack=rack)
    devices = [
        DevicePlan(name, catalog.DGX_H100, addr(u), position_u=u, **placed)
        for name, u in zip(server_names(rack), SERVER_POSITIONS, strict=True)
    ]
    switch = dict(face=RackFace.REAR, fabric=Fabric.INFINIBAND, **placed)
    if rack.name in SPINE_RACKS:
        spine = spine_names()[SPINE_RACKS.index(rack.name)]
        devices.append(
            DevicePlan(
                spine,
                catalog.QM9700,
                addr(SPINE_POSITION),
                position_u=SPINE_POSITION,
                network_layer=NetworkLayer.SPINE,
                **switch,
            )
        )
    devices.append(
        DevicePlan(
            leaf_name(rack),
            catalog.QM9700,
            addr(LEAF_POSITION),
            position_u=LEAF_POSITION,
            network_layer=NetworkLayer.LEAF,
            **switch,
        )
    )
    for slot, side in enumerate(FeedSide.values, start=101):
        devices.append(
            DevicePlan(
                pdu_name(rack, side), catalog.RACK_PDU, addr(slot), face=RackFace.REAR, **placed
            )
        )
    devices.append(DevicePlan(f"{rack.name}-ENV", catalog.RACK_SENSOR, addr(110), **placed))
    return devices


def plant_devices() -> list[DevicePlan]:
    """Site plant (UPS pair, chillers, meters: 127.12.0.x) and hall plant (127.12.<hall>.x)."""
    site = [
        DevicePlan(ups_name(side), catalog.UPS, f"127.12.0.{n}")
        for n, side in enumerate(FeedSide.values, start=1)
    ]
    site += [
        DevicePlan(f"CHILLER-{n:02d}", catalog.CHILLER, f"127.12.0.{10 + n}")
        for n in range(1, CHILLERS + 1)
    ]
    site += [
        DevicePlan(name, catalog.POWER_METER, f"127.12.0.{20 + n}", comments=comments)
        for n, (name, _, comments) in enumerate(METERS, start=1)
    ]
    for hall in HALLS:
        prefix, net = f"H{hall.number}", f"127.12.{hall.number}"
        site += [
            DevicePlan(f"{prefix}-CRAH-{n:02d}", catalog.CRAH, f"{net}.{10 + n}", hall=hall)
            for n in range(1, CRAHS_PER_HALL + 1)
        ]
        site += [
            DevicePlan(f"{prefix}-CDU-{n:02d}", catalog.CDU, f"{net}.{20 + n}", hall=hall)
            for n in range(1, CDUS_PER_HALL + 1)
        ]
    return site


def later_devices() -> list[DevicePlan]:
    """Devices added to the demo after its first release: the PV and water meters.

    They come last in the build order, because asset tags are numbered by that order and
    unique: in the middle they would take the tags of devices an already-seeded database
    holds, and a re-seed that adds them would fail.
    """
    specs = {"pv": catalog.POWER_METER, "water": catalog.WATER_METER}
    return [
        DevicePlan(name, specs[point], f"127.12.0.{20 + n}", comments=comments)
        for n, (name, point, comments) in enumerate(LATER_METERS, start=len(METERS) + 1)
    ]


def ha_member_names(pair: str) -> list[str]:
    """``LB-01``, ``LB-02``: the members of a pair, the first the master at the start."""
    return [f"{pair}-{n:02d}" for n in range(1, len(HA_RACKS) + 1)]


def ha_devices(rack_plans: list[RackPlan]) -> list[DevicePlan]:
    """The HA pairs' members, in the free U above the servers of HA_RACKS (added after the
    later meters: last in the build order, for the same reason)."""
    by_name = {r.name: r for r in rack_plans}
    out = []
    for pair, _, spec, position in HA_PAIRS:
        for name, rack_name in zip(ha_member_names(pair), HA_RACKS, strict=True):
            rack = by_name.get(rack_name)
            if rack is None:
                continue
            address = f"127.10.{rack.number}.{position}"
            out.append(
                DevicePlan(name, spec, address, hall=rack.hall, rack=rack, position_u=position)
            )
    return out


GENERATOR_NAME = "GEN-01"


def generator_devices() -> list[DevicePlan]:
    """The standby generator (added after the HA pairs: last in the build order, for the
    same reason as the later meters)."""
    return [DevicePlan(GENERATOR_NAME, catalog.GENERATOR, "127.12.0.40")]


def devices(rack_plans: list[RackPlan]) -> list[DevicePlan]:
    """Every device, numbered: serial per type, asset tag across the demo, both by order."""
    drafts = plant_devices() + [d for rack in rack_plans for d in rack_devices(rack)]
    drafts += later_devices()
    drafts += ha_devices(rack_plans)
    drafts += generator_devices()
    per_type: dict[str, int] = {}
    numbered = []
    for seq, draft in enumerate(drafts, start=1):
        n = per_type[draft.spec.slug] = per_type.get(draft.spec.slug, 0) + 1
        numbered.append(
            replace(
                draft,
                type_seq=n,
                serial=f"{draft.spec.serial_prefix}{n:05d}",
                asset_tag=f"DEMO-{seq:05d}",
            )
        )
    return numbered


def gpus(server: DevicePlan) -> list[dict]:
    """The GPU rows of one server: the stand-in NVML's UUIDs and serials, real DGX bus ids."""
    spec = server.spec
    return [
        {
            "index": index,
            # The simulated fleet's own identities, so that NVML readings reconcile.
            "uuid": gpu_uuid(server.name, index),
            "pci_bus_id": catalog.DGX_H100_GPU_BUS_IDS[index],
            "model": spec.gpu_model,
            "serial": gpu_serial(server.name, index),
            "memory_gb": spec.gpu_memory_gb,
            "tdp_w": spec.gpu_tdp_w,
        }
        for index in range(spec.gpu_count)
    ]
