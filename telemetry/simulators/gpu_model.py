"""Physics of one simulated GPU: load phases, power, thermal inertia, energy, clocks, faults.

The NVML stand-in (``telemetry.simulators.nvml``) answers from these objects. They are kept
apart from it so the model can be read, tuned and tested without NVML's calling conventions.

Everything is a function of the time handed in, never of the wall clock, so tests can jump
an hour ahead without sleeping and two runs with the same clock give the same numbers.
Figures are an H100 SXM5 80 GB's (700 W TDP, idle about 70 W; slowdown 89 °C, shutdown 92 °C,
max operating 87 °C, HBM max 95 °C: see /work/shared/REFERENCE.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

MIB = 1024**2
GIB = 1024**3

# Clocks-event reason bits, as NVML defines them (nvmlClocksEventReason*).
IDLE = 0x1
SW_POWER_CAP = 0x4
HW_SLOWDOWN = 0x8
SW_THERMAL = 0x20
HW_THERMAL = 0x40
HW_POWER_BRAKE = 0x80

# One training job per host, repeating every CYCLE_S seconds (hosts are phase-shifted):
# queue wait, ramp-up (data loading, compilation), training with a checkpoint dip every
# 10 minutes (45 s of writing state to storage), then the job ends.
CYCLE_S = 3600.0
IDLE_UNTIL_S = 300.0
RAMP_UNTIL_S = 420.0
JOB_ENDS_S = 3300.0
CHECKPOINT_EVERY_S = 600.0
CHECKPOINT_S = 45.0
TRAINING_UTIL = 97.0
CHECKPOINT_UTIL = 15.0

MAX_STEP_S = 5.0  # integration step: small next to the thermal time constant
MAX_STEPS = 2_000  # a long gap is integrated in coarser steps, not in more of them


@dataclass(frozen=True)
class GpuSpec:
    """What the board is: fixed for its life (an H100 SXM5 80 GB by default)."""

    name: str = "NVIDIA H100 80GB HBM3"
    memory_total: int = 81_559 * MIB  # what NVML reports for 80 GB HBM3
    memory_reserved: int = 512 * MIB  # driver and context overhead, "used" even when idle
    job_memory: int = 74 * GIB
    idle_w: float = 70.0
    demand_at_full_w: float = 720.0  # a full-load kernel would draw past the cap
    power_limit_w: float = 700.0
    inlet_c: float = 24.0
    c_per_w: float = 0.066  # steady state: ~29 °C idle, ~70 °C at 700 W
    tau_s: float = 40.0  # thermal time constant of die plus cold plate
    sm_clock_max_mhz: int = 1980
    sm_clock_idle_mhz: int = 345
    mem_clock_mhz: int = 2619
    slowdown_factor: float = 0.6  # clocks under thermal slowdown
    shutdown_c: int = 92
    slowdown_c: int = 89
    gpu_max_c: int = 87
    mem_max_c: int = 95


H100_SXM = GpuSpec()


def job_utilization(t: float) -> float:
    """GPU utilization (%) of a host's job at phase ``t`` seconds (already offset per host)."""
    x = t % CYCLE_S
    if x < IDLE_UNTIL_S or x >= JOB_ENDS_S:
        return 0.0
    if x < RAMP_UNTIL_S:
        return TRAINING_UTIL * (x - IDLE_UNTIL_S) / (RAMP_UNTIL_S - IDLE_UNTIL_S)
    if (x - RAMP_UNTIL_S) % CHECKPOINT_EVERY_S >= CHECKPOINT_EVERY_S - CHECKPOINT_S:
        return CHECKPOINT_UTIL
    return TRAINING_UTIL


def wiggle(t: float, phase: float) -> float:
    """Deterministic noise in [-1, 1]: two incommensurate sines, no random state."""
    return 0.6 * math.sin(t / 7.3 + phase) + 0.4 * math.sin(t / 2.9 + 1.7 * phase)


