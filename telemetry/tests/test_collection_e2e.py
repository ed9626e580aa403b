"""The collection pipeline end to end, with real processes and real protocol peers.

Celery beat (DatabaseScheduler) dispatches due targets every second; a central worker polls
SNMP (snmpsim), Modbus (the cooling simulator) and Prometheus text (a local HTTP server
serving a dcgm-exporter fixture) and ingests; a GPU-host agent worker, started without any
database settings, polls the NVML stand-in and sends its result back through the broker.
All of it over a private Redis and the test database (committed rows: transactional_db).
What must come out: each target's health says success, and a known metric of each device is
readable through telemetry.store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from dcim.inventory.tests.factories import make_credential, make_device, make_gpu
from telemetry import store
from telemetry.agent_keys import agent_secret
from telemetry.models import CollectionTarget, Protocol
from telemetry.simulators import nvml as nvml_standin
from telemetry.simulators.modbus import ModbusSimulator
from telemetry.simulators.snmp import start_snmpsim
from telemetry.simulators.snmp.fleet import SimDevice, write_fleet

# Committed rows, so that the workers see them (pytest-django runs such tests after the
# others: their flush at the end also removes what the migrations wrote).
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).parent / "fixtures" / "dcgm_h100_node.txt"
DEADLINE_S = 60
GPU_HOST = "e2e-dgx-01"
DISPATCH = "telemetry: dispatch due polls"  # the beat entry of migration 0004


def database_url(s: dict) -> str:
    """The test database as a DATABASE_URL for the worker processes."""
    user = quote(s["USER"] or "", safe="")
    auth = f"{user}:{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else user
    host = s["HOST"] or ""
    if host.startswith("/"):  # a unix socket directory (the embedded server)
        return f"postgresql://{auth}@/{s['NAME']}?host={quote(host)}"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{auth}@{host or 'localhost'}{port}/{s['NAME']}"


@pytest.fixture
def workdir():
    # Short, so that the Redis unix socket path stays under the 107-byte limit.
    path = Path(tempfile.mkdtemp(prefix="e2e-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def broker(private_redis):
    return private_redis


@pytest.fixture
def snmp_agent(workdir):
    write_fleet(workdir / "snmp", [SimDevice("e2e-pdu", "raritan_pdu2", 8, seed=5)])
    sim = start_snmpsim(workdir / "snmp")
    yield sim
    sim.stop()


@pytest.fixture
def modbus_sim():
    with ModbusSimulator({3: "crah_stulz"}, port=0) as sim:
        yield sim


@pytest.fixture
def exporter():
    """A dcgm-exporter stand-in: the fixture's text at /metrics on a loopback port."""
    body = FIXTURE.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200 if self.path == "/metrics" else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body if self.path == "/metrics" else b"")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


class Processes:
    """Subprocesses in their own process groups, with their output in files."""

    def __init__(self, logs: Path) -> None:
        self.logs, self.procs = logs, {}
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        with open(self.logs / f"{name}.log", "wb") as out:
            self.procs[name] = subprocess.Popen(  # noqa: S603 - our own celery binary
                [str(Path(sys.executable).parent / "celery"), *args],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            assert proc.poll() is None, f"{name} exited ({proc.returncode}):\n{self.tail(name)}"

    def tail(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):  # prefork children, if any are left
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def make_targets(snmp_port: int, modbus_port: int, http_port: int) -> dict[str, tuple]:
    """One device and target per protocol; returns protocol -> (target, metric to expect)."""
    now = timezone.now()
    common = {"address": "127.0.0.1", "interval_s": 5, "timeout_s": 3, "next_poll_at": now}
    snmp = CollectionTarget.objects.create(
        device=make_device(name="e2e-pdu-a"),
        protocol=Protocol.SNMP,
        port=snmp_port,
        credential=make_credential(snmp_community="e2e-pdu"),
        profile="raritan_pdu2",
        **common,
    )
    modbus = CollectionTarget.objects.create(
        device=make_device(name="e2e-crah-01"),
        protocol=Protocol.MODBUS,
        port=modbus_port,
        credential=make_credential(kind="modbus", modbus_unit_id=3),
        profile="crah_stulz",
        **common,
    )
    scrape = CollectionTarget.objects.create(
        device=make_device(name="e2e-gpu-node-07"),
        protocol=Protocol.PROMETHEUS,
        port=http_port,
        profile="/metrics",
        **common,
    )
    host = make_device(name=GPU_HOST)
    for i in range(8):  # the stand-in's identities: reconciliation must find them all
        make_gpu(host, index=i, uuid=nvml_standin.gpu_uuid(GPU_HOST, i))
    nvml = CollectionTarget.objects.create(
        device=host, protocol=Protocol.NVML, **{**common, "address": GPU_HOST}
    )
    return {
        "snmp": (snmp, "pdu_power_watts"),
        "modbus": (modbus, "cooling_supply_air_temperature_celsius"),
        "prometheus": (scrape, "gpu_temperature_celsius"),
        "nvml": (nvml, "gpu_power_watts"),
    }


def beat_every_second() -> None:
    every_s, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name=DISPATCH,
        defaults={
            "task": "telemetry.tasks.dispatch_polls",
            "interval": every_s,
            "queue": "celery",
            "expire_seconds": 5,
            "enabled": True,
        },
    )


