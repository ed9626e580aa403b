"""How much CPU the NVML collector costs per GPU, beyond the NVML calls themselves.

Run: ``.venv/bin/python -m bench.collectors.nvml``. It polls simulated hosts (8 H100s each)
with ``collect()``, then replays exactly the NVML calls one steady-state poll made, straight
on the stand-in, and subtracts. What remains is the collector's own work (building readings,
error handling, bookkeeping); on a real host the NVML calls cost what the driver costs.
The stand-in's clock is frozen so both runs do the same work (no model integration).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from telemetry.collectors.nvml import collect
from telemetry.simulators.nvml import NVMLError, SimulatedNvml


class _Recorder:
    """Passes every pynvml call through to ``nvml`` and writes down (function, args)."""

    def __init__(self, nvml: Any) -> None:
        self._nvml = nvml
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._nvml, name)
        if not (callable(target) and name.startswith("nvml")):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return target(*args, **kwargs)

        return call


def _replay(calls: list[tuple[Callable[..., Any], tuple, dict]]) -> None:
    for function, args, kwargs in calls:
        try:  # noqa: SIM105 - contextlib.suppress would inflate the baseline
            function(*args, **kwargs)
        except NVMLError:  # the event wait's TIMEOUT, an unsupported fan
            pass


def _cpu(run: Callable[[], None], polls: int, repeats: int) -> float:
    """Least CPU seconds (process_time) of ``polls`` runs, over ``repeats`` tries."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(polls):
            run()
        best = min(best, time.process_time() - start)
    return best


def bench(hosts: int = 32, gpus_per_host: int = 8, polls: int = 20, repeats: int = 5) -> dict:
    """Collector CPU per GPU per poll, in ms, over ``hosts`` × ``gpus_per_host`` GPUs."""
    now = 1_700_000_000.0
    sims = [
        SimulatedNvml(f"bench-{i:03d}", gpus=gpus_per_host, clock=lambda: now) for i in range(hosts)
    ]
    recorders = [_Recorder(sim) for sim in sims]
    for recorder in recorders:  # first poll: nvmlInit, identity, thresholds, events
        collect(recorder, target=recorder._nvml.host, event_wait_ms=0)
        recorder.calls.clear()
    for recorder in recorders:  # a steady-state poll, the one we measure
        collect(recorder, target=recorder._nvml.host, event_wait_ms=0)
    calls = [
        (getattr(rec._nvml, name), args, kwargs)
        for rec in recorders
        for name, args, kwargs in rec.calls
    ]

    def poll_all() -> None:
        for recorder in recorders:
            collect(recorder._nvml, target=recorder._nvml.host, event_wait_ms=0)

    for recorder in recorders:  # sessions of the bare stand-ins, initialised outside timing
        collect(recorder._nvml, target=recorder._nvml.host, event_wait_ms=0)
    gpus = hosts * gpus_per_host
    with_collector = _cpu(poll_all, polls, repeats) / polls
    calls_only = _cpu(lambda: _replay(calls), polls, repeats) / polls
    result = {
        "gpus": gpus,
        "nvml_calls_per_gpu": round(len(calls) / gpus, 2),
        "standin_cpu_ms_per_gpu": round(calls_only / gpus * 1000, 4),
        "total_cpu_ms_per_gpu": round(with_collector / gpus * 1000, 4),
        "nvml_cpu_ms_per_gpu": round((with_collector - calls_only) / gpus * 1000, 4),
    }
    print(
        f"NVML collector over {gpus} simulated GPUs, {result['nvml_calls_per_gpu']} calls/GPU: "
        f"collector {result['nvml_cpu_ms_per_gpu']} ms CPU/GPU beyond the stand-in's "
        f"{result['standin_cpu_ms_per_gpu']} ms (total {result['total_cpu_ms_per_gpu']} ms)"
    )
    return result


if __name__ == "__main__":
    bench()
