"""What the fault tests share: scratch services, worker processes, a producer of signed
results, and the count of what the store holds against what was sent.

Every fault test runs against the scratch PostgreSQL of its session (``DCIM_VAR_DIR`` under
/tmp, set by ``make test-faults``) and a Redis of its own, never the shared ./var services:
the tests stop and restart them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from dcim.inventory.tests.factories import make_device
from devstack.services import DEFAULT_VAR_DIR, EmbeddedServices
from telemetry import signing
from telemetry.agent_keys import agent_secret
from telemetry.models import CollectionTarget, Protocol
from telemetry.readings import PollResult, Reading
from telemetry.tests.test_collection_e2e import Processes, database_url

INGEST_TASK = "telemetry.tasks.ingest_poll_result"
# Short in the tests so that a killed worker's messages come back within seconds; the
# product's default (settings, ADR 0028) is longer than the longest task.
VISIBILITY_TIMEOUT_S = 5


def scratch_services() -> EmbeddedServices | None:
    """The session's own embedded services, or None when they are the shared ones."""
    var = os.environ.get("DCIM_VAR_DIR", "")
    if os.environ.get("DATABASE_URL") or not var:
        return None
    services = EmbeddedServices.from_env()
    return None if services.var_dir == DEFAULT_VAR_DIR.resolve() else services


FAULTS = [
    pytest.mark.faults,
    pytest.mark.skipif(
        os.environ.get("DCIM_FAULT_TESTS") != "1" or scratch_services() is None,
        reason="fault tests stop and restart PostgreSQL and Redis: `make test-faults` runs "
        "them on scratch services (DCIM_VAR_DIR under /tmp)",
    ),
    pytest.mark.django_db(transaction=True),
]


class Broker:
    """A scratch Redis that the test may stop and start again at the same address."""

    def __init__(self) -> None:
        # Short, so that the unix socket path stays under the 107-byte limit.
        self.workdir = Path(tempfile.mkdtemp(prefix="flt-", dir="/tmp"))
        self.services = EmbeddedServices(self.workdir / "var")
        self.services.up(postgres=False, redis=True)
        self.url = self.services.broker_url()
        self.app = Celery("fault-producer", broker=self.url)

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.services.redis_socket))

    def stop(self) -> None:
        """Shut down as a broker with persistence does: queued and unacknowledged messages
        are written to disk and read back at start (a broker that forgets its queues on
        restart loses messages whatever the clients do)."""
        with contextlib.suppress(redis.ConnectionError):
            self.client().shutdown(save=True)
        deadline = time.monotonic() + 10
        while self.services.redis_running() and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self) -> None:
        self.services.start_redis()

    def close(self) -> None:
        self.services.stop_redis()
        shutil.rmtree(self.workdir, ignore_errors=True)


