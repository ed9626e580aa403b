"""When data began inside a time window: the earliest raw sample of some series there.

A bucket's mean (a 5-minute or hourly rollup, a summed bucket) says nothing of how much of
the bucket its samples cover. Charts need that for the bucket where data began (or came
back after a gap): if the first sample is well after the bucket's start, the bucket is
partial and must not be drawn as a complete value. Only raw samples know, so only windows
still inside raw retention can be answered; older ones answer None.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telemetry.store.db import pg

MAX_WINDOWS = 64  # a chart asks about the first bucket of each run of data, a few at most


def first_samples(
    series_ids: list[int], windows: list[tuple[datetime, datetime]]
) -> list[datetime | None]:
    """For each ``[lo, hi)`` window, the earliest raw sample of any of ``series_ids`` in
    it; None where there is none (no data then, or raw samples already dropped).

    One statement: a lateral look-up per window, each a range scan of the samples'
    primary key (set, ts) in the day partitions the window touches.
    """
    if not series_ids or not windows:
        return [None] * len(windows)
    if len(windows) > MAX_WINDOWS:
        raise ValueError(f"at most {MAX_WINDOWS} windows, got {len(windows)}")
    q = (
        "SELECT w.i, extract(epoch FROM x.first)::float8 "
        "FROM unnest(%(los)s::timestamptz[], %(his)s::timestamptz[]) WITH ORDINALITY "
        "AS w(lo, hi, i) CROSS JOIN LATERAL ("
        "SELECT min(t.ts) AS first FROM telemetry_series s "
        "JOIN telemetry_sample t ON t.set_id = s.set_id WHERE s.id = ANY(%(ids)s) "
        "AND t.ts >= w.lo AND t.ts < w.hi AND t.vals[s.slot] IS NOT NULL) x"
    )
    params = {
        "ids": list(series_ids),
        "los": [lo for lo, _ in windows],
        "his": [hi for _, hi in windows],
    }
    found = {int(i): t for i, t in pg().execute(q, params).fetchall()}
    return [
        None if found.get(i) is None else datetime.fromtimestamp(found[i], UTC)
        for i in range(1, len(windows) + 1)
    ]
