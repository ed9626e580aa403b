"""The GPU-host agent: a Celery worker that reads NVML where the GPUs are.

NVML is a local library, so each GPU host runs this worker on its own queue and holds no
database credentials: it needs only the broker and its own signing key. Its results
travel back through the broker to the ingest workers, signed (telemetry.signing), so
that ingest stores them only for this host's own targets.

    CELERY_BROKER_URL=redis://:password@broker:6379/0 \\
    DCIM_AGENT_HOST=$(hostname) DCIM_AGENT_KEY=<manage.py agent_key $(hostname)> \\
      celery -A telemetry.agent worker -Q nvml.$(hostname) -c 1

One process per host (-c 1): NVML keeps per-process state (handles, event sets, the
thresholds read once per GPU), and one poll of 8 GPUs takes well under a millisecond.

The demo's simulated fleet is served by one agent for hundreds of simulated hosts; it is
given the server's secret (``DCIM_AGENT_SECRET``) instead and derives each host's key.
A real host is never given the secret.

Self-timed, for a host that must keep reading while the broker is away (ADR 0028)::

    DCIM_AGENT_TARGET_ID=<its NVML target's id> DCIM_AGENT_INTERVAL_S=10 \\
    DCIM_AGENT_SPOOL_DIR=/var/lib/dcim-agent/spool ... python -m telemetry.agent loop

polls on its own interval and publishes each signed result; a result the broker does not
take is appended to a bounded on-disk spool (telemetry.spool) and replayed, in order,
once the broker answers again. Run the server with ``TELEMETRY_AGENTS_SELF_TIMED`` on so
that beat stops sending such hosts poll messages.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from celery import Celery
from kombu.exceptions import OperationalError as BrokerError

import telemetry.broker  # noqa: F401  (the Redis transport that keeps a copy: ADR 0028)
from telemetry import signing
from telemetry.collectors import nvml
from telemetry.spool import DEFAULT_MAX_BYTES, Spool

app = Celery("dcim-gpu-agent", broker=os.environ.get("CELERY_BROKER_URL"))
app.conf.update(
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    # A poll of one host takes milliseconds; a hung NVML call must not hold the queue.
    task_soft_time_limit=20,
    task_time_limit=30,
)

INGEST_TASK = "telemetry.tasks.ingest_poll_result"
INGEST_QUEUE = "ingest"
# Publishing gives up quickly: a result the broker does not take goes to the spool, and the
# next poll is due within one interval.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# While results are spooled, try the broker again this often (not on every poll).
REPLAY_EVERY_S = 5.0

log = logging.getLogger("telemetry.agent")


def identity(host_asked: str) -> tuple[str, bytes]:
    """(host this agent speaks for, its key). A host agent speaks only for itself,
    whatever host the poll message names; the demo's fleet agent for the host asked."""
    secret = os.environ.get("DCIM_AGENT_SECRET", "")
    if secret:
        return host_asked, signing.host_key(secret.encode(), host_asked)
    key = os.environ.get("DCIM_AGENT_KEY", "")
    if not key:
        raise signing.SignatureError("DCIM_AGENT_KEY is not set on this GPU host")
    return os.environ.get("DCIM_AGENT_HOST") or socket.gethostname(), bytes.fromhex(key)


@app.task(name="telemetry.collect_nvml")
def collect_nvml(target_id: int, host: str) -> None:
    """Poll this host's GPUs once and send the signed result to the ingest queue."""
    app.send_task(INGEST_TASK, args=signed_poll(target_id, host), queue=INGEST_QUEUE)


def signed_poll(target_id: int, host: str) -> list:
    """Poll this host's GPUs once: the ingest task's arguments, signed."""
    me, key = identity(host)
    result = nvml.collect(target=me).to_json()
    return [target_id, result, me, signing.sign(key, target_id, me, result)]


class Publisher:
    """Publish results, or spool them while the broker is away; replay in order."""

    def __init__(
        self, spool: Spool, replay_every_s: float = REPLAY_EVERY_S, via: Celery = app
    ) -> None:
        self.spool, self.replay_every_s, self.app = spool, replay_every_s, via
        self.next_replay = 0.0

    def publish(self, args: list) -> None:
        self.app.send_task(
            INGEST_TASK, args=args, queue=INGEST_QUEUE, retry=True, retry_policy=PUBLISH_RETRY
        )

    def deliver(self, args: list) -> str:
        """'published', or 'spooled' (kept on disk, sent later); never loses a result."""
        # Keep the order: while anything is spooled, a new result goes behind it.
        if self.spool.segments() and (time.monotonic() < self.next_replay or not self._replay()):
            self.spool.append({"args": args})
            return "spooled"
        try:
            self.publish(args)
        except (BrokerError, OSError) as exc:
            log.warning("broker unreachable (%s): spooling", exc)
            self.spool.append({"args": args})
            self.next_replay = time.monotonic() + self.replay_every_s
            return "spooled"
        return "published"

    def _replay(self) -> bool:
        try:
            sent = self.spool.replay(lambda record: self.publish(record["args"]))
        except (BrokerError, OSError):
            self.next_replay = time.monotonic() + self.replay_every_s
            return False
        log.info("broker back: replayed %d spooled results", sent)
        return True


def run_loop(
    target_id: int, host: str, interval_s: float, publisher: Publisher, stop: threading.Event
) -> int:
    """Poll every ``interval_s`` until ``stop`` is set; returns how many polls were made.
    Each poll is logged with its time and outcome (the fault tests count these lines)."""
    polls = 0
    next_at = time.monotonic()
    while not stop.is_set():
        args = signed_poll(target_id, host)
        outcome = publisher.deliver(args)
        polls += 1
        log.info("poll %s %d values %s", args[1]["started"], len(args[1]["readings"]), outcome)
        next_at += interval_s
        stop.wait(max(0.0, next_at - time.monotonic()))
    return polls


def main(argv: list[str]) -> int:
    if argv[1:] != ["loop"]:
        print("usage: python -m telemetry.agent loop   (settings from DCIM_AGENT_* variables)")
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    target_id = int(os.environ["DCIM_AGENT_TARGET_ID"])
    host = os.environ.get("DCIM_AGENT_HOST") or socket.gethostname()
    interval_s = float(os.environ.get("DCIM_AGENT_INTERVAL_S", "10"))
    spool = Spool(
        Path(os.environ.get("DCIM_AGENT_SPOOL_DIR", "/var/lib/dcim-agent/spool")),
        max_bytes=int(os.environ.get("DCIM_AGENT_SPOOL_MAX_BYTES", DEFAULT_MAX_BYTES)),
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    polls = run_loop(target_id, host, interval_s, Publisher(spool), stop)
    left, dropped = spool.pending(), spool.dropped
    log.info("stopped after %d polls; %d still spooled, %d dropped", polls, left, dropped)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
