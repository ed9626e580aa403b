"""The rule every chart follows for partial buckets and for its first minutes.

Why: right after ``make run`` the Overview's IT load drew one point, or a first bucket that
held a few seconds of data (or only the PDUs polled so far) next to full ones: a jump in
load that never happened. A chart must never pass a partial bucket off as a complete value.

A chart of buckets (5-minute or hourly means of one series, IT load's sums of many) draws
a bucket as a complete value only when it is

1. **closed**: it ended at or before now. The open bucket's mean covers only the minutes
   so far and moves with every sample;
2. **covered from its start**: a bucket that opens a run of data (the chart's first, or
   the first after a missing one) needs its first raw sample within
   ``TOLERANCE_INTERVALS`` poll intervals of its start; data that began, or came back,
   mid-bucket averages only part of it. A bucket that begins before what was read (cut by
   the range's start) is never covered. Other buckets are: their run went on through them.
   Where raw samples were already dropped (retention) nobody can tell, and the bucket
   counts as covered;
3. **whole**, for sums: it counts as many series as the range's fullest bucket. A sum that
   lacks some PDUs is lower by their power, not a drop in load.

Partial buckets are still sent, apart from the line (``trace["partial"]``: x, y and why),
and drawn as hollow markers that the line does not join. Raw points are never partial.

Too little data: a trace of one gauge with fewer than ``FEW_POINTS`` complete buckets is
read raw instead where raw samples are kept (every sample rather than one bucket; sums and
delta-T stay in buckets). A chart with fewer than ``FEW_POINTS`` complete points says so
("Collecting since 03:01 — 2 points so far.") and gets an x axis fitted to its points
(``xrange``) rather than the whole range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from telemetry import store

FEW_POINTS = 5
TOLERANCE_INTERVALS = 1.5  # polls jitter; a first sample this late after the start is normal
STEPS = {"5m": timedelta(minutes=5), "1h": timedelta(hours=1)}
MAX_CHECKS = 24  # runs of data a chart checks (first-sample windows in one statement)


@dataclass(frozen=True)
class Verdict:
    """Per bucket, "" when complete or why it is partial; and when the data began (the
    first sample of the first bucket, else that bucket's start)."""

    reasons: list[str]
    began: datetime | None

    @property
    def partial(self) -> int:
        return sum(1 for r in self.reasons if r)


def run_starts(starts: list[datetime], step: timedelta, downsampled: bool = False) -> list[int]:
    """Indexes of the buckets that open a run of data: the first, and each one after a
    missing bucket. Downsampled points skip buckets on purpose: only the first counts."""
    if not starts:
        return []
    if downsampled:
        return [0]
    runs = [0] + [i for i in range(1, len(starts)) if starts[i] - starts[i - 1] > step]
    return runs[:MAX_CHECKS]


def partial_reasons(
    starts: list[datetime],
    step: timedelta,
    *,
    now: datetime,
    read_from: datetime,
    firsts: dict[int, datetime | None],
    tolerance: timedelta,
    tz: ZoneInfo,
    counts: list[int] | None = None,
    what: str = "series",
) -> list[str]:
    """The rule above, on known facts: bucket starts, the first raw sample of the buckets
    that open a run (``firsts``, None where unknown), and for sums the series counted."""
    fullest = max(counts, default=0) if counts else 0
    minutes = step.total_seconds() / 60
    out = []
    for i, b in enumerate(starts):
        why = []
        if b + step > now:
            so_far = max(0.0, (now - b).total_seconds() / 60)
            why.append(f"still open, {so_far:.1f} of {minutes:g} min so far")
        if b < read_from:
            why.append(f"cut by the chart's start at {read_from.astimezone(tz):%H:%M:%S}")
        first = firsts.get(i)
        if b >= read_from and first is not None and first - b > tolerance:
            why.append(f"data began {first.astimezone(tz):%H:%M:%S}, mid-bucket")
        if counts and counts[i] < fullest:
            why.append(f"{counts[i]} of {fullest} {what}")
        out.append("partial: " + "; ".join(why) if why else "")
    return out


def judge(
    series_ids: list[int],
    starts: list[datetime],
    step: timedelta,
    *,
    now: datetime,
    read_from: datetime,
    interval_s: float,
    tz: ZoneInfo,
    counts: list[int] | None = None,
    what: str = "series",
    downsampled: bool = False,
) -> Verdict:
    """The rule applied to buckets read from the store: one statement asks when data began
    in the buckets that open a run."""
    checks = run_starts(starts, step, downsampled)
    windows = [(max(starts[i], read_from), starts[i] + step) for i in checks]
    firsts = dict(zip(checks, store.first_samples(series_ids, windows), strict=True))
    reasons = partial_reasons(
        starts,
        step,
        now=now,
        read_from=read_from,
        firsts=firsts,
        tolerance=timedelta(seconds=TOLERANCE_INTERVALS * interval_s),
        tz=tz,
        counts=counts,
        what=what,
    )
    began = (firsts.get(0) or max(starts[0], read_from)) if starts else None
    return Verdict(reasons, began)


def read_series(
    series_id: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    interval_s: float,
    tz: ZoneInfo,
    max_points: int,
) -> tuple[store.QueryResult, Verdict]:
    """One gauge over a range at the resolution the range calls for, judged by the rule;
    read raw instead when that leaves fewer than ``FEW_POINTS`` complete buckets."""
    r = store.query(series_id, start, end, max_points=max_points, now=now)
    if r.resolution not in STEPS:
        return r, raw_verdict(r.ts)
    starts = [_utc(t) for t in r.ts]
    verdict = judge(
        [series_id],
        starts,
        STEPS[r.resolution],
        now=now,
        read_from=start,
        interval_s=interval_s,
        tz=tz,
        downsampled=bool(r.downsampled),
    )
    if len(r) - verdict.partial < FEW_POINTS:
        raw = store.query(series_id, start, end, max_points=max_points, resolution="raw", now=now)
        if len(raw):
            return raw, raw_verdict(raw.ts)
    return r, verdict


def raw_verdict(ts: np.ndarray) -> Verdict:
    """Raw samples (and rates between them) are readings, never partial buckets."""
    return Verdict([""] * len(ts), _utc(ts[0]) if len(ts) else None)


def _utc(t: np.datetime64) -> datetime:
    return datetime.fromtimestamp(int(t.astype("datetime64[us]").astype(np.int64)) / 1e6, UTC)


def split_trace(trace: dict[str, Any], reasons: list[str]) -> dict[str, Any]:
    """The trace with only its complete points on the line, and its partial ones apart
    under ``partial`` (x, y, why), for hollow markers."""
    keep = [i for i, r in enumerate(reasons) if not r]
    if len(keep) == len(reasons):
        return trace
    gone = [i for i, r in enumerate(reasons) if r]
    out = {k: v for k, v in trace.items() if k not in ("x", "y", "customdata")}
    for key in ("x", "y", "customdata"):
        if key in trace:
            out[key] = [trace[key][i] for i in keep]
    out["partial"] = {
        "x": [trace["x"][i] for i in gone],
        "y": [trace["y"][i] for i in gone],
        "why": [reasons[i] for i in gone],
    }
    return out


def drawn(trace: dict[str, Any]) -> int:
    """Points a trace draws, complete and partial."""
    return len(trace["x"]) + len(trace.get("partial", {}).get("x", []))


def few_note(points: int, partial: int, began: datetime | None, tz: ZoneInfo, live: bool) -> str:
    """What a chart with too little data (fewer than ``FEW_POINTS`` complete points, of
    ``points`` drawn) says, or "" when it has enough."""
    if began is None or points - partial >= FEW_POINTS:
        return ""
    count = f"{points} point{'' if points == 1 else 's'}"
    hollow = f", {partial} partial (hollow)" if partial else ""
    if live:
        return f"Collecting since {began.astimezone(tz):%H:%M} — {count} so far{hollow}."
    return f"Only {count} in this range, from {began.astimezone(tz):%Y-%m-%d %H:%M}{hollow}."


def fitted_xrange(traces: list[dict[str, Any]], pad: timedelta) -> list[int] | None:
    """An x axis (wall-clock ms, as the traces) around the points drawn, ``pad`` either
    side: a few points on a 24-hour axis would be a dot at its edge."""
    xs = [x for t in traces for x in t["x"] + t.get("partial", {}).get("x", [])]
    if not xs:
        return None
    ms = int(pad.total_seconds() * 1000)
    return [min(xs) - ms, max(xs) + ms]


def annotate(
    data: dict[str, Any], began: datetime | None, tz: ZoneInfo, live: bool, pad: timedelta
) -> dict[str, Any]:
    """A chart's JSON completed by the rule: ``points`` drawn, a ``notice`` for too little
    data or for hollow markers, and ``xrange`` fitted to the points when they are few."""
    traces = data["traces"]
    points = max((drawn(t) for t in traces), default=0)
    partial = max((len(t.get("partial", {}).get("x", [])) for t in traces), default=0)
    few = few_note(points, partial, began, tz, live) if points else ""
    hollow = (
        "Hollow markers: partial buckets (still open, or data began mid-bucket), "
        "not complete values."
    )
    data.update(
        points=points,
        notice=few or (hollow if partial else ""),
        xrange=fitted_xrange(traces, pad) if few else None,
    )
    return data
