"""Which member of each HA pair is master: failovers once a day and on demand.

A pair (``HaPairSpec``: a keepalived load-balancer pair, a VRRP router pair) starts with its
first member as master. Every failover swaps master and backup, and the new master keeps
the role (keepalived ``nopreempt``, VRRP with preemption off): nothing swaps it back but the
next failover. So the master at ``t`` follows from the number of failovers before ``t``
alone, and every process (the SNMP agent, a test, the command that injects one) agrees:

- scheduled: one a day per pair, at a second of the UTC day drawn from the plan's seed, the
  pair and the day (like the hourly faults, ``faults``); there has been one in every day
  since the epoch, so their number before ``t`` is the day number, plus one once today's
  has passed: no walk over past days, whatever the date;
- injected: ``manage.py demo_inject failover <pair>`` appends the time to the plan's
  ``injections`` file (JSON); the agent re-reads it when its mtime or size changes, so a
  failover shows at the next poll, in any process, and stays after a restart.

For ``FAULT_S`` after a failover the old master reports a fault (keepalived ``fault``, VRRP
``initialize``: its tracked interface went down), then backup: what a real pair shows, and
what tells a failover from a planned switchover on the device page.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from telemetry.simulators.building.jobs import rng_for
from telemetry.simulators.building.plan import HaPairSpec, Plan

DAY_S = 86_400
FAULT_S = 90  # the old master's fault spell: three polls at the demo's 30 s
MASTER, BACKUP, FAULT = "master", "backup", "fault"
# The MIB's code of each role: KEEPALIVED-MIB VrrpState, VRRP-MIB / VRRPv3-MIB state.
CODES: dict[str, dict[str, int]] = {
    "keepalived": {MASTER: 2, BACKUP: 1, FAULT: 3},
    "vrrp": {MASTER: 3, BACKUP: 2, FAULT: 1},
}


@dataclass(frozen=True)
class Failover:
    """The last failover of a pair before some instant, and how many came before it."""

    count: int
    at: float  # -inf when there has been none


@lru_cache(maxsize=64)
def _members(plan: Plan) -> dict[str, tuple[HaPairSpec, int]]:
    return {m: (pair, i) for pair in plan.ha_pairs for i, m in enumerate(pair.members)}


def pair(plan: Plan, name: str) -> HaPairSpec | None:
    """The pair by name (case-insensitive), or None."""
    return next((p for p in plan.ha_pairs if p.name.upper() == name.upper()), None)


@lru_cache(maxsize=1024)
def scheduled_at(plan: Plan, name: str, day: int) -> float:
    """When ``day``'s (days since the epoch, UTC) scheduled failover of the pair happens."""
    return day * DAY_S + rng_for(plan.seed, "failover", name, day).randrange(DAY_S)


def last_failover(plan: Plan, name: str, t: float) -> Failover:
    """Failovers of the pair at or before ``t``: scheduled (when the plan has faults) and
    injected."""
    count, at = 0, float("-inf")
    if plan.faults:
        day = int(t // DAY_S)
        today = scheduled_at(plan, name, day)
        count = day + (t >= today)
        at = today if t >= today else scheduled_at(plan, name, day - 1)
    times = injected(plan.injections).get(name, ())
    k = bisect_right(times, t)
    if k:
        count, at = count + k, max(at, times[k - 1])
    return Failover(count, at)


def role(plan: Plan, device: str, t: float) -> str:
    """``master``, ``backup`` or ``fault``: the device's role in its pair at ``t``."""
    spec, index = _members(plan)[device]
    if len(spec.members) < 2:
        return MASTER  # its partner is out of the building: nothing to fail over to
    last = last_failover(plan, spec.name, t)
    if index == last.count % 2:
        return MASTER
    return FAULT if t - last.at < FAULT_S else BACKUP


def knows(plan: Plan, key: str) -> bool:
    """``ha/<device>/<keepalived|vrrp>`` for a member of one of the plan's pairs."""
    parts = key.split("/")
    return len(parts) == 3 and parts[0] == "ha" and parts[1] in _members(plan) and parts[2] in CODES


def value(plan: Plan, key: str, t: float) -> float:
    """The MIB's state code of ``ha/<device>/<mib>`` at ``t``."""
    _, device, mib = key.split("/")
    return float(CODES[mib][role(plan, device, t)])


# -- injected failovers ----------------------------------------------------------------

_cache: dict[str, tuple[tuple[int, int], dict[str, tuple[float, ...]]]] = {}


def injected(path: str) -> dict[str, tuple[float, ...]]:
    """Pair -> the sorted times of its injected failovers; {} without a (readable) file.

    One ``stat`` per call; the file is parsed again only when its mtime or size changed,
    so the agent can ask on every request.
    """
    if not path:
        return {}
    try:
        st = os.stat(path)
    except OSError:
        return {}
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        raw = json.loads(Path(path).read_text()).get("failovers", {})
        found = {str(k): tuple(sorted(float(x) for x in v)) for k, v in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        found = {}  # a half-written or hand-broken file: no injections, never a crash
    _cache[path] = (stamp, found)
    return found


def inject(path: str | os.PathLike, name: str, t: float) -> int:
    """Record a failover of pair ``name`` at ``t`` in the injections file (written whole,
    then renamed, so a reader never sees half of it); returns its injected failovers."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    failovers = data.setdefault("failovers", {})
    failovers.setdefault(name, []).append(t)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)
    return len(failovers[name])
