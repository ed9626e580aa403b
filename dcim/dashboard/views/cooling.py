"""Cooling: CRAHs, CDUs and chillers with supply and return temperatures, setpoints,
humidity, and delta-T (return − supply) now and over time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from dcim.dashboard import buckets, charts
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device
from dcim.ui.json_twin import bad_request, fleet_tz, json_response, page_and_api, stamp
from dcim.ui.tables import badge, cell, when
from dcim.ui.units import measure
from telemetry import store

# kind -> (roles, supply, return, setpoint, humidity)
KINDS = {
    "air": (
        (DeviceRole.CRAH, DeviceRole.CRAC),
        "cooling_supply_air_temperature_celsius",
        "cooling_return_air_temperature_celsius",
        "cooling_supply_air_setpoint_celsius",
        "cooling_return_air_humidity_percent",
    ),
    "cdu": (
        (DeviceRole.CDU,),
        "cdu_secondary_supply_temperature_celsius",
        "cdu_secondary_return_temperature_celsius",
        "cdu_secondary_supply_setpoint_celsius",
        None,
    ),
    "chiller": (
        (DeviceRole.CHILLER,),
        "chiller_supply_water_temperature_celsius",
        "chiller_return_water_temperature_celsius",
        "chiller_supply_water_setpoint_celsius",
        None,
    ),
}


def _units(kind: str) -> list[tuple]:
    roles = KINDS[kind][0]
    return list(
        Device.objects.filter(role__in=roles)
        .order_by("name")
        .values_list("pk", "name", "room__name", "status")
    )


def build_cooling(request: HttpRequest) -> dict[str, Any]:
    """Each cooling unit's supply, return, setpoint, humidity and delta-T now."""
    tz, now = fleet_tz(), timezone.now()
    tables, seen = {}, 0
    for kind, (_, sup, ret, setp, hum) in KINDS.items():
        units = _units(kind)
        wanted = [m for m in (sup, ret, setp, hum) if m]
        vals: dict[int, dict] = {}
        for x in store.latest_many(wanted, [u[0] for u in units]):
            vals.setdefault(x.device_id, {})[x.metric] = x
        seen += len(vals)
        rows = []
        for pk, name, room, status in units:
            v = vals.get(pk, {})

            def val(metric, v=v):
                return v[metric].value if metric in v else None

            s, r = val(sup), val(ret)
            newest = max((x.ts for x in v.values()), default=None)
            rows.append(
                [
                    cell(name, href=reverse("dashboard:device", args=[pk])),
                    cell(room),
                    badge(status),
                    measure(s, "celsius", digits=1),
                    measure(r, "celsius", digits=1),
                    measure(val(setp), "celsius", digits=1),
                    measure(None if s is None or r is None else r - s, "kelvin", digits=1),
                    measure(val(hum), "percent", digits=0) if hum else cell(None),
                    when(newest, tz, now),
                ]
            )
        tables[kind] = rows
    return stamp(
        {
            "tables": tables,
            "tiles": {"no_data": "" if seen else "No data yet: no cooling unit has reported."},
        },
        tz,
    )


cooling, cooling_api = page_and_api(
    "dashboard/cooling.html", build_cooling, "dashboard:cooling_api"
)


@require_safe
def delta_t(request: HttpRequest) -> JsonResponse:
    """Delta-T (return − supply) over a range, one trace per unit of the chosen kind,
    partial buckets apart (``buckets``)."""
    tz = fleet_tz()
    kind = request.GET.get("kind", "air")
    if kind not in KINDS:
        return bad_request(f"unknown kind {kind!r}")
    try:
        start, end, key = charts.parse_range(request.GET, tz)
    except charts.RangeError as exc:
        return bad_request(str(exc))
    _, sup, ret, _, _ = KINDS[kind]
    units = {u[0]: u[1] for u in _units(kind)}
    series: dict[int, dict[str, int]] = {}
    for m in (sup, ret):
        for s in store.find_series(metric=m):
            if s["device_id"] in units and s["component"] == "":
                series.setdefault(s["device_id"], {})[m] = s["id"]
    traces, res, began, now = [], set(), [], timezone.now()
    for dev, ids in sorted(series.items(), key=lambda kv: units[kv[0]]):
        if len(ids) < 2:
            continue
        a = store.query(ids[sup], start, end, max_points=charts.MAX_POINTS, downsample_with="none")
        b = store.query(ids[ret], start, end, max_points=charts.MAX_POINTS, downsample_with="none")
        common, ia, ib = np.intersect1d(a.ts, b.ts, return_indices=True)
        res.add(a.resolution)
        if len(common) > charts.MAX_POINTS:  # keep every n-th: delta-T is smooth
            keep = np.linspace(0, len(common) - 1, charts.MAX_POINTS).astype(int)
            common, ia, ib = common[keep], ia[keep], ib[keep]
        trace = {
            "name": units[dev],
            "x": charts.local_ms(common, tz),
            "y": np.round(b.value[ib] - a.value[ia], 2).tolist(),
        }
        verdict = _judge(list(ids.values()), common, a.resolution, start, now, tz)
        began += [verdict.began] if verdict.began else []
        traces.append(buckets.split_trace(trace, verdict.reasons))
    data = {
        "range": key,
        "unit": "K",
        "tz": str(tz),
        "traces": traces,
        "resolution": ", ".join(sorted(res)) or "none",
    }
    pad = timedelta(seconds=max(60.0, 2 * store.default_interval_s()))
    buckets.annotate(data, min(began, default=None), tz, now - end < timedelta(minutes=1), pad)
    data["empty"] = "" if data["points"] else "No data in this range."
    return json_response(request, data)


def _judge(ids: list[int], ts: np.ndarray, resolution: str, start, now, tz) -> buckets.Verdict:
    """Delta-T of two bucket means is partial where either bucket is (the rule in
    ``buckets``); raw pairs are readings."""
    if resolution not in buckets.STEPS or not len(ts):
        return buckets.raw_verdict(ts)
    starts = [datetime.fromtimestamp(t / 1e6, UTC) for t in ts.astype(np.int64).tolist()]
    return buckets.judge(
        ids,
        starts,
        buckets.STEPS[resolution],
        now=now,
        read_from=start,
        interval_s=store.default_interval_s(),
        tz=tz,
    )
