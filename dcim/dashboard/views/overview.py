"""The Overview: what is hot, throttled, lost or down right now, and what the inventory holds.

Every view requires a login (LoginRequiredMiddleware) but /health.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dcim import alerts
from dcim.dashboard import buckets, charts, gpu_state, rack_rows
from dcim.dashboard.inventory_summary import inventory_summary
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device
from dcim.maintenance import glance
from dcim.ui.json_twin import bad_request, fleet_tz, json_response, page_and_api, stamp
from dcim.ui.tables import ago, badge, cell, number
from telemetry import freshness, polling, store

TOP = 8


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers and docker healthchecks."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)


def _histogram(values: list[float], lo: float, hi: float, step: float) -> dict[str, list]:
    edges = np.arange(lo, hi + step, step)
    counts, _ = np.histogram(np.clip(values, lo, hi - 1e-9), bins=edges) if values else ([], [])
    return {"x": [float(e + step / 2) for e in edges[:-1]], "y": [int(c) for c in counts]}


def _rack_link(r: rack_rows.RackRow) -> dict:
    return cell(r.name, href=reverse("dashboard:rack", args=[r.id]))


def _collectors(tz, now) -> tuple[dict[str, int], list[list[dict]]]:
    rows = []
    for t in polling.failing()[:TOP]:
        since = t.last_success_at
        text = f"down since {since.astimezone(tz):%Y-%m-%d %H:%M %Z}" if since else "never answered"
        rows.append(
            [
                cell(t.device.name, href=reverse("dashboard:device", args=[t.device_id])),
                cell(t.get_protocol_display()),
                badge("down", text, "crit"),
                number(t.consecutive_failures, 0),
                cell(t.last_error[:120] or None),
            ]
        )
    return polling.health_summary(), rows


def _alert_tiles(counts: dict) -> dict[str, str]:
    """The alerts tile: firing and pending, then firing by severity and what is handled."""
    by_severity = counts["firing_by_severity"]
    return {
        "alerts": f"{counts['firing']} firing",
        "alerts_note": (
            f"{by_severity['critical']} critical, {by_severity['warning']} warning, "
            f"{by_severity['info']} info; {counts['pending']} pending, "
            f"{counts['acknowledged']} acknowledged, {counts['silenced']} silenced."
        ),
    }


def _inlet_tiles(racks: list[rack_rows.RackRow]) -> dict[str, str]:
    """The rack inlets tile: their range now, and how many sit outside ASHRAE recommended
    (the envelope the built-in inlet rules watch), naming the hottest."""
    measured = [r for r in racks if r.inlet_c is not None]
    if not measured:
        return {"inlet_range": "No data yet", "inlet_note": "No rack inlet probe has reported."}
    lo, hi = rack_rows.RECOMMENDED_C
    coldest = min(measured, key=lambda r: r.inlet_c)
    hottest = max(measured, key=lambda r: r.inlet_c)
    outside = sum(not lo <= r.inlet_c <= hi for r in measured)
    return {
        "inlet_range": f"{coldest.inlet_c:.1f}–{hottest.inlet_c:.1f} °C",
        "inlet_note": (
            f"{outside} of {len(measured)} racks outside ASHRAE recommended "
            f"{lo:.0f}–{hi:.0f} °C; hottest {hottest.name}."
        ),
    }


def build_overview(request: HttpRequest) -> dict[str, Any]:
    """Fleet state now: IT load, GPU states and distributions, collectors, worst racks."""
    tz, now = fleet_tz(), timezone.now()
    gpus = gpu_state.gpu_rows(now=now)
    racks = rack_rows.rack_rows(gpus)
    counts = gpu_state.state_counts(gpus)
    reporting = [r for r in racks if r.power_w is not None]
    it_w = sum(r.power_w for r in reporting)
    oldest = min((r.power_ts for r in reporting), default=None)
    temps = [g.values["temp"] for g in gpus if "temp" in g.values]
    utils = [g.values["util"] for g in gpus if "util" in g.values]
    health, failing = _collectors(tz, now)
    alert_counts = alerts.summary()
    if reporting:
        load_note = (
            f"Sum of {len(reporting)} racks' PDU inlet power; oldest reading {ago(oldest, now)}."
        )
    else:
        load_note = "No data yet: no PDU has reported power."
    hot = sorted(
        (r for r in racks if r.inlet_c is not None or r.gpu_temp_max is not None),
        key=lambda r: -(r.inlet_c if r.inlet_c is not None else r.gpu_temp_max),
    )
    near = sorted((r for r in racks if r.power_pct is not None), key=lambda r: -r.power_pct)
    tiles = {
        "it_load_kw": f"{it_w / 1000:,.1f} kW" if reporting else "No data yet",
        "it_load_note": load_note,
        "gpu_total": str(len(gpus)),
        "gpu_util_mean": f"{np.mean(utils):.0f} %" if utils else "No data yet",
        "gpu_temp_max": f"{max(temps):.0f} °C" if temps else "No data yet",
        **_inlet_tiles(racks),
        "collectors": f"{health['up']} up · {health['down']} down",
        **_alert_tiles(alert_counts),
        **glance.tiles(now, tz),
        **{f"gpu_{k}": str(v) for k, v in counts.items()},
    }
    return stamp(
        {
            "tiles": tiles,
            "gpu_states": [
                {"value": k, "label": label, "tone": tone, "count": counts[k]}
                for k, (label, tone) in gpu_state.GPU_STATES.items()
            ],
            "distributions": {
                "util": _histogram(utils, 0, 100, 5),
                "temp": _histogram(temps, 20, 100, 2),
            },
            "tables": {
                "hot_racks": [
                    [
                        _rack_link(r),
                        cell(r.room),
                        number(r.inlet_c, 1, " °C"),
                        number(r.outlet_c, 1, " °C"),
                        number(r.gpu_temp_max, 0, " °C"),
                        badge(r.state, *rack_rows.RACK_STATES[r.state]),
                    ]
                    for r in hot[:TOP]
                ],
                "near_budget": [
                    [
                        _rack_link(r),
                        cell(r.room),
                        number(r.power_w, 1, " kW", 1e-3),
                        number(r.budget_kw, 1, " kW"),
                        number(r.power_pct, 0, " %"),
                    ]
                    for r in near[:TOP]
                ],
                "failing_collectors": failing,
            },
            "collectors": health,
            "alerts": alert_counts,
            "summary": inventory_summary(),
        },
        tz,
    )


overview, overview_api = page_and_api(
    "dashboard/overview.html", build_overview, "dashboard:overview_api"
)


@require_safe
def it_load(request: HttpRequest) -> JsonResponse:
    """IT load (sum of rack PDU power) over a range, as one Plotly trace; buckets still
    open, begun mid-bucket or missing some PDUs drawn apart as partial (``buckets``)."""
    tz = fleet_tz()
    try:
        start, end, key = charts.parse_range(request.GET, tz)
    except charts.RangeError as exc:
        return bad_request(str(exc))
    pdus = set(
        Device.objects.filter(role=DeviceRole.PDU, rack__isnull=False).values_list("pk", flat=True)
    )
    ids = [s["id"] for s in store.find_series(metric="pdu_power_watts") if s["device_id"] in pdus]
    span = (end - start).total_seconds()
    step = timedelta(minutes=5 * max(1, int(np.ceil(span / 300 / charts.MAX_POINTS))))
    if span > 3 * 86400:
        step = max(step, timedelta(hours=1))
    interval_s = (
        max(freshness.intervals_by_device(list(pdus)).values(), default=None)
        or store.default_interval_s()
    )
    # The first minutes of data: until one bucket can be complete, the chart would be a
    # partial bucket or two; sum raw samples at the poll interval instead (a point a poll).
    # Asked over the last three buckets only: data that began earlier fills a bucket
    # anyway, and a 7-day window scanned 7 days of samples (1.1 s where 80 ms was the rule).
    recent = (max(start, end - 3 * step), end)
    began = store.first_samples(ids, [recent])[0] if ids else None
    step_s = step.total_seconds()
    if (
        began is not None
        and end - began < timedelta(seconds=step_s - began.timestamp() % step_s) + step
    ):
        step = timedelta(seconds=interval_s)
        secs, watts, n = store.summed_raw(ids, began, end, step)
    else:
        secs, watts, n = store.summed_history(ids, start, end, step)
    ts = (secs * 1e6).astype("datetime64[us]") if len(secs) else np.array([], "datetime64[us]")
    now, starts = timezone.now(), [datetime.fromtimestamp(b, UTC) for b in secs.tolist()]
    verdict = buckets.judge(
        ids,
        starts,
        step,
        now=now,
        read_from=starts[0] if starts else start,  # sums read the first bucket whole
        interval_s=interval_s,
        tz=tz,
        counts=n.astype(int).tolist(),
        what="PDU series",
    )
    trace = {
        "name": "IT load",
        "x": charts.local_ms(ts, tz),
        "y": [round(w / 1000, 2) for w in watts.tolist()],
        "customdata": n.astype(int).tolist(),
    }
    data = {
        "range": key,
        "unit": "kW",
        "tz": str(tz),
        "traces": [buckets.split_trace(trace, verdict.reasons)],
        "resolution": (
            f"{int(step.total_seconds() // 60)} min"
            if step >= timedelta(minutes=1)
            else f"{int(step.total_seconds())} s"
        ),
        "series": len(ids),
        "empty": "No data yet in this range." if not len(secs) else "",
    }
    live = now - end < timedelta(minutes=1)
    return json_response(request, buckets.annotate(data, verdict.began, tz, live, step))
