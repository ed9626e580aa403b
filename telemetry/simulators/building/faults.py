"""Occasional faults, on a schedule, so every built-in alert rule shows itself within an hour.

Each kind of fault starts once an hour at a fixed offset, lasting long enough for the rule's
``for`` time and a poll or two; the victim (a GPU, a host, a rack feed, a port, a UPS, a
CRAH) is drawn from the seed and the hour, so any 60 minutes of demo see each kind once and
every process agrees on who is hit. One GPU has a failed row remap for good: a board that
needs replacing, as a real fleet always has one.

What each kind shows (rule: the reading that crosses it):

- gpu_thermal: "GPU temperature near its slowdown threshold", "GPU thermal throttling";
- xid: "GPU critical XID error" (XID 74, an NVLink error; 48 and 79 come with ecc and
  gpu_lost);
- gpu_lost: "GPU lost", and "GPU telemetry stopped" once the board is silent 10 minutes;
- ecc: "GPU uncorrected ECC error";
- power_brake: "GPU power brake sustained";
- feed_loss: "PDU above 80 % of available feed power" (the B PDU of a busy training rack),
  and "PDU above available feed power" when that rack's B feed is an undersized 63 A one;
- port_flap: "Switch port down", then "Switch port input errors";
- ups_battery: "UPS on battery", "UPS output not on mains", "UPS battery runtime low" (on
  the first UPS, UPS-A in the demo; its output source reads battery(5) for 150 s);
- crah_high_supply: "CRAH supply air high", "Cooling unit alarm", and both ASHRAE inlet
  rules in the CRAH's zone.

HA pairs (keepalived, VRRP) fail over once a day and on demand: ``ha``.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from telemetry.simulators.building import jobs
from telemetry.simulators.building.jobs import rng_for
from telemetry.simulators.building.plan import FAILED, PduSpec, Plan

HOUR_S = 3600

# kind: (offset into the hour, duration), seconds
SCHEDULE: dict[str, tuple[int, int]] = {
    "gpu_thermal": (300, 600),  # a GPU's cold plate loses flow: it heats past slowdown
    "xid": (840, 60),  # an NVLink error on one GPU (XID 74): the link retrains
    "gpu_lost": (1140, 900),  # XID 79: the GPU falls off the bus until it is reset
    "ecc": (1500, 60),  # an uncorrectable ECC error (XID 48), a row remap pending
    "power_brake": (1800, 240),  # the host's PSUs assert the power brake
    "feed_loss": (2100, 420),  # one busy rack's A feed trips: the B PDU carries the rack
    "port_flap": (2400, 300),  # a leaf port's optic loses light, then comes back erroring
    "ups_battery": (2700, 150),  # mains lost, the generator's first start fails: 150 s
    "crah_high_supply": (3000, 480),  # a CRAH cannot hold its setpoint
}
# A port that flaps is down for its first 2 minutes ("Switch port down" waits 60 s, polls come
# every 30 s: a 40 s down spell never showed), then up with 3 input errors a second.
PORT_DOWN_S = 120
PORT_ERRORS_PER_S = 3.0
# A CRAH that cannot hold its setpoint: supply air rises 12 °C over 3 minutes, so that its
# zone's inlets pass 27 °C (recommended) and the warmest pass 32 °C (A1 allowable).
CRAH_SUPPLY_RISE_C = 12.0
CRAH_RAMP_S = 180.0
# The rack whose feed trips runs a training job through the whole fault (no ramp, no
# checkpoint dip), so that its B PDU stays above 80 % of its feed for the rule's 5 minutes.
FEED_LOSS_MIN_UTIL = 90.0
FEED_LOSS_STEP_S = 15


@dataclass(frozen=True)
class Fault:
    kind: str
    start: float
    end: float
    target: str  # host, PDU, switch, UPS or CRAH name
    index: int = 0  # GPU index or port number


def _live(plan: Plan, kind: str) -> list[str]:
    return [d.name for d in plan.devices if d.kind == kind and d.status == "active"]


@lru_cache(maxsize=256)  # a week of hours: a port's error counter sums the week's faults
def _hour(plan: Plan, hour: int) -> tuple[Fault, ...]:
    if not plan.faults:
        return ()
    rng = rng_for(plan.seed, "faults", hour)
    hosts = _live(plan, "gpu_server")
    switches = [d for d in plan.devices if d.kind == "switch" and d.status == "active"]
    side_a = [p for p in plan.pdus if p.side == "A" and p.status != FAILED]
    upses = [u.name for u in plan.plant_of("ups") if u.status == "active"]
    crahs = [c.name for c in plan.plant_of("crah") if c.status == "active"]
    base = hour * HOUR_S
    out = []
    for kind, (offset, length) in SCHEDULE.items():
        target, index = "", 0
        start, end = base + offset, base + offset + length
        if kind in ("gpu_thermal", "xid", "gpu_lost", "ecc") and hosts:
            target, index = rng.choice(hosts), rng.randrange(8)
        elif kind == "power_brake" and hosts:
            target = rng.choice(hosts)
        elif kind == "feed_loss" and side_a:
            target = _feed_loss_victim(plan, side_a, start, end, rng)
        elif kind == "port_flap" and switches:
            switch = rng.choice(switches)
            target, index = switch.name, rng.randrange(1, max(2, switch.ports // 2))
        elif kind == "ups_battery" and upses:
            target = upses[0]  # UPS-A: the HA page's UPS pair shows a transfer every hour
        elif kind == "crah_high_supply" and crahs:
            target = rng.choice(crahs)
        if target:
            out.append(Fault(kind, start, end, target, index))
    return tuple(out)


def _feed_loss_victim(
    plan: Plan, side_a: list[PduSpec], start: float, end: float, rng: random.Random
) -> str:
    """An A PDU whose rack is full (every server active) and trains through the window,
    on the rack whose other feed can carry the least.

    Its other side then carries the whole rack: ~85 % of an 80 A feed's available power, past
    100 % of a 63 A one (the demo's undersized racks), so preferring the weakest other feed
    shows both PDU rules. A rack between jobs, ramping up or writing a checkpoint would draw
    too little for the rule's 5 minutes; if no rack is that busy (a tiny plan), any A PDU of
    a training rack.
    """
    full = _full_training_racks(plan)
    lanes = _lanes(plan)
    steps = range(int(start), int(end) + 1, FEED_LOSS_STEP_S)
    busy = [
        p
        for p in side_a
        if p.rack in full
        and all(_util(plan, lanes[p.rack], t) >= FEED_LOSS_MIN_UTIL for t in steps)
    ]
    if busy:
        other = _other_feed_w(plan)
        weakest = min(other.get(p.rack, math.inf) for p in busy)
        return rng.choice([p.name for p in busy if other.get(p.rack, math.inf) == weakest])
    training = _training_racks(plan)
    fallback = [p.name for p in side_a if p.rack in training] or [p.name for p in side_a]
    return rng.choice(fallback)


@lru_cache(maxsize=8)
def _other_feed_w(plan: Plan) -> dict[str, float]:
    """Rack -> the available power of its B feed, the side that carries it when A trips
    (racks whose feed is unknown are left out: they count as unlimited)."""
    return {p.rack: p.feed_available_w for p in plan.pdus if p.side == "B" and p.feed_available_w}


def _util(plan: Plan, lane: int, t: float) -> float:
    return jobs.utilization(jobs.job_at(plan.seed, lane, t), t)


@lru_cache(maxsize=8)
def _lanes(plan: Plan) -> dict[str, int]:
    return jobs.lanes([r.name for r in plan.racks], plan.seed)


@lru_cache(maxsize=8)
def _training_racks(plan: Plan) -> frozenset[str]:
    lanes = _lanes(plan)
    return frozenset(
        n for n, lane in lanes.items() if jobs.lane_kind(plan.seed, lane) == "training"
    )


@lru_cache(maxsize=8)
def _full_training_racks(plan: Plan) -> frozenset[str]:
    """Training racks with as many servers as the fullest rack, all active: none dark, none
    drained for maintenance, none still to be delivered (planned ones are not in the plan)."""
    servers = Counter(d.rack for d in plan.devices if d.kind == "gpu_server")
    active = Counter(
        d.rack for d in plan.devices if d.kind == "gpu_server" and d.status == "active"
    )
    most = max(servers.values(), default=0)
    full = {rack for rack, n in active.items() if n == servers[rack] == most}
    return _training_racks(plan) & full


def active(plan: Plan, t: float) -> list[Fault]:
    """Faults in force at ``t`` (this hour's, and the last hour's still running)."""
    hour = int(t // HOUR_S)
    return [f for h in (hour - 1, hour) for f in _hour(plan, h) if f.start <= t < f.end]


def started_between(plan: Plan, t0: float, t1: float) -> list[Fault]:
    """Faults that began in (t0, t1]: one-shot events (XIDs, ECC errors) fire once."""
    hours = range(int(t0 // HOUR_S), int(t1 // HOUR_S) + 1)
    if len(hours) > 3:  # a long gap: only the last hours' events matter
        hours = hours[-3:]
    return [f for h in hours for f in _hour(plan, h) if t0 < f.start <= t1]


def port_state(plan: Plan, switch: str, number: int, t: float) -> tuple[float, float]:
    """(ifOperStatus, ifInErrors) of a switch port at ``t``: 1 up / 2 down, and the input
    errors its flaps counted since the UTC week began (a counter, as the switch keeps it).

    Looked up in the week's flaps by port: the agent asks for every port of 72 switches each
    sweep, and walking the week's hours per port cost a core once the week was 64 hours old.
    """
    oper, errors = 1.0, 0.0
    for f in _week_flaps(plan, int(t // jobs.WEEK_S)).get((switch, number), ()):
        if f.start > t:
            break
        if t < f.start + PORT_DOWN_S:
            oper = 2.0
        errors += PORT_ERRORS_PER_S * max(0.0, min(t, f.end) - (f.start + PORT_DOWN_S))
    return oper, errors


@lru_cache(maxsize=4)
def _week_flaps(plan: Plan, week: int) -> dict[tuple[str, int], tuple[Fault, ...]]:
    """(switch, port) -> that port's flaps in the UTC week, in time order."""
    first = week * jobs.WEEK_S // HOUR_S
    flaps: dict[tuple[str, int], list[Fault]] = {}
    for hour in range(first, first + jobs.WEEK_S // HOUR_S):
        for f in _hour(plan, hour):
            if f.kind == "port_flap":
                flaps.setdefault((f.target, f.index), []).append(f)
    return {key: tuple(faults) for key, faults in flaps.items()}


def bad_board(plan: Plan) -> tuple[str, int] | None:
    """The one GPU with a failed row remap, for good."""
    hosts = _live(plan, "gpu_server")
    if not hosts:
        return None
    rng = rng_for(plan.seed, "bad-board")
    return rng.choice(hosts), rng.randrange(8)
