"""A chart's values in the unit people read: the axis says "°C", "kW" or "GB/s" and the
values are scaled to it, states get their words as ticks and in the hover.

Done on the server with the formatter every page uses (``dcim.ui.units``), so a chart's
axis and the device page's table say the same thing, and the browser does no unit logic:
it draws ``unit`` as the axis title, ``ticks`` as the axis' labels and ``customdata`` as
each point's hover text where there is one.
"""

from __future__ import annotations

from typing import Any

from dcim.ui import metric_names, units


def show(data: dict[str, Any], metric: str) -> dict[str, Any]:
    """Scale ``data``'s traces (``y`` and their partial points' ``y``) from ``data["unit"]``,
    the readings' unit, to the display unit; keep the readings' unit as ``raw_unit``."""
    traces = data["traces"]
    ys = [y for t in traces for y in (*t["y"], *t.get("partial", {}).get("y", ()))]
    peak = max((abs(y) for y in ys if y is not None), default=0.0)
    base = data["unit"]
    ax = units.axis(base, metric, peak)
    if ax.factor != 1.0:
        for t in traces:
            t["y"] = _scaled(t["y"], ax.factor)
            if "partial" in t:
                t["partial"]["y"] = _scaled(t["partial"]["y"], ax.factor)
    for t in traces:  # a trace without a component is the metric itself: say it in words
        if t["name"] == metric:
            t["name"] = metric_names.label(metric)
    if ax.ticks:
        words = dict(ax.ticks)
        for t in traces:
            t["customdata"] = [_word(y, words) for y in t["y"]]
    data.update(
        unit=ax.label,
        raw_unit=base,
        scale=ax.factor,
        ticks={"vals": [c for c, _ in ax.ticks], "text": [w for _, w in ax.ticks]}
        if ax.ticks
        else None,
    )
    return data


def _scaled(ys: list, factor: float) -> list:
    return [None if y is None else float(f"{y * factor:.6g}") for y in ys]


def _word(y: float | None, words: dict[int, str]) -> str:
    if y is None:
        return ""
    return words.get(int(y), f"{y:g}") if y == int(y) else f"{y:g}"
