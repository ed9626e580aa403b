"""Static charts for email and PDF: PNG from matplotlib's Agg renderer (ADR 0027).

Email clients run no JavaScript, so the plotly charts of the pages cannot travel; Agg draws
in pure C++ shipped inside matplotlib's wheel, with no display, browser or system graphics
library. A ``matplotlib.figure.Figure`` is used directly (not pyplot), so no global state
is shared between threads of a worker.
"""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dcim.reports.content import Chart

WIDTH_IN, HEIGHT_IN, DPI = 7.5, 2.8, 110
COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#718096")
LIMIT_COLOUR = "#c53030"


def _clean(values: list[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def png(chart: Chart) -> bytes:
    """The chart as a PNG: about 25–60 kB at this size, so four charts stay far below the
    2 MB the issue allows an email."""
    height = HEIGHT_IN
    if chart.kind == "barh":
        height = max(HEIGHT_IN, 0.28 * len(chart.categories) + 0.9)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(chart.title, fontsize=10, loc="left")
    if chart.kind == "barh":
        _barh(ax, chart)
    else:
        _bars(ax, chart)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    if len(chart.series) > 1 or chart.limit is not None:
        handles, labels = [], []
        for a in fig.axes:  # the bars' axes and, for a line on its own scale, its twin
            h, lab = a.get_legend_handles_labels()
            handles, labels = handles + h, labels + lab
        # Above the plot, right of the title: inside it would cover bars.
        ax.legend(
            handles,
            labels,
            fontsize=7,
            frameon=False,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncol=len(labels),
        )
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _bars(ax, chart: Chart) -> None:
    x = list(range(len(chart.categories)))
    bars = [s for s in chart.series if s.style == "bar"]
    width = 0.8 / max(1, len(bars))
    line_ax = ax
    for i, s in enumerate(chart.series):
        colour = COLOURS[i % len(COLOURS)]
        if s.style == "bar":
            offset = (bars.index(s) - (len(bars) - 1) / 2) * width
            ax.bar([v + offset for v in x], _clean(s.values), width, label=s.label, color=colour)
        else:
            if bars and line_ax is ax:
                line_ax = ax.twinx()
                line_ax.tick_params(labelsize=8)
                line_ax.set_ylabel(s.label, fontsize=8)
                line_ax.spines[["top"]].set_visible(False)
            values = _clean(s.values)
            line_ax.plot(x, values, marker="o", ms=3, label=s.label, color=colour)
            _pad(line_ax, values)
    ax.set_ylabel(chart.unit, fontsize=8)
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], chart.categories[::step], fontsize=7)
    if chart.limit is not None:
        ax.axhline(chart.limit, color=LIMIT_COLOUR, ls="--", lw=1, label=chart.limit_label)


def _pad(ax, values: list[float]) -> None:
    """A line's own scale: its range with room around it, never matplotlib's offset
    notation ("1e-12+1.3") that a flat PUE line would otherwise get."""
    real = [v for v in values if not math.isnan(v)]
    if not real:
        return
    lo, hi = min(real), max(real)
    pad = max(0.1, (hi - lo) * 0.25)
    ax.set_ylim(lo - pad, hi + pad)
    ax.ticklabel_format(axis="y", useOffset=False)


def _barh(ax, chart: Chart) -> None:
    y = list(range(len(chart.categories)))
    s = chart.series[0]
    ax.barh(y, _clean(s.values), color=COLOURS[0], label=s.label)
    ax.set_yticks(y, chart.categories, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(chart.unit, fontsize=8)
    if chart.limit is not None:
        ax.axvline(chart.limit, color=LIMIT_COLOUR, ls="--", lw=1, label=chart.limit_label)
