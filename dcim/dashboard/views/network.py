"""Network: every switch with port states, throughput and utilization from counter rates,
errors and discards; the ports that are down while enabled; the ports with errors."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dcim.dashboard import charts
from dcim.inventory.choices import DeviceRole, NetworkLayer
from dcim.inventory.models import Device
from dcim.ui import units
from dcim.ui.json_twin import fleet_tz, page_and_api, stamp
from dcim.ui.tables import badge, cell
from telemetry import store

STATUS = ("if_oper_status", "if_admin_status", "if_speed_bits_per_second")
COUNTERS = (
    "if_in_bytes_total",
    "if_out_bytes_total",
    "if_in_errors_total",
    "if_out_errors_total",
    "if_in_discards_total",
    "if_out_discards_total",
)
TOP = 25


def _by_port(latest: dict, rates: dict) -> dict[tuple[int, int], dict[str, float]]:
    """(device, port key) -> {metric: value}, status from latest, counters as rates."""
    ports: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for d, p, m, v in zip(
        latest["dev"].tolist(),
        latest["port"].tolist(),
        latest["m"].tolist(),
        latest["v"].tolist(),
        strict=True,
    ):
        ports[(d, p)][STATUS[m]] = v
    for d, p, m, v in zip(
        rates["dev"].tolist(),
        rates["port"].tolist(),
        rates["m"].tolist(),
        rates["rate"].tolist(),
        strict=True,
    ):
        ports[(int(d), int(p))][COUNTERS[int(m)]] = v
    return ports


def build_network(request: HttpRequest) -> dict[str, Any]:
    """Switch-by-switch port health and load; down and erroring ports called out.

    Two bulk reads (latest port states, recent counter samples) as numpy arrays: the demo
    has 4,608 ports and six counters each."""
    tz, now = fleet_tz(), timezone.now()
    switches = list(
        Device.objects.filter(role__in=[DeviceRole.SWITCH, DeviceRole.ROUTER])
        .order_by("name")
        .values_list("pk", "name", "rack__name", "network_layer", "status")
    )
    ids = [s[0] for s in switches]
    window = now - timedelta(seconds=4 * store.default_interval_s())
    ports = _by_port(
        store.port_latest(list(STATUS), ids), store.port_rates(list(COUNTERS), ids, window)
    )
    agg: dict[int, dict] = defaultdict(
        lambda: {"up": 0, "down": 0, "in": 0.0, "out": 0.0, "util": None, "err": 0.0, "disc": 0.0}
    )
    down, erroring = [], []
    for (dev, port), m in ports.items():
        a = agg[dev]
        oper, admin = m.get("if_oper_status"), m.get("if_admin_status")
        if oper == 1:
            a["up"] += 1
        elif oper is not None and admin in (None, 1):
            a["down"] += 1
            down.append((dev, port))
        rx, tx = m.get("if_in_bytes_total", 0.0), m.get("if_out_bytes_total", 0.0)
        a["in"] += rx * 8
        a["out"] += tx * 8
        if m.get("if_speed_bits_per_second"):
            u = 100 * 8 * max(rx, tx) / m["if_speed_bits_per_second"]
            a["util"] = max(u, a["util"] or 0)
        err = m.get("if_in_errors_total", 0.0) + m.get("if_out_errors_total", 0.0)
        disc = m.get("if_in_discards_total", 0.0) + m.get("if_out_discards_total", 0.0)
        a["err"] += err
        a["disc"] += disc
        if err > 0 or disc > 0:
            erroring.append((err + disc, dev, port, err, disc))
    erroring.sort(reverse=True)
    erroring = erroring[:TOP]
    shown = {d for d, _ in down} | {e[1] for e in erroring}
    label = store.component_names(sorted(shown), "if_oper_status") if shown else {}
    names = {s[0]: s[1] for s in switches}
    link = {s[0]: reverse("dashboard:device", args=[s[0]]) for s in switches}

    def port_name(dev: int, port: int) -> str:
        return label.get((dev, port), "?").removeprefix("if:")

    rows = []
    for pk, name, rack, layer, status in switches:
        a = agg.get(pk)
        rows.append(
            [
                cell(name, href=link[pk]),
                cell(rack),
                cell(NetworkLayer(layer).label if layer else None, sort=layer or None),
                badge(status),
                units.measure(a and a["up"], "count", digits=0),
                units.measure(a and a["down"], "count", digits=0),
                units.measure(a and a["in"], "bits_per_second", digits=1, prefix="G"),
                units.measure(a and a["out"], "bits_per_second", digits=1, prefix="G"),
                units.measure(a and a["util"], "percent", digits=1),
                units.measure(a and a["err"], "per_second", digits=2),
                units.measure(a and a["disc"], "per_second", digits=2),
            ]
        )
    down_rows = sorted(
        (
            [
                cell(names[d], href=link[d]),
                cell(port_name(d, p)),
                badge("down", "Down"),
                cell("admin up, oper not up"),
            ]
            for d, p in down
        ),
        key=lambda r: (r[0]["t"], charts.natural_key(r[1]["t"])),
    )
    inbound = sum(a["in"] for a in agg.values())
    return stamp(
        {
            "tiles": {
                "switches": str(len(switches)),
                "ports_up": str(sum(a["up"] for a in agg.values())),
                "ports_down": str(sum(a["down"] for a in agg.values())),
                "throughput": (
                    units.text(inbound, "bits_per_second", digits=2, prefix="T") + " in"
                    if ports
                    else "—"
                ),
                "no_data": "" if ports else "No data yet: no switch has reported its ports.",
            },
            "tables": {
                "switches": rows,
                "down_ports": down_rows[:200],
                "error_ports": [
                    [
                        cell(names[d], href=link[d]),
                        cell(port_name(d, p)),
                        units.measure(e, "per_second", digits=2),
                        units.measure(x, "per_second", digits=2),
                    ]
                    for _, d, p, e, x in erroring
                ],
            },
        },
        tz,
    )


network, network_api = page_and_api(
    "dashboard/network.html", build_network, "dashboard:network_api"
)
