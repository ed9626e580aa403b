"""The page benchmark (``manage.py bench_pages``, ``make bench-pages``): server time of every
operator page and JSON endpoint on the demo data centre with 7 days of history.

Not a timed test: it prints a table and writes ``var/bench/pages.json`` (``p95_ms`` keyed by
page or endpoint name). Requests go through Django's test client in-process, so the time
is the server's (middleware, views, templates, JSON, gzip), without network or browser.
Page weight is the response body; ``assets`` adds the local CSS/JS the page references.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client
from django.test.utils import override_settings

from dcim.accounts.roles import assign_role
from dcim.inventory.choices import DeviceRole
from dcim.inventory.models import Device, Rack
from dcim.wsgi import prepare_worker
from telemetry.store.db import clear_caches

BUDGET_MS = 200.0
# Endpoints that keep closed buckets per process (telemetry.store.sums): also timed with
# the store's caches emptied before every request, as a freshly started worker sees them.
COLD = ("it_load.json 24h", "it_load.json 7d")
ASSET = re.compile(r'(?:src|href)="/static/([^"]+)"')


def targets() -> list[tuple[str, str]]:
    """(name, url) of every page and JSON endpoint, on representative demo objects."""
    rack = Rack.objects.filter(devices__role=DeviceRole.GPU_SERVER).order_by("name").first()
    host = (
        Device.objects.filter(role=DeviceRole.GPU_SERVER, status="active").order_by("name").first()
    )
    switch = Device.objects.filter(role=DeviceRole.SWITCH).order_by("name").first()
    pdu = Device.objects.filter(role=DeviceRole.PDU).order_by("name").first()
    crah = Device.objects.filter(role=DeviceRole.CRAH).order_by("name").first()
    return [
        ("overview", "/"),
        ("overview.json", "/api/overview/"),
        ("it_load.json 24h", "/api/overview/it-load/?range=24h"),
        ("it_load.json 7d", "/api/overview/it-load/?range=7d"),
        ("floor", "/floor/"),
        ("floor.json inlet", "/api/floor/?metric=inlet"),
        ("racks", "/racks/"),
        ("racks.json", "/api/racks/"),
        ("rack", f"/racks/{rack.pk}/"),
        ("rack.json", f"/api/racks/{rack.pk}/"),
        ("device gpu server", f"/devices/{host.pk}/"),
        ("device.json gpu server", f"/api/devices/{host.pk}/"),
        (
            "chart.json gpu temp 24h",
            f"/api/devices/{host.pk}/chart/?metric=gpu_temperature_celsius&range=24h",
        ),
        (
            "chart.json gpu temp 7d",
            f"/api/devices/{host.pk}/chart/?metric=gpu_temperature_celsius&range=7d",
        ),
        (
            "chart.json gpu power 1h",
            f"/api/devices/{host.pk}/chart/?metric=gpu_power_watts&range=1h",
        ),
        ("device switch", f"/devices/{switch.pk}/"),
        ("device.json switch", f"/api/devices/{switch.pk}/"),
        (
            "chart.json port rates 6h",
            f"/api/devices/{switch.pk}/chart/?metric=if_in_bytes_total&range=6h",
        ),
        ("device pdu", f"/devices/{pdu.pk}/"),
        ("device crah", f"/devices/{crah.pk}/"),
        ("gpus", "/gpus/"),
        ("gpus.json", "/api/gpus/"),
        ("network", "/network/"),
        ("network.json", "/api/network/"),
        ("cooling", "/cooling/"),
        ("cooling.json", "/api/cooling/"),
        ("delta_t.json 24h", "/api/cooling/delta-t/?range=24h"),
        ("search", "/search/?q=DGX01"),
        ("search.json", "/api/search/?q=GPU-"),
        ("alerts", "/alerts/"),
        ("alerts live.json", "/alerts/live.json"),
    ]


def _assets(html: str) -> int:
    total = 0
    for path in set(ASSET.findall(html)):
        found = finders.find(path)
        if found:
            total += Path(found).stat().st_size
    return total


# The in-process client calls itself "testserver", over plain HTTP.
@override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False)
def measure(reps: int = 20, log: Callable[[str], None] = print) -> dict:
    """Time each target ``reps`` times after one warm-up request."""
    prepare_worker()  # as each web worker does when it loads (dcim/wsgi.py)
    user, _ = User.objects.get_or_create(username="bench-viewer")
    assign_role(user, "Viewer")
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(user)
    out: dict = {"p95_ms": {}, "p50_ms": {}, "bytes": {}, "gzip_bytes": {}, "assets_bytes": {}}
    plan = [(name, url, False) for name, url in targets()]
    plan += [(f"{name} (cold)", url, True) for name, url, _ in plan if name in COLD]
    for name, url, cold in plan:
        first = client.get(url)
        assert first.status_code == 200, (name, url, first.status_code)
        times = []
        for _ in range(reps):
            if cold:
                clear_caches()  # as the first request of a fresh worker
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        body = response.content
        raw = Client()
        raw.force_login(user)
        plain = raw.get(url).content if response.get("Content-Encoding") == "gzip" else body
        out["p95_ms"][name] = round(float(np.percentile(times, 95)), 1)
        out["p50_ms"][name] = round(float(np.percentile(times, 50)), 1)
        out["bytes"][name] = len(plain)
        out["gzip_bytes"][name] = len(body) if response.get("Content-Encoding") == "gzip" else None
        out["assets_bytes"][name] = _assets(plain.decode()) if "json" not in name else 0
        log(f"  {name:<28} p50 {out['p50_ms'][name]:7.1f} ms  p95 {out['p95_ms'][name]:7.1f} ms")
    out["over_budget"] = [k for k, v in out["p95_ms"].items() if v > BUDGET_MS]
    return out


def table(result: dict) -> str:
    rows = [("page / endpoint", "p50 ms", "p95 ms", "body", "gzip", "assets")]
    for name, p95 in result["p95_ms"].items():
        gz = result["gzip_bytes"][name]
        rows.append(
            (
                name,
                f"{result['p50_ms'][name]:.1f}",
                f"{p95:.1f}",
                f"{result['bytes'][name] / 1024:.0f} kB",
                f"{gz / 1024:.0f} kB" if gz else "-",
                f"{result['assets_bytes'][name] / 1024:.0f} kB",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    verdict = (
        "all within" if not result["over_budget"] else f"OVER: {', '.join(result['over_budget'])}"
    )
    return "\n".join(lines) + f"\n\np95 budget {BUDGET_MS:.0f} ms: {verdict}"


def write(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
