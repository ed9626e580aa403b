"""The GPUs page's fleet heatmap (hosts × GPUs) of one metric, its outliers, and a colour
scale fixed to what the values mean.

An automatic scale (Plotly's default) spans the data's own range, so the hottest GPU of a
healthy fleet is painted dark red however cool it is. Here temperature runs from a cool
25 °C to the GPUs' slowdown threshold (NVML's, else a Hopper SXM's 89 °C: REFERENCE.md),
utilization 0–100 %, power 0 to the power limit and memory 0 to the total. The warm scale
turns orange past 80 % of its range and red in its last tenth, near the limit, so red
means "act"; loads (utilization, memory) are blue, since a busy GPU is no fault.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dcim.dashboard import gpu_state
from telemetry import store

HEAT = {
    "temp": ("Temperature", "°C"),
    "util": ("Utilization", "%"),
    "power": ("Power", "W"),
    "mem_used": ("Memory used", "GiB"),
}
GIB = 1 / 2**30
COOL_C, SLOWDOWN_C, TDP_W = 25.0, 89.0, 700.0
WARM = [[0, "#ffffcc"], [0.6, "#fed976"], [0.8, "#fd8d3c"], [0.9, "#e31a1c"], [1, "#800026"]]
COOL = [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]]
COLOURS = {"temp": WARM, "power": WARM, "util": COOL, "mem_used": COOL}


def heatmap(rows: list[gpu_state.GpuRow], key: str) -> dict[str, Any]:
    """The z matrix (hosts × GPU index), outliers by robust z-score, and the scale."""
    hosts = list(dict.fromkeys(g.host for g in rows))
    width = max((g.index for g in rows), default=-1) + 1
    z = np.full((len(hosts), width), np.nan)
    where = {h: i for i, h in enumerate(hosts)}
    scale = GIB if key == "mem_used" else 1.0
    for g in rows:
        if key in g.values:
            z[where[g.host], g.index] = g.values[key] * scale
    flat = z.ravel()
    outliers = []
    median = float(np.nanmedian(flat)) if np.isfinite(flat).any() else None
    for i in gpu_state.robust_outliers(flat)[:20]:
        host, idx = hosts[i // width], int(i % width)
        outliers.append({"host": host, "gpu": idx, "value": round(float(flat[i]), 1)})
    label, unit = HEAT[key]
    zmin, zmax, why = bounds(key, sorted({g.device_id for g in rows}), rows)
    return {
        "metric": key,
        "label": label,
        "unit": unit,
        "hosts": hosts,
        "gpus": [f"GPU{i}" for i in range(width)],
        "z": [[None if np.isnan(x) else round(float(x), 1) for x in r] for r in z],
        "median": median and round(median, 1),
        "outliers": outliers,
        "zmin": zmin,
        "zmax": zmax,
        "scale": f"Colour scale {zmin:g}–{zmax:g} {unit}: {why}." if zmax else "",
        "colorscale": COLOURS[key],
    }


def bounds(key: str, device_ids: list[int], rows: list[gpu_state.GpuRow]) -> tuple:
    """(low, high, why) of the colour scale: the thresholds the GPUs report where they do
    (the lowest slowdown, the highest power limit), else the reference values."""

    def reported(metric: str) -> np.ndarray:
        return store.gpu_latest([metric], device_ids)["v"] if device_ids else np.array([])

    if key == "util":
        return 0.0, 100.0, "idle to fully busy"
    if key == "temp":
        slowdown = reported("gpu_temperature_slowdown_celsius")
        if len(slowdown):
            return COOL_C, float(slowdown.min()), "cool to the GPUs' slowdown threshold"
        return COOL_C, SLOWDOWN_C, "cool to a typical slowdown threshold (none reported)"
    if key == "power":
        limit = reported("gpu_power_limit_watts")
        if len(limit):
            return 0.0, float(limit.max()), "idle to the GPUs' power limit"
        return 0.0, TDP_W, "idle to a typical power limit (none reported)"
    total = [g.values["mem_total"] for g in rows if "mem_total" in g.values]
    return 0.0, (round(max(total) * GIB, 1) if total else None), "empty to full"
