"""GPU load from simulated jobs: training runs spanning racks, inference services with a day.

Hosts are grouped into lanes (one to four racks, as a scheduler hands out whole racks to a
job). Each lane runs one job after another: training jobs of 1.5 to 6 hours at 93-99 %
utilisation with a ramp-up and a checkpoint dip every 20-40 minutes, separated by queue
gaps of 5-40 minutes; or, on inference lanes, long-lived services whose load follows the
site's day (low at night, high in the afternoon). Everything is a pure function of the seed
and the time, so the GPU-host agent and the PDUs' agent compute the same loads.

A lane's sequence restarts each UTC week (seeded by the week's number): jobs can be found
for any time without generating them from some fixed origin.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

WEEK_S = 7 * 86_400
LANE_RACKS = (1, 2, 2, 4)
INFERENCE_SHARE = 0.3
RAMP_S = 180.0
CHECKPOINT_S = 90.0


def rng_for(*key: object) -> random.Random:
    """A generator seeded by a string key: the same numbers in every process and run."""
    return random.Random("/".join(map(str, key)))  # noqa: S311 - simulated load, not secrets


@dataclass(frozen=True)
class Job:
    name: str
    kind: str  # "training" or "inference"
    start: float
    end: float
    util: float  # training plateau, or inference peak
    checkpoint_every_s: float = 0.0


def _week_jobs(seed: int, lane: int, kind: str, week: int) -> tuple[list[float], list[Job]]:
    rng = rng_for(seed, "lane", lane, week)
    t, end = week * WEEK_S, (week + 1) * WEEK_S
    starts, jobs = [], []
    t += rng.uniform(0, 1200)  # lanes do not all start at the week's first second
    n = 0
    while t < end:
        n += 1
        if kind == "inference":
            length, gap = rng.uniform(8, 30) * 3600, rng.uniform(120, 420)
            job = Job(f"infer-{lane:02d}-{week}-{n}", kind, t, min(t + length, end), 80.0)
        else:
            length, gap = rng.uniform(1.5, 6) * 3600, rng.uniform(300, 2400)
            job = Job(
                f"train-{lane:02d}-{week}-{n}",
                kind,
                t,
                min(t + length, end),
                rng.uniform(93, 99),
                rng.uniform(1200, 2400),
            )
        starts.append(job.start)
        jobs.append(job)
        t += length + gap
    return starts, jobs


@lru_cache(maxsize=512)
def _cached_week(seed: int, lane: int, kind: str, week: int) -> tuple[list[float], list[Job]]:
    return _week_jobs(seed, lane, kind, week)


@lru_cache(maxsize=1024)
def lane_kind(seed: int, lane: int) -> str:
    return "inference" if rng_for(seed, "kind", lane).random() < INFERENCE_SHARE else "training"


def job_at(seed: int, lane: int, t: float) -> Job | None:
    """The job lane ``lane`` runs at time ``t``, or None between jobs."""
    starts, jobs = _cached_week(seed, lane, lane_kind(seed, lane), int(t // WEEK_S))
    i = bisect_right(starts, t) - 1
    if i < 0 or t >= jobs[i].end:
        return None
    return jobs[i]


def day_curve(local_hour: float) -> float:
    """0 at 04:00, 1 at 16:00 local time: the shape of inference traffic."""
    return 0.5 - 0.5 * math.cos(2 * math.pi * (local_hour - 4) / 24)


def utilization(job: Job | None, t: float, utc_offset_s: float = 0.0) -> float:
    """Host GPU utilisation (%) under ``job`` at ``t``; 0 between jobs."""
    if job is None:
        return 0.0
    x = t - job.start
    if job.kind == "inference":
        hour = ((t + utc_offset_s) % 86_400) / 3600
        jitter = 6.0 * math.sin(t / 37.0 + job.start) * math.sin(t / 11.0)
        return max(5.0, min(100.0, 12.0 + (job.util - 12.0) * day_curve(hour) + jitter))
    if x < RAMP_S:
        return 25.0 + (job.util - 25.0) * x / RAMP_S
    if (x - RAMP_S) % job.checkpoint_every_s >= job.checkpoint_every_s - CHECKPOINT_S:
        return 12.0  # writing the checkpoint: the GPUs wait on storage
    return job.util


def lanes(rack_names: list[str], seed: int) -> dict[str, int]:
    """rack name -> lane number: consecutive racks grouped 1, 2 or 4 at a time."""
    rng = rng_for(seed, "lanes")
    out, lane, i = {}, 0, 0
    while i < len(rack_names):
        size = rng.choice(LANE_RACKS)
        for name in rack_names[i : i + size]:
            out[name] = lane
        lane, i = lane + 1, i + size
    return out
