"""The demo's cabling as pure functions: PSUs to PDU outlets, InfiniBand ports to switches."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dcim.inventory.choices import FeedSide
from demo.inventory import catalog, layout


@dataclass(frozen=True)
class Plug:
    """A device PSU plugged into an outlet of the rack's PDU on one side."""

    device: str
    port: str
    pdu: str
    outlet: str
    maximum_draw_w: int | None
    allocated_draw_w: int | None


def plugs(rack: layout.RackPlan, members: list[layout.DevicePlan]) -> list[Plug]:
    """PSUs alternate A, B, A, … so every multi-PSU device reaches both feeds.

    A DGX H100's six PSUs are 4+2: three on one side carry it at reduced performance.
    """
    next_outlet = dict.fromkeys(FeedSide.values, 1)
    result = []
    for device in members:
        spec = device.spec
        if not spec.psus:
            continue
        share = math.ceil(spec.rated_power_w / spec.psus) if spec.rated_power_w else None
        for psu in range(1, spec.psus + 1):
            side = FeedSide.A if psu % 2 else FeedSide.B
            outlet, next_outlet[side] = next_outlet[side], next_outlet[side] + 1
            if outlet > catalog.PDU_OUTLETS:
                raise ValueError(
                    f"{layout.pdu_name(rack, side)} has no outlet left for {device.name}"
                )
            result.append(
                Plug(
                    device.name,
                    f"PSU{psu}",
                    layout.pdu_name(rack, side),
                    catalog.pdu_outlet_name(outlet),
                    spec.psu_max_w,
                    share,
                )
            )
    return result


@dataclass(frozen=True)
class Cable:
    label: str
    a_device: str
    a_port: str
    b_device: str
    b_port: str


def cables(rack_plans: list[layout.RackPlan]) -> list[Cable]:
    """Rail n of every server to its leaf; every leaf once to every spine (rack k → port k).

    A leaf uses 32 ports down and 8 up (4:1 oversubscribed, a simplification: a real
    rail-optimised fabric is 1:1); a spine's 64 ports take the 64 leaves.
    """
    switch_ports = catalog.qm9700_ports()
    rails = len(catalog.DGX_H100_COMPUTE_PORTS)
    if len(rack_plans) > len(switch_ports):
        raise ValueError("more leaves than a spine has ports")
    ends = []
    for rack in rack_plans:
        leaf = layout.leaf_name(rack)
        for s, server in enumerate(layout.server_names(rack)):
            for rail, port in enumerate(catalog.DGX_H100_COMPUTE_PORTS):
                ends.append((server, port, leaf, switch_ports[s * rails + rail]))
        for k, spine in enumerate(layout.spine_names()):
            uplink = switch_ports[layout.SERVERS_PER_RACK * rails + k]
            ends.append((leaf, uplink, spine, switch_ports[rack.number - 1]))
    return [Cable(f"IB-{n:05d}", *end) for n, end in enumerate(ends, start=1)]
