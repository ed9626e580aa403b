"""The Power & PUE page's charts as data: Plotly traces built here, drawn by
static/energy/energy-overview.js from the page's JSON (first render and every refresh).

Times are site wall-clock strings (Plotly ignores zones), the zone named in the axis
title; units are chosen by ``dcim.ui.units.axis`` (kWh or MWh, kW or MW) for the data's
size, values already scaled to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np

from dcim.energy.trend import Day
from dcim.energy.views.outlook import Outlook
from dcim.ui import units

STACK = (
    ("it_kwh", "IT"),
    ("cooling_kwh", "Cooling"),
    ("other_kwh", "Other (lighting and more)"),
    ("losses_kwh", "Losses and unmetered"),
)


def _r(values: list[float | None], factor: float) -> list[float | None]:
    return [None if v is None or np.isnan(v) else round(v * factor, 4) for v in values]


def energy_by_kind(days: list[Day], tz: ZoneInfo) -> dict:
    """Stacked bars per day: IT + cooling + other + losses = E_DC over the hours the
    day's PUE counts; on-site renewable generation as a line (a source, not a use)."""
    x = [d.day.isoformat() for d in days]
    peak = max((d.e_dc_kwh or 0 for d in days), default=0) * 1000
    ax = units.axis("watt_hours", "", peak)
    traces = []
    for key, name in STACK:
        ys = [getattr(d, key) for d in days]
        if any(v for v in ys):
            traces.append({"name": name, "type": "bar", "x": x, "y": _r(ys, 1000 * ax.factor)})
    ren = [d.renewable_kwh for d in days]
    if any(v is not None for v in ren):
        traces.append(
            {"name": "On-site renewable", "type": "line", "x": x, "y": _r(ren, 1000 * ax.factor)}
        )
    return {"unit": ax.label, "tz": str(tz), "traces": traces, "empty": _empty(days)}


def pue_trend(days: list[Day], tz: ZoneInfo, label: str) -> dict:
    """Daily PUE; a withheld day is a gap, its reason in the hover."""
    return {
        "unit": label,
        "tz": str(tz),
        "traces": [
            {
                "name": f"Daily {label}",
                "type": "line",
                "x": [d.day.isoformat() for d in days],
                "y": [None if d.pue is None else round(d.pue, 4) for d in days],
                "text": [
                    d.withheld
                    or f"coverage {d.coverage:.0%} ({d.covered_hours} of {d.elapsed_hours} h)"
                    for d in days
                ],
            }
        ],
        "empty": _empty(days) or ("" if any(d.pue for d in days) else "No day has a PUE yet."),
    }


def _empty(days: list[Day]) -> str:
    return "" if any(d.covered_hours for d in days) else "No covered hour in the last 30 days."


def _local(t: np.ndarray, tz: ZoneInfo) -> list[str]:
    secs = t.astype("datetime64[s]").astype(np.int64).tolist()
    return [f"{datetime.fromtimestamp(s, UTC).astimezone(tz):%Y-%m-%d %H:%M}" for s in secs]


def load_forecast(o: Outlook, tz: ZoneInfo) -> dict:
    """The last week's hourly IT load, then the forecast's mean and band."""
    fc = o.forecast
    peak = float(np.nanmax(o.history_kw)) if np.isfinite(o.history_kw).any() else 0.0
    if fc is not None:
        peak = max(peak, float(fc.upper.max()))
    ax = units.axis("watts", "", peak * 1000)
    f = 1000 * ax.factor

    def trace(name: str, kind: str, t: np.ndarray, kw: np.ndarray) -> dict:
        return {"name": name, "type": kind, "x": _local(t, tz), "y": _r(kw.tolist(), f)}

    traces = [trace("IT load (ledger, hourly mean)", "line", o.history_t, o.history_kw)]
    if fc is not None:
        band = f"{fc.level:.0%}"
        traces += [
            trace(f"Band low ({band})", "band_low", fc.t, fc.lower),
            trace(f"Band ({band})", "band_high", fc.t, fc.upper),
            trace("Forecast", "forecast", fc.t, fc.mean),
        ]
    return {
        "unit": ax.label,
        "tz": str(tz),
        "traces": traces,
        "note": o.note,
        "empty": "" if len(o.history_t) else "No IT load history yet.",
    }
