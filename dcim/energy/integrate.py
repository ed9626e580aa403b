"""From samples to quantities per time bin, with the seconds each bin's data covers.

REFERENCE.md "Energy and PUE": prefer energy counters (increases, corrected for resets and
wrap); otherwise integrate power by the trapezoid rule and never bridge a gap longer than
about three poll intervals. Both become one cumulative curve over the sample times, flat
across what is not covered, and a bin's quantity is the curve's rise over the bin. An
interval that crosses a bin edge is split in proportion to time (a 30-second interval split
at the hour moves at most a few watt-seconds either way).

Pure numpy, so the known answers are tested without a database.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from telemetry.store import GAP_INTERVALS, counter_deltas

JOULES_PER_KWH = 3.6e6


@dataclass(frozen=True)
class Binned:
    quantity: np.ndarray  # per bin, in the output unit
    covered_s: np.ndarray  # per bin


def cumulative(
    ts_s: np.ndarray,
    values: np.ndarray,
    *,
    counter: bool,
    bits: int | None = None,
    interval_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(cumulative quantity, cumulative covered seconds) at each sample time.

    Counter: each valid increase (``telemetry.store.counter_deltas``: a decrease is a reset
    and its interval is not covered, unless ``bits`` says it is a wrap). Power: the
    trapezoid over each interval no longer than ``GAP_INTERVALS`` poll intervals
    (``interval_s``, else ``local_spacing``); NaN values break the curve too.
    """
    ts_s = np.asarray(ts_s, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if len(ts_s) < 2:
        return np.zeros(len(ts_s)), np.zeros(len(ts_s))
    dt = np.diff(ts_s)
    if counter:
        inc = counter_deltas(values, ts_s, bits)
        ok = ~np.isnan(inc)
    else:
        poll = interval_s or local_spacing(dt)
        inc = (values[1:] + values[:-1]) / 2 * dt
        ok = (dt <= GAP_INTERVALS * poll + 1e-6) & ~np.isnan(inc)
    q = np.r_[0.0, np.cumsum(np.where(ok, inc, 0.0))]
    c = np.r_[0.0, np.cumsum(np.where(ok, dt, 0.0))]
    return q, c


NEIGHBOURS = 3  # intervals each side: few, so a short run of history keeps its own spacing


def local_spacing(dt: np.ndarray) -> np.ndarray:
    """The poll interval around each interval: the larger of the medians of the
    ``NEIGHBOURS`` intervals before and after it.

    One median over the whole fetch fails where a meter's spacing changes: 15-minute
    history imported from a BMS followed by 30-second polling has a median of 30 s, and
    every imported interval would look like a gap. Around a true gap both sides show the
    meter's usual spacing, so the gap still stands out; where the spacing changes, the
    sparser side's spacing is the meter's poll interval there.
    """
    n = len(dt)
    if n <= 1:
        return dt.copy()
    pad = np.full(NEIGHBOURS, np.nan)
    padded = np.r_[pad, dt, pad]
    windows = np.lib.stride_tricks.sliding_window_view(padded, NEIGHBOURS)
    before = windows[:n]  # the NEIGHBOURS intervals ending just before interval i
    after = windows[NEIGHBOURS + 1 : NEIGHBOURS + 1 + n]  # those starting just after it
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN side (the ends)
        ref = np.fmax(np.nanmedian(before, axis=1), np.nanmedian(after, axis=1))
    return ref


def binned(
    ts_s: np.ndarray,
    values: np.ndarray,
    edges_s: np.ndarray,
    *,
    counter: bool,
    bits: int | None = None,
    interval_s: float | None = None,
    scale: float = 1.0,
) -> Binned:
    """Quantity and covered seconds in each bin [edges[i], edges[i+1]), ``scale`` times the
    input unit (1 / 3.6e6 turns joules or watt-seconds into kWh)."""
    edges_s = np.asarray(edges_s, dtype=np.float64)
    ts_s = np.asarray(ts_s, dtype=np.float64)
    if len(ts_s) < 2:
        zero = np.zeros(max(len(edges_s) - 1, 0))
        return Binned(zero, zero.copy())
    q, c = cumulative(ts_s, values, counter=counter, bits=bits, interval_s=interval_s)
    # np.interp holds the end values outside the samples: nothing is counted there.
    qe = np.interp(edges_s, ts_s, q)
    ce = np.interp(edges_s, ts_s, c)
    return Binned(np.diff(qe) * scale, np.diff(ce))
