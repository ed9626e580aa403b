"""Racks: the list of every rack, and one rack's elevation, power, air (inlet, outlet,
humidity) and devices."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from dcim.dashboard import gpu_state, rack_rows
from dcim.inventory.choices import DeviceRole, RackFace
from dcim.inventory.models import Rack
from dcim.maintenance import glance
from dcim.ui.json_twin import fleet_tz, page_and_api, stamp
from dcim.ui.tables import badge, cell, number
from telemetry import store

U_PX = 14  # elevation: pixels per U


def _rack_cells(r: rack_rows.RackRow) -> list[dict]:
    feeds = " / ".join(f"{s} {r.feeds[s] / 1000:.1f}" for s in sorted(r.feeds)) or None
    return [
        cell(r.name, href=reverse("dashboard:rack", args=[r.id])),
        cell(r.room),
        number(r.power_w, 1, " kW", 1e-3),
        number(r.budget_kw, 1, " kW"),
        number(r.power_pct, 0, " %"),
        cell(feeds),
        number(r.inlet_c, 1, " °C"),
        number(r.outlet_c, 1, " °C"),
        number(r.gpu_util, 0, " %"),
        badge(r.state, *rack_rows.RACK_STATES[r.state]),
    ]


def build_racks(request: HttpRequest) -> dict[str, Any]:
    """Every rack: power against budget and per feed, inlet/outlet air, GPU load, state."""
    rows = rack_rows.rack_rows(gpu_state.gpu_rows())
    return stamp({"tables": {"racks": [_rack_cells(r) for r in rows]}}, fleet_tz())


def _elevation(rack: Rack, devices: list, states: dict[int, tuple[str, str]]) -> dict:
    faces: dict[str, list] = {RackFace.FRONT: [], RackFace.REAR: []}
    zero_u = []
    for d in devices:
        if d.position_u is None or not d.device_type.u_height:
            zero_u.append(d)
            continue
        h = d.device_type.u_height
        top = d.position_u + h - 1
        label, tone = states.get(d.pk, (d.get_status_display(), None))
        box = {
            "name": d.name,
            "href": reverse("dashboard:device", args=[d.pk]),
            "role": d.role,
            "y": (rack.u_height - top) * U_PX,
            "h": h * U_PX,
            "state": label,
            "tone": tone or "muted",
            "u": f"U{d.position_u}" + (f"–U{top}" if h > 1 else ""),
        }
        for face in d.occupied_faces():
            faces[face].append(box)
    units = [
        {"n": u, "y": (rack.u_height - u) * U_PX + U_PX - 3} for u in range(1, rack.u_height + 1)
    ]
    return {
        "faces": [
            {"name": "Front", "boxes": faces[RackFace.FRONT]},
            {"name": "Rear", "boxes": faces[RackFace.REAR]},
        ],
        "units": units,
        "height": rack.u_height * U_PX,
        "zero_u": [
            {"name": d.name, "href": reverse("dashboard:device", args=[d.pk])} for d in zero_u
        ],
    }


def _air_values(device_ids: list[int]) -> dict[int, str]:
    """{device: "inlet 23.4 °C · outlet 35.1 °C · inlet 41 % RH"} for environment monitors,
    each probe by its component, in one statement."""
    probes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for x in store.latest_many(rack_rows.AIR_METRICS, device_ids):
        if x.metric == "env_humidity_percent":
            probes[x.device_id].append((f"1{x.component}", f"{x.component} {x.value:.0f} % RH"))
        else:
            probes[x.device_id].append((f"0{x.component}", f"{x.component} {x.value:.1f} °C"))
    return {d: " · ".join(text for _, text in sorted(p)) for d, p in probes.items()}


def build_rack(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One rack: elevation (front and rear), power now against budget and per A/B feed,
    inlet and outlet air, and its devices with live values."""
    rack = get_object_or_404(Rack.objects.select_related("room__site"), pk=pk)
    tz, now = ZoneInfo(rack.room.site.timezone), timezone.now()
    devices = list(rack.devices.select_related("device_type").order_by("-position_u", "name"))
    gpus = gpu_state.gpu_rows(device_ids=[d.pk for d in devices if d.role == DeviceRole.GPU_SERVER])
    [row] = rack_rows.rack_rows(gpus, rack_id=rack.pk)
    by_host: dict[int, list] = defaultdict(list)
    for g in gpus:
        by_host[g.device_id].append(g)
    watts, _ = rack_rows.pdu_power([d.pk for d in devices if d.role == DeviceRole.PDU])
    air = _air_values([d.pk for d in devices if d.role == DeviceRole.ENV_SENSOR])
    ports = Counter()
    for (dev, _), x in gpu_state.latest_map(
        "if_oper_status", [d.pk for d in devices if d.is_switch]
    ).items():
        ports[(dev, x.value == 1)] += 1
    states, table = {}, []
    for d in devices:
        value, state = None, None
        if d.role == DeviceRole.GPU_SERVER and by_host[d.pk]:
            g = by_host[d.pk]
            worst = min(g, key=lambda x: list(gpu_state.GPU_STATES).index(x.state)).state
            utils = [x.values["util"] for x in g if "util" in x.values]
            temps = [x.values["temp"] for x in g if "temp" in x.values]
            value = f"{len(g)} GPUs" + (f" · {sum(utils) / len(utils):.0f} % util" if utils else "")
            value += f" · max {max(temps):.0f} °C" if temps else " · no data yet"
            state = gpu_state.GPU_STATES[worst]
        elif d.pk in watts:
            value = f"{watts[d.pk] / 1000:.2f} kW"
        elif d.is_switch and (ports[(d.pk, True)] or ports[(d.pk, False)]):
            value = f"{ports[(d.pk, True)]} ports up, {ports[(d.pk, False)]} down"
        elif d.pk in air:
            value = air[d.pk]
        if state:
            states[d.pk] = state
        status = badge(d.status, d.get_status_display())
        table.append(
            [
                cell(d.name, href=reverse("dashboard:device", args=[d.pk])),
                cell(d.get_role_display()),
                cell(d.position_u and f"U{d.position_u}", sort=d.position_u or 0),
                status,
                cell(value),
                badge(state[0].lower(), *state) if state else cell(None),
            ]
        )
    feeds = [
        {
            "side": s,
            "kw": f"{row.feeds.get(s, 0) / 1000:.1f} kW" if s in row.feeds else "no data",
            "capacity": f"{row.feed_capacity[s] / 1000:.1f} kW",
            "pct": f"{100 * row.feeds[s] / row.feed_capacity[s]:.0f} %"
            if s in row.feeds and row.feed_capacity[s]
            else "—",
        }
        for s in sorted(row.feed_capacity)
    ]
    tiles = {
        "power": f"{row.power_w / 1000:.1f} kW" if row.power_w is not None else "No data yet",
        "power_pct": f"{row.power_pct:.0f} % of {row.budget_kw:.0f} kW budget"
        if row.power_pct is not None
        else f"budget {row.budget_kw:.0f} kW",
        "inlet": f"{row.inlet_c:.1f} °C" if row.inlet_c is not None else "No data yet",
        "inlet_note": rack_rows.inlet_verdict(row.inlet_c),
        "outlet": f"{row.outlet_c:.1f} °C" if row.outlet_c is not None else "No data yet",
        "outlet_note": f"{row.outlet_c - row.inlet_c:.1f} °C above the inlet"
        if row.outlet_c is not None and row.inlet_c is not None
        else "",
        "humidity": f"{row.humidity_pct:.0f} % RH"
        if row.humidity_pct is not None
        else "No data yet",
        "humidity_note": "ASHRAE recommended: at most 70 % RH and a 15 °C dew point.",
        **{f"feed_{f['side']}": f"{f['kw']} of {f['capacity']} ({f['pct']})" for f in feeds},
    }
    return stamp(
        {
            "rack": {
                "id": rack.pk,
                "name": rack.name,
                "room": rack.room.name,
                "status": rack.status,
                "status_label": rack.get_status_display(),
                "site": rack.room.site.name,
            },
            "tiles": tiles,
            "feeds": feeds,
            "state": rack_rows.RACK_STATES[row.state],
            "elevation": _elevation(rack, devices, states),
            "tables": {"devices": table},
            "at": now.isoformat(),
            "maintenance": glance.for_devices(
                {d.pk for d in devices}, tz, now, site_id=rack.room.site_id
            ),
        },
        tz,
    )


racks, racks_api = page_and_api("dashboard/racks.html", build_racks, "dashboard:racks_api")
rack, rack_api = page_and_api("dashboard/rack.html", build_rack, "dashboard:rack_api")