def delivered(target: CollectionTarget, metric: str) -> list[store.Latest]:
    target.refresh_from_db()
    if target.last_success_at is None or target.consecutive_failures:
        return []
    return store.latest(metric=metric, device_ids=[target.device_id])


def test_every_protocol_reaches_the_store_through_celery(
    workdir, broker, snmp_agent, modbus_sim, exporter
):
    targets = make_targets(snmp_agent.port, modbus_sim.port, exporter)
    beat_every_second()
    central_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker,
    }
    # A GPU host holds the broker's address and nothing else: no database, no secrets.
    agent_env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(workdir)),
        "PYTHONPATH": str(settings.BASE_DIR),
        "CELERY_BROKER_URL": broker,
        "NVML_MODULE": "telemetry.simulators.nvml",
        # The stand-in simulates a host by name: it signs as that host (telemetry.signing).
        "DCIM_AGENT_SECRET": agent_secret().decode(),
    }
    procs = Processes(workdir / "logs")
    try:
        procs.start(
            "central",
            [
                "-A",
                "dcim",
                "worker",
                "-l",
                "INFO",
                "-c",
                "2",
                "-n",
                "e2e-central@%h",
                "-Q",
                "celery,ingest,poll.snmp,poll.modbus,poll.http",
            ],
            central_env,
        )
        procs.start(
            "agent",
            [
                "-A",
                "telemetry.agent",
                "worker",
                "-l",
                "INFO",
                "-c",
                "1",
                "-n",
                "e2e-agent@%h",
                "-Q",
                f"nvml.{GPU_HOST}",
            ],
            agent_env,
        )
        procs.start(
            "beat",
            [
                "-A",
                "dcim",
                "beat",
                "-l",
                "INFO",
                "-s",
                str(workdir / "beat-schedule"),
                "-S",
                "django_celery_beat.schedulers:DatabaseScheduler",
            ],
            central_env,
        )

        pending = dict(targets)
        deadline = time.monotonic() + DEADLINE_S
        while pending and time.monotonic() < deadline:
            procs.check_alive()
            for protocol, (target, metric) in list(pending.items()):
                if delivered(target, metric):
                    del pending[protocol]
            time.sleep(0.5)
        logs = "\n".join(f"--- {n}\n{procs.tail(n)}" for n in procs.procs)
        assert not pending, f"no stored {sorted(pending)} within {DEADLINE_S} s\n{logs}"
    finally:
        procs.stop()

    for protocol, (target, metric) in targets.items():
        values = store.latest(metric=metric, device_ids=[target.device_id])
        assert values and all(v.value == v.value for v in values), protocol  # not NaN
        assert target.last_values > 0 and target.last_error == "", protocol
    nvml_target = targets["nvml"][0]
    assert {
        v.component
        for v in store.latest(metric="gpu_power_watts", device_ids=[nvml_target.device_id])
    } == {f"gpu{i}" for i in range(8)}
    assert nvml_target.last_report["unknown_gpus"] == []
    assert nvml_target.last_report["missing_gpus"] == []
