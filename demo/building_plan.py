"""The simulated building's plan, read from the inventory: what the simulators model.

The inventory is the truth for what exists and how it is wired: which PSU is plugged into
which outlet of which PDU, which UPS feeds each PDU (PDU power port -> feed -> panel ->
upstream device), each device's status. ``demo.fleet`` writes the plan to a JSON file that
every simulator process reads (``telemetry.simulators.building``), so a status changed in
admin (a server marked failed) changes what the simulators report at the next start.

Planned and decommissioned devices are left out: they draw nothing and report nothing.
Site meters are in by name (``layout.METER_POINTS`` says where each one meters): the
inventory has no field for a meter's metering point. So are the HA pairs
(``layout.HA_PAIRS``), with the file ``manage.py demo_inject`` leaves failovers in.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from pathlib import Path

from dcim.inventory.choices import DeviceRole, DeviceStatus
from dcim.inventory.models import Device, PowerPort, Rack, Site
from demo.inventory.layout import HA_PAIRS, METER_POINTS, ha_member_names
from telemetry.simulators.building import (
    PLAN_ENV,
    DeviceSpec,
    HaPairSpec,
    PduSpec,
    Plan,
    PlantSpec,
    Plug,
    RackSpec,
)

ABSENT = (DeviceStatus.PLANNED, DeviceStatus.DECOMMISSIONED)
PLANT_KIND = {
    DeviceRole.UPS: "ups",
    DeviceRole.CRAH: "crah",
    DeviceRole.CDU: "cdu",
    DeviceRole.CHILLER: "chiller",
    DeviceRole.ENV_SENSOR: "env_sensor",
}
UPS_RATED_W = 3_000_000.0  # Galaxy VX 3 MW: the catalog has no rated power for plant
_NUMBER = re.compile(r"(\d+)\s*$")


def _outlet_number(name: str) -> int | None:
    match = _NUMBER.search(name or "")
    return int(match.group(1)) if match else None


def build(site_slug: str = "demo") -> Plan:
    """The plan of one site, in a stable order (names sort the same on every database)."""
    site = Site.objects.get(slug=site_slug)
    racks = list(
        Rack.objects.filter(room__site=site).select_related("room", "row").order_by("name")
    )
    row_length: dict[tuple, int] = {}
    for rack in racks:
        key = (rack.room_id, rack.row_id)
        row_length[key] = row_length.get(key, 0) + 1
    row_position: dict[tuple, int] = {}
    rack_specs = []
    for rack in sorted(racks, key=lambda r: (r.room_id, r.row_id or 0, r.grid_x or 0, r.name)):
        key = (rack.room_id, rack.row_id)
        row_position[key] = row_position.get(key, 0) + 1
        rack_specs.append(
            RackSpec(
                rack.name,
                rack.room.name,
                rack.row.name if rack.row else "",
                row_position[key],
                row_length[key],
            )
        )
    rack_specs.sort(key=lambda r: r.name)

    devices = list(
        Device.objects.filter(site=site)
        .exclude(status__in=ABSENT)
        .select_related("device_type", "rack", "room")
        .order_by("name")
    )
    present = {d.id for d in devices}
    plugs: dict[int, list[Plug]] = {}
    pdu_ups: dict[int, str] = {}
    pdu_side: dict[int, str] = {}
    pdu_feed_w: dict[int, float] = {}
    ports = PowerPort.objects.filter(device_id__in=present).select_related(
        "outlet__device", "feed__panel__upstream_device"
    )
    for port in ports.order_by("device_id", "name"):
        if port.outlet_id and port.outlet.device_id in present:
            number = _outlet_number(port.outlet.name)
            if number:
                plugs.setdefault(port.device_id, []).append(Plug(port.outlet.device.name, number))
        if port.feed_id:
            pdu_side[port.device_id] = port.feed.side
            pdu_feed_w[port.device_id] = float(port.feed.available_power_w)
        upstream = port.feed.panel.upstream_device if port.feed_id else None
        if upstream is not None and upstream.id in present:
            pdu_ups[port.device_id] = upstream.name

    device_specs, pdu_specs, plant = [], [], []
    for d in devices:
        rack = d.rack.name if d.rack else ""
        if d.role == DeviceRole.GPU_SERVER:
            device_specs.append(
                DeviceSpec(
                    d.name,
                    rack,
                    "gpu_server",
                    d.status,
                    d.position_u or 0,
                    gpus=d.device_type.gpu_count or 8,
                    plugs=tuple(plugs.get(d.id, ())),
                )
            )
        elif d.role == DeviceRole.SWITCH:
            device_specs.append(
                DeviceSpec(
                    d.name,
                    rack,
                    "switch",
                    d.status,
                    d.position_u or 0,
                    ports=d.interfaces.count(),
                    fabric=d.fabric or "ethernet",
                    plugs=tuple(plugs.get(d.id, ())),
                )
            )
        elif d.role == DeviceRole.PDU:
            side = pdu_side.get(d.id) or ("B" if d.name.upper().endswith("-B") else "A")
            pdu_specs.append(
                PduSpec(
                    d.name,
                    rack,
                    side,
                    pdu_ups.get(d.id, ""),
                    outlets=d.power_outlets.count() or 36,
                    status=d.status,
                    feed_available_w=pdu_feed_w.get(d.id, 0.0),
                )
            )
        elif d.name in METER_POINTS:  # a site meter: the model reads its metering point
            plant.append(PlantSpec(d.name, "meter", status=d.status, measures=METER_POINTS[d.name]))
        elif d.role in PLANT_KIND:
            kind = PLANT_KIND[d.role]
            hall = d.room.name if d.room else (d.rack.room.name if d.rack else "")
            rated = UPS_RATED_W if kind == "ups" else 0.0
            plant.append(PlantSpec(d.name, kind, hall, rack, d.status, rated))
    return Plan(
        seed=zlib.crc32(site.slug.encode()),
        timezone=site.timezone,
        racks=tuple(rack_specs),
        devices=tuple(device_specs),
        pdus=tuple(pdu_specs),
        plant=tuple(plant),
        ha_pairs=_ha_pairs(devices),
    )


def _ha_pairs(devices: list[Device]) -> tuple[HaPairSpec, ...]:
    """The layout's HA pairs, each with its members that are in the building and working
    (a failed one is dark: its partner is master for good); pairs with none are left out."""
    working = {d.name for d in devices if d.status != DeviceStatus.FAILED}
    out = []
    for name, protocol, _, _ in HA_PAIRS:
        members = tuple(m for m in ha_member_names(name) if m in working)
        if members:
            out.append(HaPairSpec(name, protocol, members))
    return tuple(out)


def injections_file(plan_path: Path) -> Path:
    """Where ``manage.py demo_inject`` leaves injected faults: beside the plan, so that
    it survives the fleet's restarts (the plan is rewritten, this file is not)."""
    return Path(plan_path).with_name("injections.json")


def write(path: Path, site_slug: str = "demo") -> Path:
    """Write the plan where the simulators will look (``DCIM_BUILDING_PLAN``)."""
    plan = replace(build(site_slug), injections=str(injections_file(path).resolve()))
    return plan.save(path)


__all__ = ["PLAN_ENV", "build", "injections_file", "write"]
