"""Occasional faults, on a schedule, so every built-in alert rule shows itself within an hour.

Each kind of fault starts once an hour at a fixed offset, lasting long enough for the rule's
``for`` time and a poll or two; the victim (a GPU, a host, a rack feed, a port, a UPS, a
CRAH) is drawn from the seed and the hour, so any 60 minutes of demo see each kind once and
every process agrees on who is hit. One GPU has a failed row remap for good: a board that
needs replacing, as a real fleet always has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from telemetry.simulators.building import jobs
from telemetry.simulators.building.jobs import rng_for
from telemetry.simulators.building.plan import FAILED, Plan

HOUR_S = 3600

# kind: (offset into the hour, duration), seconds
SCHEDULE: dict[str, tuple[int, int]] = {
    "gpu_thermal": (300, 600),  # a GPU's cold plate loses flow: it heats past slowdown
    "xid": (840, 60),  # XID 31 (a GPU memory page fault in the application)
    "gpu_lost": (1140, 900),  # XID 79: the GPU falls off the bus until it is reset
    "ecc": (1500, 60),  # an uncorrectable ECC error (XID 48), a row remap pending
    "power_brake": (1800, 240),  # the host's PSUs assert the power brake
    "feed_loss": (2100, 420),  # one rack's A feed trips: the B PDU carries the rack
    "port_flap": (2400, 300),  # a leaf port flaps, with input errors
    "ups_battery": (2700, 90),  # a mains transfer: UPS-B on battery for 90 s
    "crah_high_supply": (3000, 480),  # a CRAH cannot hold its setpoint
}
FLAP_S = 40  # a flapping port is down for 40 s, up for 40 s


@dataclass(frozen=True)
class Fault:
    kind: str
    start: float
    end: float
    target: str  # host, PDU, switch, UPS or CRAH name
    index: int = 0  # GPU index or port number


def _live(plan: Plan, kind: str) -> list[str]:
    return [d.name for d in plan.devices if d.kind == kind and d.status == "active"]


@lru_cache(maxsize=64)
def _hour(plan: Plan, hour: int) -> tuple[Fault, ...]:
    rng = rng_for(plan.seed, "faults", hour)
    hosts = _live(plan, "gpu_server")
    switches = [d for d in plan.devices if d.kind == "switch" and d.status == "active"]
    # A feed lost under a training rack: its other side then carries 85 % of its rating.
    training = _training_racks(plan)
    side_a = [p for p in plan.pdus if p.side == "A" and p.status != FAILED]
    pdus_a = [p.name for p in side_a if p.rack in training] or [p.name for p in side_a]
    upses = [u.name for u in plan.plant_of("ups") if u.status == "active"]
    crahs = [c.name for c in plan.plant_of("crah") if c.status == "active"]
    base = hour * HOUR_S
    out = []
    for kind, (offset, length) in SCHEDULE.items():
        target, index = "", 0
        if kind in ("gpu_thermal", "xid", "gpu_lost", "ecc") and hosts:
            target, index = rng.choice(hosts), rng.randrange(8)
        elif kind == "power_brake" and hosts:
            target = rng.choice(hosts)
        elif kind == "feed_loss" and pdus_a:
            target = rng.choice(pdus_a)
        elif kind == "port_flap" and switches:
            switch = rng.choice(switches)
            target, index = switch.name, rng.randrange(1, max(2, switch.ports // 2))
        elif kind == "ups_battery" and upses:
            target = upses[-1]
        elif kind == "crah_high_supply" and crahs:
            target = rng.choice(crahs)
        if target:
            out.append(Fault(kind, base + offset, base + offset + length, target, index))
    return tuple(out)


@lru_cache(maxsize=8)
def _training_racks(plan: Plan) -> frozenset[str]:
    names = [r.name for r in plan.racks]
    lanes = jobs.lanes(names, plan.seed)
    return frozenset(n for n in names if jobs.lane_kind(plan.seed, lanes[n]) == "training")


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


def bad_board(plan: Plan) -> tuple[str, int] | None:
    """The one GPU with a failed row remap, for good."""
    hosts = _live(plan, "gpu_server")
    if not hosts:
        return None
    rng = rng_for(plan.seed, "bad-board")
    return rng.choice(hosts), rng.randrange(8)
