"""The broker down for five minutes while a GPU-host agent keeps reading: every poll of
the outage reaches the store once.

The agent runs self-timed (``python -m telemetry.agent loop``, one poll a second here): it
publishes each signed result, and while the broker is unreachable appends it to its
on-disk spool (telemetry.spool), replaying the spool in order when the broker is back. The
(scratch) Redis is shut down for ``DCIM_FAULT_BROKER_OUTAGE_S`` seconds (300, the issue's
five minutes, unless set lower: .ci/run does, to keep the suite's time); an ingest worker
runs throughout and must reconnect by itself. The agent logs each poll's time and number
of values; the store must hold exactly those.
"""

from __future__ import annotations

import os
import re
import signal
import time
from datetime import datetime

from telemetry.agent_keys import agent_secret
from telemetry.models import DeadLetter
from tests.faults.harness import (
    FAULTS,
    count,
    logs_of,
    nvml_target,
    start_python,
    start_worker,
    stored_values,
    wait_for,
    worker_env,
)

pytestmark = FAULTS

OUTAGE_S = float(os.environ.get("DCIM_FAULT_BROKER_OUTAGE_S", "300"))
INTERVAL_S = 1.0
HOST = "fault-outage-01"
POLL_LINE = re.compile(r" poll (\S+) (\d+) values (published|spooled)$", re.MULTILINE)


def agent_polls(log: str) -> list[tuple[datetime, int, str]]:
    return [(datetime.fromisoformat(t), int(n), how) for t, n, how in POLL_LINE.findall(log)]


class Supervised:
    """The ingest worker, restarted when it exits, as compose (``restart: unless-stopped``)
    or systemd would. Celery 5.7's worker can exit when the broker vanishes under it (seen
    here: an ``AttributeError`` in kombu's Redis transport while it closes its event loop);
    what it held unacknowledged comes back after the visibility timeout, so a restart
    loses nothing. Restarts are counted and reported, not hidden."""

    def __init__(self, procs, broker) -> None:
        self.procs, self.broker, self.restarts, self.exits = procs, broker, 0, []
        self.name = "ingest"
        start_worker(procs, self.name, "ingest", worker_env(broker))

    def check(self) -> None:
        proc = self.procs.procs[self.name]
        if proc.poll() is not None:
            lines = self.procs.tail(self.name).strip().splitlines()
            self.exits.append(lines[-1] if lines else f"exit {proc.returncode}")
            del self.procs.procs[self.name]
            self.restarts += 1
            self.name = f"ingest-{self.restarts}"
            start_worker(self.procs, self.name, "ingest", worker_env(self.broker))
        self.procs.check_alive()


def test_agent_spools_through_a_broker_outage_and_replays_everything(broker, procs, tmp_path):
    target = nvml_target(HOST)
    worker = Supervised(procs, broker)
    # A GPU host holds the broker's address and its key, nothing else (no database).
    agent_env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": os.getcwd(),
        "CELERY_BROKER_URL": broker.url,
        "NVML_MODULE": "telemetry.simulators.nvml",
        "DCIM_AGENT_SECRET": agent_secret().decode(),
        "DCIM_AGENT_HOST": HOST,
        "DCIM_AGENT_TARGET_ID": str(target.pk),
        "DCIM_AGENT_INTERVAL_S": str(INTERVAL_S),
        "DCIM_AGENT_SPOOL_DIR": str(tmp_path / "spool"),
    }
    start_python(procs, "agent", ["-m", "telemetry.agent", "loop"], agent_env)
    log = procs.logs / "agent.log"

    def published_and_stored() -> bool:
        worker.check()
        polls = agent_polls(log.read_text())
        return len(polls) >= 3 and bool(stored_values([target.device_id]))

    assert wait_for(published_and_stored, 60), logs_of(procs)
    broker.stop()
    outage_began = time.monotonic()
    while time.monotonic() - outage_began < OUTAGE_S:
        worker.check()  # the agent rides the outage out; the worker is restarted if need be
        time.sleep(1.0)
    broker.start()
    assert wait_for(lambda: worker.check() or "replayed" in log.read_text(), 60), logs_of(procs)
    time.sleep(3 * INTERVAL_S)  # a few polls published normally after the replay
    agent = procs.procs.pop("agent")
    agent.send_signal(signal.SIGTERM)
    agent.wait(30)

    text = log.read_text()
    polls = agent_polls(text)
    expected = {(target.device_id, t): n for t, n, _ in polls}
    spooled = sum(1 for _, _, how in polls if how == "spooled")
    done = wait_for(
        lambda: worker.check() or count(expected, stored_values([target.device_id])).lost == 0,
        180,
        every_s=2.0,
    )
    counts = count(expected, stored_values([target.device_id]))
    print(
        counts.line(
            "broker-outage",
            outage_s=int(OUTAGE_S),
            polls=len(polls),
            polls_spooled=spooled,
            polls_stored=len(stored_values([target.device_id])),
            worker_restarts=worker.restarts,
        )
    )
    for line in worker.exits:
        print(f"  ingest worker exited during the outage: {line}")
    assert done, f"{counts}\n{logs_of(procs)}\n--- agent\n{text[-3000:]}"
    assert counts.lost == 0 and counts.doubled == 0
    assert len(polls) == len(stored_values([target.device_id]))
    # Every second of the outage was read and kept (give or take the edges).
    assert spooled >= OUTAGE_S / INTERVAL_S - 2
    assert "0 still spooled, 0 dropped" in text
    assert not DeadLetter.objects.exists()
