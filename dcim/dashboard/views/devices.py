"""One device: identity and place, latest values, charts over any range; its GPUs (with
sparklines), ports or outlets depending on what it is."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from dcim.dashboard import charts, gpu_state
from dcim.dashboard.views import network
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device
from dcim.maintenance import glance
from dcim.ui import metric_names, units
from dcim.ui.json_twin import bad_request, json_response, page_and_api, stamp
from dcim.ui.tables import badge, cell, when
from telemetry import freshness, store
from telemetry.collectors.catalog import describe

DEFAULT_CHART = {
    DeviceRole.GPU_SERVER: "gpu_temperature_celsius",
    DeviceRole.SWITCH: "if_in_bytes_total",
    DeviceRole.PDU: "pdu_power_watts",
    DeviceRole.CRAH: "cooling_supply_air_temperature_celsius",
    DeviceRole.CDU: "cdu_secondary_supply_temperature_celsius",
    DeviceRole.CHILLER: "chiller_supply_water_temperature_celsius",
    DeviceRole.ENV_SENSOR: "env_temperature_celsius",
    DeviceRole.UPS: "ups_output_power_watts",
}
GIB = 1 / 2**30


def _gpu_table(device: Device, now, tz) -> list[list[dict]]:
    rows = gpu_state.gpu_rows(device_ids=[device.pk], now=now)
    util = {
        s["component"]: s["id"]
        for s in store.find_series(device_id=device.pk, metric="gpu_utilization_percent")
    }
    out = []
    for g in rows:
        v = g.values
        spark = ""
        if f"gpu{g.index}" in util:
            spark = charts.sparkline(util[f"gpu{g.index}"], now - timedelta(hours=1), now)
        label, tone = gpu_state.GPU_STATES[g.state]
        mem = (
            f"{v['mem_used'] * GIB:.0f} / {v['mem_total'] * GIB:.0f} GiB"
            if "mem_used" in v and "mem_total" in v
            else None
        )
        out.append(
            [
                cell(f"GPU{g.index}", sort=g.index),
                cell(g.uuid[:13] + "…" if g.uuid else None),
                {**units.measure(v.get("util"), "percent", digits=0), "sp": spark},
                units.measure(v.get("temp"), "celsius", digits=0),
                units.measure(v.get("power"), "watts", digits=0, prefix=""),
                cell(mem, sort=v.get("mem_used", -1), num=True),
                units.measure(v.get("ecc"), "count", digits=0),
                units.measure(v.get("xid"), "xid"),
                cell(gpu_state.reasons_text(v.get("reasons")) or None),
                badge(g.state, label, tone),
                when(g.ts, tz, now),
            ]
        )
    return out


def _ports(latest: list, now, tz) -> list[list[dict]]:
    by: dict[str, dict] = {}
    for x in latest:
        if x.component.startswith("if:"):
            by.setdefault(x.component, {})[x.metric] = x
    ids = [m[c].series_id for m in by.values() for c in network.COUNTERS if c in m]
    rates = store.recent_rates(ids, now - timedelta(seconds=4 * store.default_interval_s()))
    out, gbps = [], units.measures("bits_per_second", digits=2, prefix="G")
    for comp in sorted(by, key=charts.natural_key):
        m = by[comp]

        def r(metric: str, m=m) -> float | None:
            return rates.get(m[metric].series_id) if metric in m else None

        speed = m["if_speed_bits_per_second"].value if "if_speed_bits_per_second" in m else None
        bits = [x * 8 for x in (r("if_in_bytes_total"), r("if_out_bytes_total")) if x is not None]
        util = 100 * max(bits) / speed if bits and speed else None
        oper = m.get("if_oper_status")
        admin = m.get("if_admin_status")
        state = (
            "no data"
            if oper is None
            else "up"
            if oper.value == 1
            else ("disabled" if admin and admin.value == 2 else "down")
        )
        errs = sum(x for x in (r("if_in_errors_total"), r("if_out_errors_total")) if x)
        disc = sum(x for x in (r("if_in_discards_total"), r("if_out_discards_total")) if x)
        out.append(
            [
                cell(comp[3:]),
                badge(
                    state.replace(" ", "_"),
                    state.capitalize(),
                    "muted" if state == "disabled" else None,
                ),
                units.measure(speed, "bits_per_second", digits=0, prefix="G"),
                gbps(_bits(r("if_in_bytes_total"))),
                gbps(_bits(r("if_out_bytes_total"))),
                units.measure(util, "percent", digits=1),
                units.measure(errs, "per_second", digits=2),
                units.measure(disc, "per_second", digits=2),
            ]
        )
    return out


def _bits(bytes_per_s: float | None) -> float | None:
    return None if bytes_per_s is None else 8 * bytes_per_s


def _metric_cell(metric: str) -> dict:
    """A metric as people read it ("PDU energy"), with its name and what it means (the
    collectors' catalog) as its hover title."""
    known = describe(metric)
    title = f"{metric}: {known.meaning}" if known else metric
    return cell(metric_names.label(metric), sort=metric, ti=title)


def build_device(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Identity and place, latest values, and the tables its kind calls for."""
    device = get_object_or_404(
        Device.objects.select_related("device_type__manufacturer", "site", "room", "rack"), pk=pk
    )
    tz, now = ZoneInfo(device.site.timezone), timezone.now()
    latest = store.latest(device_ids=[device.pk])
    interval = freshness.intervals_by_device([device.pk]).get(device.pk)
    tables: dict[str, list] = {}
    if device.role == DeviceRole.GPU_SERVER or device.device_type.gpu_count:
        tables["gpus"] = _gpu_table(device, now, tz)
    if device.is_switch:
        tables["ports"] = _ports(latest, now, tz)
    outlets = sorted(
        (x for x in latest if x.metric == "pdu_outlet_power_watts"),
        key=lambda x: charts.natural_key(x.component),
    )
    if device.role in (DeviceRole.PDU, DeviceRole.UPS) or outlets:
        tables["outlets"] = [
            [
                cell(x.component.split(":", 1)[-1], sort=charts.natural_key(x.component)[-1]),
                units.measure(x.value, x.unit, x.metric),
                when(x.ts, tz, now),
            ]
            for x in outlets
        ]
    shown = ("gpu", "if:", "outlet:")
    rest = [x for x in latest if not x.component.startswith(shown)]
    tables["latest"] = [
        [
            _metric_cell(x.metric),
            cell(x.component or None),
            units.measure(x.value, x.unit, x.metric),
            when(x.ts, tz, now),
        ]
        for x in sorted(rest, key=lambda x: (x.metric, x.component))
    ]
    newest = max((x.ts for x in latest), default=None)
    if newest is None:
        freshness_words = "No data yet: nothing has been collected from this device."
    elif freshness.is_stale(newest, interval, now):
        freshness_words = (
            f"Stale: the newest reading is from {newest.astimezone(tz):%Y-%m-%d %H:%M:%S %Z}."
        )
    else:
        freshness_words = f"Live: newest reading {newest.astimezone(tz):%H:%M:%S %Z}."
    targets = [
        {
            "protocol": t.get_protocol_display(),
            "state": t.state,
            "interval": t.interval_s,
            "since": t.last_success_at and f"{t.last_success_at.astimezone(tz):%Y-%m-%d %H:%M %Z}",
            "error": t.last_error[:200],
        }
        for t in device.collection_targets.all()
    ]
    chart_metrics = sorted({x.metric for x in latest})
    default = DEFAULT_CHART.get(device.role)
    if default not in chart_metrics:
        default = chart_metrics[0] if chart_metrics else ""
    return stamp(
        {
            "device": {
                "id": device.pk,
                "name": device.name,
                "role": device.get_role_display(),
                "status": device.status,
                "status_label": device.get_status_display(),
                "type": str(device.device_type),
                "serial": device.serial,
                "asset_tag": device.asset_tag,
                "site": device.site.name,
                "room": device.room and device.room.name,
                "rack": device.rack and {"id": device.rack_id, "name": device.rack.name},
                "position": device.position_u
                and f"U{device.position_u} ({device.get_face_display()})",
                "address": device.management_address,
            },
            "freshness": freshness_words,
            "targets": targets,
            "tables": tables,
            "chart_metrics": [{"name": m, "label": metric_names.label(m)} for m in chart_metrics],
            "chart_default": default,
            "tiles": {"freshness": freshness_words},
            "maintenance": glance.for_devices({device.pk}, tz, now, site_id=device.site_id),
        },
        tz,
    )


device, device_api = page_and_api("dashboard/device.html", build_device, "dashboard:device_api")


@require_safe
def device_chart(request: HttpRequest, pk: int) -> JsonResponse:
    """One metric of a device over a range: a trace per component, ≤ 2,000 points each."""
    device = get_object_or_404(Device.objects.select_related("site"), pk=pk)
    tz = ZoneInfo(device.site.timezone)
    metric = request.GET.get("metric", "")
    try:
        start, end, key = charts.parse_range(request.GET, tz)
    except charts.RangeError as exc:
        return bad_request(str(exc))
    interval = freshness.intervals_by_device([device.pk]).get(device.pk)
    data = charts.chart(device.pk, metric, start, end, tz, interval_s=interval)
    data.update(
        range=key,
        tz=str(tz),
        start=f"{start.astimezone(tz):%Y-%m-%d %H:%M %Z}",
        end=f"{end.astimezone(tz):%Y-%m-%d %H:%M %Z}",
        empty="" if data["points"] else "No data in this range.",
    )
    return json_response(request, data)