def worker_env(broker: Broker, **extra: str) -> dict[str, str]:
    """Environment of a central worker: the test database, the scratch broker."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker.url,
        "CELERY_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
        **extra,
    }


def start_worker(procs: Processes, name: str, queues: str, env: dict, concurrency: int = 2):
    procs.start(
        name,
        ["-A", "dcim", "worker", "-l", "INFO", "-c", str(concurrency), "-n", f"{name}@%h"]
        + ["-Q", queues, "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env,
    )


def kill_group(procs: Processes, name: str) -> None:
    """SIGKILL a worker and all its children: nothing is acknowledged on the way out."""
    proc = procs.procs.pop(name)  # no longer expected to be alive; its log stays
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def await_redelivery() -> None:
    """Wait out the visibility timeout of the messages a killed worker held. A worker
    scans for such messages when it starts and then only every ~100 s (kombu's restore
    interval × throttle): the next worker is started once they are due."""
    time.sleep(VISIBILITY_TIMEOUT_S + 1)


def log_count(procs: Processes, name: str, needle: str) -> int:
    return (procs.logs / f"{name}.log").read_text(errors="replace").count(needle)


# -- what is sent -------------------------------------------------------------------------

GPUS = 8
METRICS = [
    ("gpu_power_watts", "watts"),
    ("gpu_temperature_celsius", "celsius"),
    ("gpu_utilization_percent", "percent"),
    ("gpu_memory_used_bytes", "bytes"),
]


def nvml_target(host: str) -> CollectionTarget:
    """A GPU host and its NVML target (the only target its agent may store results for)."""
    return CollectionTarget.objects.create(
        device=make_device(name=host),
        protocol=Protocol.NVML,
        address=host,
        interval_s=10,
        next_poll_at=timezone.now() + timedelta(days=1),  # no beat runs; keep it so anyway
    )


def signed_result(target: CollectionTarget, started: datetime, seq: int) -> list:
    """The ingest task's arguments for one poll of ``target``'s host: 8 GPUs × 4 metrics."""
    result = PollResult(target=target.address, started=started)
    for gpu in range(GPUS):
        for n, (metric, unit) in enumerate(METRICS):
            result.readings.append(
                Reading(metric, float(seq * 100 + gpu * 10 + n), unit, f"gpu{gpu}")
            )
    body = result.to_json()
    key = signing.host_key(agent_secret(), target.address)
    return [target.pk, body, target.address, signing.sign(key, target.pk, target.address, body)]


# -- what the store holds -------------------------------------------------------------------

STORED_VALUES = """
SELECT se.device_id, s.ts, count(*)
FROM telemetry_sample s
JOIN telemetry_series se ON se.set_id = s.set_id AND s.vals[se.slot] IS NOT NULL
WHERE se.device_id = ANY(%s)
GROUP BY se.device_id, s.ts
"""


def stored_values(device_ids: list[int]) -> dict[tuple[int, datetime], int]:
    """(device id, poll time) -> values the store holds at that time."""
    connection.close()  # the server may have restarted under this process's connection
    with connection.cursor() as cur:
        cur.execute(STORED_VALUES, [list(device_ids)])
        return {(d, ts): n for d, ts, n in cur.fetchall()}


@dataclass
class Counts:
    """Values sent against values stored, per (device, poll time)."""

    sent: int
    stored: int
    lost: int
    doubled: int

    def line(self, fault: str, **more) -> str:
        extra = "".join(f" {k}={v}" for k, v in more.items())
        return (
            f"FAULT {fault}: sent={self.sent} stored={self.stored} "
            f"lost={self.lost} doubled={self.doubled}{extra}"
        )


def count(expected: dict[tuple[int, datetime], int], stored: dict) -> Counts:
    """Lost: values sent and not held. Doubled: values held beyond what was sent (a second
    copy, or a poll time nobody sent). The samples' key (series set, time) already refuses
    an identical row; a doubling would show as values at a time that was never sent."""
    lost = sum(max(0, n - stored.get(key, 0)) for key, n in expected.items())
    doubled = sum(max(0, n - expected.get(key, 0)) for key, n in stored.items())
    return Counts(sum(expected.values()), sum(stored.values()), lost, doubled)


def wait_for(predicate, timeout_s: float, procs: Processes | None = None, every_s=0.5) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if procs is not None:
            procs.check_alive()
        if predicate():
            return True
        time.sleep(every_s)
    return False


def base_time(n: int) -> datetime:
    """Poll times one second apart ending now (raw partitions exist for them)."""
    return timezone.now().replace(microsecond=0) - timedelta(seconds=n)


def start_python(procs: Processes, name: str, args: list[str], env: dict[str, str]) -> None:
    """A ``python -m ...`` process among the test's processes (the GPU agent's loop)."""
    with open(procs.logs / f"{name}.log", "wb") as out:
        procs.procs[name] = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def logs_of(procs: Processes) -> str:
    return "\n".join(f"--- {n}\n{procs.tail(n)}" for n in procs.procs)
