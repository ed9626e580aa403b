"""`make run` keeps its Celery processes up: one that exits is logged and restarted with
a doubling delay (1 s, 2 s, ... capped at 30 s, back to 1 s after a healthy minute), and
the stack still stops all of it, without restarting anything, when asked to.

Real processes throughout: a sleeping Python process for the delays, and the stack's own
poller worker command against a Redis of the test's own (the shared services under
./var are neither used nor stopped), SIGKILLed and seen to come back and answer a ping.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time

from celery import Celery

from devstack.stack import Prepared, Supervised, processes, shutdown, watch

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def alive(pid: int) -> bool:
    """(The stack has reaped its children: a pid that is gone raises.)"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_restart(sup: Supervised, timeout_s: float = 10.0) -> float:
    """Seconds from now until ``check()`` starts a new process."""
    t0 = time.monotonic()
    while not sup.check():
        assert time.monotonic() - t0 < timeout_s, f"{sup.name} was not restarted"
        time.sleep(0.05)
    return time.monotonic() - t0


def test_a_killed_process_comes_back_after_1_then_2_seconds():
    out = io.StringIO()
    sup = Supervised("beat", SLEEPER, None, out=out)
    first = sup.start()
    try:
        assert not sup.check()
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert 0.9 <= wait_restart(sup) < 1.6
        second = sup.proc
        assert second.pid != first.pid and second.poll() is None
        second.send_signal(signal.SIGKILL)
        second.wait()
        assert 1.9 <= wait_restart(sup) < 2.6
        assert sup.restarts == 2 and sup.proc.poll() is None
    finally:
        shutdown({"beat": sup.proc}, grace=2)
    log = out.getvalue()
    assert "beat exited with code -9 after 0 s; restarting in 1 s." in log
    assert "restarting in 2 s." in log and "beat restarted (restart 2)." in log


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_delay_doubles_to_30_s_and_resets_after_a_healthy_minute():
    clock = Clock()
    sup = Supervised("worker", [sys.executable, "-c", "pass"], None, io.StringIO(), clock)
    delays = []
    sup.start()
    try:
        for ran_s in (0, 0, 0, 0, 0, 0, 0, 61, 0):
            sup.proc.wait()
            clock.now += ran_s
            assert not sup.check()  # seen to have exited: restart planned
            delays.append(sup.restart_at - clock.now)
            clock.now = sup.restart_at
            assert sup.check()  # restarted
    finally:
        sup.proc.wait()
    assert delays == [1, 2, 4, 8, 16, 30, 30, 1, 2]
    assert sup.restarts == 9


def ping(broker_url: str, timeout_s: float) -> bool:
    app = Celery(broker=broker_url)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if app.control.ping(timeout=1.0):
                return True
    finally:
        app.close()
    return False


def test_a_sigkilled_worker_is_restarted_and_the_stack_still_stops(private_redis, db):
    scratch_redis = private_redis  # a Redis of this test's own (root conftest)
    prepared = Prepared(broker_url=scratch_redis, nvml_queues=["nvml.x"], sim_ports=(0, 0))
    cmd, _ = processes(8000, prepared)["poller"]
    env = os.environ | {"CELERY_BROKER_URL": scratch_redis, "CACHE_REDIS_URL": scratch_redis}
    out = io.StringIO()
    sup = Supervised("poller", cmd, env, out=out)
    children = {"poller": sup.start(), "sleeper": Supervised("web", SLEEPER, None).start()}
    stop = threading.Event()
    restarts: list[int] = []
    loop = threading.Thread(
        target=watch,
        args=(children, {"poller": sup}, stop.is_set),
        kwargs={"on_restart": lambda: restarts.append(1), "out": out, "every_s": 0.1},
    )
    loop.start()
    try:
        assert ping(scratch_redis, 90), "the worker never answered"
        old = children["poller"].pid
        os.killpg(old, signal.SIGKILL)  # the worker and its pool, as the OOM killer would
        deadline = time.monotonic() + 30
        while children["poller"].pid == old:
            assert time.monotonic() < deadline, "the worker was not restarted"
            time.sleep(0.1)
        assert ping(scratch_redis, 90), "the restarted worker never answered"
        assert sup.restarts == 1 and restarts == [1]
    finally:
        stop.set()
        loop.join(5)
    assert not loop.is_alive()
    pids = [p.pid for p in children.values()]
    shutdown(children, grace=15)
    assert not any(alive(pid) for pid in pids)
    time.sleep(1.5)  # past the 1 s delay: a stopped stack restarts nothing
    assert sup.restarts == 1 and children["poller"].pid == pids[0]
    assert "poller exited with code -9" in out.getvalue()