@dataclass
class GpuState:
    """One GPU's state, advanced lazily to the time of each NVML call.

    ``util_override`` pins the utilization (tests, demos); ``thermal_fault`` models lost
    cooling: the die heads for a point between slowdown and shutdown with the usual inertia;
    ``power_brake`` models the board's external brake signal (a PSU or the rack's power
    budget asserting it): clocks drop to the slowdown factor until it is released.
    """

    index: int
    phase: float  # the host's offset into the job cycle, seconds
    t: float
    spec: GpuSpec = H100_SXM
    util_override: float | None = None
    thermal_fault: bool = False
    power_brake: bool = False
    # With a building model: the board's load, power and inlet air come from it
    # (``source(t)`` returns a ``building.Gpu``), so the PDUs see the same watts.
    source: Callable[[float], object | None] | None = None
    temp_offset: float = 0.0  # °C this board runs above (or below) its siblings
    c_per_w: float | None = None  # its own thermal resistance; None: the spec's
    energy_mj: float = 0.0
    inlet_c: float = 0.0  # the air reaching the heat sink; the spec's unless modelled
    util: float = 0.0
    power_w: float = 0.0
    temp_c: float = 0.0
    reasons: int = 0
    ecc: dict[tuple[int, int], int] = field(default_factory=dict)  # (type, counter) -> n
    remapped: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # cor, unc, pend, fail
    pcie_replay: int = 0
    nvlink_errors: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])

    def __post_init__(self) -> None:
        # Start in steady state for the current load, as a GPU that has been running a while.
        self.inlet_c = self.spec.inlet_c
        modelled = self.source(self.t) if self.source is not None else None
        if modelled is not None:
            self.util, self.power_w = modelled.util, modelled.power_w
            self.inlet_c = modelled.inlet_c
        else:
            self.util = self._target_util(self.t)
            self.power_w = self._power(self.util)
        self.temp_c = self._steady_temp(self.power_w)
        self.reasons = self._reasons()

    def advance(self, now: float) -> None:
        """Integrate power into energy and temperature towards steady state up to ``now``."""
        dt = now - self.t
        if dt <= 0:
            return
        steps = min(MAX_STEPS, math.ceil(dt / MAX_STEP_S))
        h = dt / steps
        decay = 1.0 - math.exp(-h / self.spec.tau_s)
        t = self.t
        for _ in range(steps):
            t += h
            modelled = self.source(t) if self.source is not None else None
            if modelled is not None:
                self.util, self.power_w = modelled.util, modelled.power_w
                self.inlet_c = modelled.inlet_c
                self.thermal_fault = modelled.cooling_lost
                self.power_brake = modelled.brake
            else:
                self.util = self._target_util(t)
                self.power_w = self._power(self.util) * (1.0 + 0.01 * wiggle(t, self.index + 0.5))
            self.energy_mj += self.power_w * h * 1000.0
            self.temp_c += (self._steady_temp(self.power_w) - self.temp_c) * decay
            self.reasons = self._reasons()
        self.t = now

    def _target_util(self, t: float) -> float:
        if self.util_override is not None:
            return self.util_override
        base = job_utilization(t + self.phase)
        if base <= 0.0:
            return 0.0
        return min(100.0, max(0.0, base + 2.0 * wiggle(t, self.index)))

    def _demand(self, util: float) -> float:
        s = self.spec
        return s.idle_w + (s.demand_at_full_w - s.idle_w) * util / 100.0

    def _power(self, util: float) -> float:
        demand = self._demand(util)
        if self.reasons & (SW_THERMAL | HW_THERMAL | HW_POWER_BRAKE):
            demand *= self.spec.slowdown_factor + 0.1  # lower clocks, lower voltage
        return min(demand, self.spec.power_limit_w)

    def _steady_temp(self, power_w: float) -> float:
        s = self.spec
        if self.thermal_fault:
            return (s.slowdown_c + s.shutdown_c) / 2.0
        c_per_w = s.c_per_w if self.c_per_w is None else self.c_per_w
        return self.inlet_c + self.temp_offset + c_per_w * power_w

    def _reasons(self) -> int:
        s = self.spec
        bits = IDLE if self.util < 1.0 else 0
        if self._demand(self.util) > s.power_limit_w:
            bits |= SW_POWER_CAP
        if self.temp_c >= s.gpu_max_c:
            bits |= SW_THERMAL
        if self.temp_c >= s.slowdown_c:
            bits |= HW_THERMAL | HW_SLOWDOWN
        if self.power_brake:
            bits |= HW_POWER_BRAKE | HW_SLOWDOWN
        return bits

    # What NVML would report, in NVML's units.

    @property
    def job_running(self) -> bool:
        return self.util >= 1.0

    def sm_clock_mhz(self) -> int:
        s = self.spec
        if not self.job_running:
            return s.sm_clock_idle_mhz
        mhz = float(s.sm_clock_max_mhz)
        if self.reasons & SW_POWER_CAP:
            mhz *= s.power_limit_w / self._demand(self.util)
        if self.reasons & (SW_THERMAL | HW_THERMAL | HW_POWER_BRAKE):
            mhz *= s.slowdown_factor
        return round(mhz)

    def memory_used(self) -> int:
        s = self.spec
        if not self.job_running:
            return s.memory_reserved
        return s.memory_reserved + s.job_memory + int(GIB * wiggle(self.t, self.index + 3.0))

    def memory_temp_c(self) -> int:
        return round(self.temp_c + 2.0 + 0.006 * self.power_w)
