"""Turning a frame's timestamps and values into numpy arrays, refusing bad ones one by one.

The fast path is one type scan at C speed (``set(map(type, values))``) and one
``np.array``; only a frame that holds something other than plain numbers pays a per-value
Python loop, and then only to name the reason for each refusal.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import chain
from numbers import Real
from typing import Any

import numpy as np

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_NUMERIC = {float, int}


def values_array(values: Any, refused: Counter) -> np.ndarray:
    """float64 array of the values, NaN where a value is refused (and counted in ``refused``)."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "fiu":
            arr = values.astype(np.float64).ravel()
        else:
            return values_array(values.ravel().tolist(), refused)
    elif set(map(type, values)) <= _NUMERIC:
        try:
            arr = np.array(values, dtype=np.float64)
        except OverflowError:
            return _values_slow(values, refused)
    else:
        return _values_slow(values, refused)
    bad = ~np.isfinite(arr)
    if bad.any():
        refused["not_finite"] += int(bad.sum())
        arr[bad] = np.nan
    return arr


def _values_slow(values: Any, refused: Counter) -> np.ndarray:
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if v is None:
            refused["missing"] += 1
            out[i] = np.nan
        elif isinstance(v, bool | np.bool_) or not isinstance(v, Real):
            refused["not_a_number"] += 1
            out[i] = np.nan
        else:
            try:
                f = float(v)
            except (OverflowError, ValueError):
                f = math.inf
            if not math.isfinite(f):
                refused["not_finite"] += 1
                out[i] = np.nan
            else:
                out[i] = f
    return out


def timestamps_us(ts: Any) -> tuple[np.ndarray, list[str | None]]:
    """Unix microseconds per row, and per row a refusal reason or None.

    Accepts Unix seconds (int or float), timezone-aware datetimes, or numpy datetime64
    (taken as UTC). Naive datetimes are refused: a reading's time must say its zone.
    """
    if isinstance(ts, np.ndarray):
        if ts.dtype.kind == "M":
            return ts.astype("datetime64[us]").astype(np.int64), [None] * len(ts)
        if ts.dtype.kind in "fiu":
            return np.rint(ts.astype(np.float64) * 1e6).astype(np.int64), [None] * len(ts)
        ts = ts.tolist()
    if set(map(type, ts)) <= _NUMERIC:
        arr = np.array(ts, dtype=np.float64)
        reasons: list[str | None] = [None if math.isfinite(t) else "bad_timestamp" for t in arr]
        arr[~np.isfinite(arr)] = 0
        return np.rint(arr * 1e6).astype(np.int64), reasons
    out = np.zeros(len(ts), dtype=np.int64)
    reasons = []
    for i, t in enumerate(ts):
        reason = None
        if isinstance(t, datetime):
            if t.tzinfo is None or t.utcoffset() is None:
                reason = "naive_timestamp"
            else:
                out[i] = (t - UNIX_EPOCH) // _US
        elif isinstance(t, int | float) and not isinstance(t, bool) and math.isfinite(t):
            out[i] = round(t * 1e6)
        else:
            reason = "bad_timestamp"
        reasons.append(reason)
    return out, reasons


def us_to_datetime(us: int) -> datetime:
    return UNIX_EPOCH + timedelta(microseconds=int(us))


TS_REASONS = ("", "bad_timestamp", "naive_timestamp", "older_than_retention", "too_far_in_future")


def flat_values(parts: list[Any], refused: Counter) -> np.ndarray:
    """All frames' values as one float64 array (one type scan, one conversion)."""
    if all(isinstance(p, list) for p in parts):
        return values_array(list(chain.from_iterable(parts)), refused)
    arrays = [values_array(p, refused) for p in parts]
    return np.concatenate(arrays) if arrays else np.empty(0)


def flat_timestamps(parts: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """All frames' row timestamps as Unix µs, and a reason code per row (0 = fine)."""
    if all(isinstance(p, list) for p in parts):
        flat = list(chain.from_iterable(parts))
        if set(map(type, flat)) <= _NUMERIC:
            arr = np.array(flat, dtype=np.float64)
            bad = ~np.isfinite(arr)
            arr[bad] = 0
            return np.rint(arr * 1e6).astype(np.int64), bad.astype(np.uint8)
    us, codes = [], []
    for p in parts:
        t, reasons = timestamps_us(p)
        us.append(t)
        codes.append(np.array([TS_REASONS.index(r or "") for r in reasons], dtype=np.uint8))
    if not us:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint8)
    return np.concatenate(us), np.concatenate(codes)
