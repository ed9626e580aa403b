"""The floor: each room's racks on its grid, coloured by a chosen metric, with a legend.

Every tile also carries its value as text, so the map reads without colour.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from dcim.dashboard import gpu_state, rack_rows
from dcim.inventory.models import Room
from dcim.ui.json_twin import fleet_tz, page_and_api, stamp

# metric -> (label, legend [(class, words)], how a rack is classified and labelled)
METRICS = {
    "power": "Power, % of budget",
    "inlet": "Inlet temperature",
    "gpu_util": "GPU utilization",
    "state": "State",
}
LEGENDS = {
    "power": [
        ("heat-0", "under 50 %"),
        ("heat-1", "50–70 %"),
        ("heat-2", "70–80 %"),
        ("heat-3", "80–100 %: over the 80 % planning limit"),
        ("heat-4", "over 100 %"),
    ],
    "inlet": [
        ("heat-cold", "under 18 °C: below ASHRAE recommended"),
        ("heat-0", "18–27 °C: ASHRAE recommended"),
        ("heat-3", "27–32 °C: A1 allowable"),
        ("heat-4", "over 32 °C: outside A1"),
    ],
    "gpu_util": [
        ("util-0", "under 25 %"),
        ("util-1", "25–50 %"),
        ("util-2", "50–75 %"),
        ("util-3", "75 % and over"),
    ],
    "state": [(f"tone-{tone}", label) for label, tone in rack_rows.RACK_STATES.values()],
}
NO_DATA = ("nodata", "no data")


def _power(r: rack_rows.RackRow) -> tuple[str, str]:
    p = r.power_pct
    if p is None:
        return "nodata", "no data"
    cls = "heat-0" if p < 50 else "heat-1" if p < 70 else "heat-2" if p < 80 else "heat-3"
    return ("heat-4" if p > 100 else cls), f"{p:.0f} %"


def _inlet(r: rack_rows.RackRow) -> tuple[str, str]:
    t = r.inlet_c
    if t is None:
        return NO_DATA
    cls = "heat-cold" if t < 18 else "heat-0" if t <= 27 else "heat-3" if t <= 32 else "heat-4"
    return cls, f"{t:.1f} °C"


def _util(r: rack_rows.RackRow) -> tuple[str, str]:
    u = r.gpu_util
    if u is None:
        return NO_DATA if r.gpus else ("nodata", "no GPUs")
    return f"util-{min(3, int(u // 25))}", f"{u:.0f} %"


def _state(r: rack_rows.RackRow) -> tuple[str, str]:
    label, tone = rack_rows.RACK_STATES[r.state]
    return f"tone-{tone}", label


CLASSIFY = {"power": _power, "inlet": _inlet, "gpu_util": _util, "state": _state}


def build_floor(request: HttpRequest) -> dict[str, Any]:
    """One room's racks on its grid, each with a class and a value for the chosen metric."""
    tz = fleet_tz()
    rooms = list(
        Room.objects.order_by("site__name", "name").values(
            "pk", "name", "grid_columns", "grid_rows"
        )
    )
    metric = request.GET.get("metric", "power")
    if metric not in METRICS:
        metric = "power"
    room = rooms[0] if rooms else None
    if request.GET.get("room"):
        room = next((r for r in rooms if str(r["pk"]) == request.GET["room"]), None)
        if room is None:
            raise Http404("No such room.")
    racks, unplaced = [], []
    if room:
        gpus = gpu_state.gpu_rows(now=timezone.now())
        for r in rack_rows.rack_rows(gpus, room_id=room["pk"]):
            cls, text = CLASSIFY[metric](r)
            item = {
                "id": r.id,
                "name": r.name,
                "x": r.grid_x,
                "y": r.grid_y,
                "cls": cls,
                "text": text,
                "href": reverse("dashboard:rack", args=[r.id]),
            }
            (racks if r.grid_x is not None else unplaced).append(item)
    return stamp(
        {
            "rooms": [{"id": r["pk"], "name": r["name"]} for r in rooms],
            "room": room
            and {
                "id": room["pk"],
                "name": room["name"],
                "columns": room["grid_columns"],
                "rows": room["grid_rows"],
            },
            "metric": metric,
            "metric_label": METRICS[metric],
            "metrics": [{"key": k, "label": v} for k, v in METRICS.items()],
            "legend": [{"cls": c, "label": t} for c, t in LEGENDS[metric] + [NO_DATA]],
            "racks": racks,
            "unplaced": unplaced,
        },
        tz,
    )


floor, floor_api = page_and_api("dashboard/floor.html", build_floor, "dashboard:floor_api")
