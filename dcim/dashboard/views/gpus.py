"""Every GPU: a sortable, filterable table and a fleet heatmap (hosts × GPUs) with outliers.

The page is a light shell; its 2,048-row table arrives as JSON (gzipped) and is drawn by
the browser, so the HTML stays small and the table refreshes in place.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from dcim.dashboard import gpu_heatmap, gpu_state
from dcim.dashboard.gpu_heatmap import HEAT
from dcim.ui import units
from dcim.ui.json_twin import fleet_tz, page_and_api, refresh_seconds, stamp
from dcim.ui.tables import badge, cell, linker, when


def _rows(rows: list[gpu_state.GpuRow], tz, now) -> list[list[dict]]:
    """The table's cells. Host, rack, state, reasons, numbers and "last reading" repeat
    across a host's 8 GPUs or the fleet, so each distinct cell is built once and shared
    (the JSON then sends it once: ``tables.pooled``)."""
    device_url, rack_url = linker("dashboard:device"), linker("dashboard:rack")
    hosts: dict[int, tuple[dict, dict]] = {}
    states = {k: badge(k, label, tone) for k, (label, tone) in gpu_state.GPU_STATES.items()}
    names = [cell(f"GPU{i}", sort=i) for i in range(max((g.index for g in rows), default=0) + 1)]
    util = units.measures("percent", digits=0)
    temp = units.measures("celsius", digits=0)
    power = units.measures("watts", digits=0, prefix="")
    mem = units.measures("bytes", digits=1, prefix="Gi")
    count, xid = units.measures("count", digits=0), units.measures("xid")
    reasons: dict[float | None, dict] = {}
    seen: dict[float | None, dict] = {}
    out = []
    for g in rows:
        v = g.values
        if g.device_id not in hosts:
            hosts[g.device_id] = (
                cell(g.host, href=device_url(g.device_id)),
                cell(g.rack or None, href=g.rack_id and rack_url(g.rack_id)),
            )
        host, rack = hosts[g.device_id]
        mask = v.get("reasons")
        if mask not in reasons:
            reasons[mask] = cell(gpu_state.reasons_text(mask) or None)
        if g.ts_s not in seen:
            seen[g.ts_s] = when(g.ts, tz, now)
        out.append(
            [
                host,
                names[g.index],
                rack,
                util(v.get("util")),
                temp(v.get("temp")),
                power(v.get("power")),
                mem(v.get("mem_used")),
                count(v.get("ecc")),
                xid(v.get("xid")),
                reasons[mask],
                states[g.state],
                seen[g.ts_s],
            ]
        )
    return out


def build_gpus(request: HttpRequest) -> dict[str, Any]:
    """Every GPU's latest values and state, counts by state, and the heatmap."""
    tz, now = fleet_tz(), timezone.now()
    rows = gpu_state.gpu_rows(now=now)
    key = request.GET.get("heat", "temp")
    if key not in HEAT:
        key = "temp"
    counts = gpu_state.state_counts(rows)
    return stamp(
        {
            "tiles": {
                "gpu_total": str(len(rows)),
                **{f"gpu_{k}": str(v) for k, v in counts.items()},
            },
            "tables": {"gpus": _rows(rows, tz, now)},
            "heatmap": gpu_heatmap.heatmap(rows, key),
        },
        tz,
    )


_, gpus_api = page_and_api("dashboard/gpus.html", build_gpus, "dashboard:gpus_api")


@require_safe
def gpus(request: HttpRequest) -> HttpResponse:
    """The shell: filters, headings and an empty table the script fills from the JSON."""
    live = reverse("dashboard:gpus_api") + ("?" + request.GET.urlencode() if request.GET else "")
    return render(
        request,
        "dashboard/gpus.html",
        {
            "live_url": live,
            "refresh_s": refresh_seconds(),
            "states": [
                {"value": k, "label": v[0], "tone": v[1]} for k, v in gpu_state.GPU_STATES.items()
            ],
            "heat": [{"key": k, "label": v[0]} for k, v in HEAT.items()],
            "heat_key": request.GET.get("heat", "temp"),
        },
    )
