"""Downsampling to at most N points: min-max (keeps spikes) and LTTB (keeps shape).

Both take time-sorted arrays and return indices or arrays, never more than ``n`` points.
"""

from __future__ import annotations

import numpy as np


def minmax(ts: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: int):
    """Split the time range into n // 2 equal bins; keep each bin's lowest and highest point.

    ``lo``/``hi`` are the low and high value of each input point (the same array for raw
    samples; a rollup's min and max). Returns (ts, value) arrays of at most ``n`` points in
    time order, a bin's min first when it comes first.
    """
    if len(ts) <= n:
        return ts, (lo + hi) / 2 if lo is not hi else lo
    bins = max(n // 2, 1)
    t = ts.astype("datetime64[us]").astype(np.int64)
    span = max(int(t[-1] - t[0]), 1)
    b = np.minimum((t - t[0]) * bins // (span + 1), bins - 1)
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    ends = np.r_[starts[1:], len(t)]
    out_i, out_v = [], []
    imin = _segment_arg(lo, starts, ends, np.argmin)
    imax = _segment_arg(hi, starts, ends, np.argmax)
    for a, c in zip(imin.tolist(), imax.tolist(), strict=True):
        if a == c:
            out_i.append(a)
            out_v.append(lo[a])
        elif a < c:
            out_i += [a, c]
            out_v += [lo[a], hi[c]]
        else:
            out_i += [c, a]
            out_v += [hi[c], lo[a]]
    return ts[np.array(out_i, dtype=np.intp)], np.array(out_v, dtype=np.float64)


def _segment_arg(v: np.ndarray, starts: np.ndarray, ends: np.ndarray, fn) -> np.ndarray:
    return np.array([s + fn(v[s:e]) for s, e in zip(starts, ends, strict=True)], dtype=np.intp)


def lttb(ts: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Largest-Triangle-Three-Buckets (Steinarsson 2013): indices of at most n points."""
    size = len(v)
    if n >= size or n < 3:
        return np.arange(size) if n >= size else np.arange(min(n, size))
    x = ts.astype("datetime64[us]").astype(np.int64).astype(np.float64)
    x -= x[0]
    edges = np.linspace(1, size - 1, n - 1).astype(np.intp)
    out = np.empty(n, dtype=np.intp)
    out[0], out[-1] = 0, size - 1
    a = 0
    for i in range(n - 2):
        lo, hi = edges[i], edges[i + 1]
        nlo, nhi = edges[i + 1], edges[i + 2] if i + 2 < n - 1 else size
        avg_x, avg_y = x[nlo:nhi].mean(), v[nlo:nhi].mean()
        area = np.abs((x[a] - avg_x) * (v[lo:hi] - v[a]) - (x[a] - x[lo:hi]) * (avg_y - v[a]))
        a = lo + int(np.argmax(area))
        out[i + 1] = a
    return out
